import {
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';

/** The largest page Organizations' listings accept (ListAccounts, ListAccountsForParent, ListOrganizationalUnitsForParent). */
export const ORGANIZATIONS_PAGE_SIZE = 20;

export interface AccountSelection {
  /** OUs (or the root) whose accounts, in every child OU too, are scanned; empty means the whole organization. */
  organizationalUnits: readonly string[];
  /** Only these accounts (within the OUs, when given). */
  accounts: readonly string[];
  excludeAccounts: readonly string[];
}

export interface OrganizationAccount {
  id: string;
  name: string;
}

async function accountsUnder(organizations: OrganizationsClient, parentId: string, into: Account[]): Promise<void> {
  for await (const page of paginateListAccountsForParent({ client: organizations, pageSize: ORGANIZATIONS_PAGE_SIZE }, { ParentId: parentId })) into.push(...(page.Accounts ?? []));
  const children: string[] = [];
  for await (const page of paginateListOrganizationalUnitsForParent({ client: organizations, pageSize: ORGANIZATIONS_PAGE_SIZE }, { ParentId: parentId })) {
    for (const unit of page.OrganizationalUnits ?? []) if (unit.Id) children.push(unit.Id);
  }
  await Promise.all(children.map((child) => accountsUnder(organizations, child, into)));
}

/** The active accounts the selection names, sorted by id, each once. */
export async function listOrganizationAccounts(organizations: OrganizationsClient, selection: AccountSelection): Promise<OrganizationAccount[]> {
  const found: Account[] = [];
  if (selection.organizationalUnits.length === 0) {
    for await (const page of paginateListAccounts({ client: organizations, pageSize: ORGANIZATIONS_PAGE_SIZE }, {})) found.push(...(page.Accounts ?? []));
  } else {
    await Promise.all(selection.organizationalUnits.map((unit) => accountsUnder(organizations, unit, found)));
  }
  const wanted = new Set(selection.accounts);
  const excluded = new Set(selection.excludeAccounts);
  const accounts = new Map<string, OrganizationAccount>();
  for (const account of found) {
    // Suspended and closing accounts cannot be assumed into; they are not part of the scan.
    if (!account.Id || (account.Status !== undefined && account.Status !== 'ACTIVE')) continue;
    if (excluded.has(account.Id) || (wanted.size > 0 && !wanted.has(account.Id))) continue;
    accounts.set(account.Id, { id: account.Id, name: account.Name ?? account.Id });
  }
  return [...accounts.values()].sort((a, b) => a.id.localeCompare(b.id));
}
