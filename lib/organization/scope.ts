import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { describeAwsError } from '../aws/aws-errors';
import { DriftwardenError, EventOutOfScopeError } from '../errors';
import { organizationRefusal, type OrganizationSettings } from './settings';

/** An account of the organization, as alerts and audit records name it. */
export interface MemberAccount {
  id: string;
  name: string;
}

interface AccountFacts {
  account: MemberAccount;
  /** The account's OU, its parent OUs up to the root, and the root. */
  ancestors: string[];
}

/**
 * Decides whether an event's account and region are ones the settings watch, from what
 * Organizations says about the account (its name, and the OUs it sits in). What Organizations
 * answers about an account is kept for the life of the function: accounts rarely move.
 */
export class OrganizationScope {
  private readonly facts = new Map<string, Promise<AccountFacts>>();

  constructor(
    private readonly organizations: OrganizationsClient,
    private readonly organization: OrganizationSettings,
  ) {}

  /** The account, named, when the event may be acted on; else an `EventOutOfScopeError` saying why. */
  async check(accountId: string, region: string): Promise<MemberAccount> {
    const refusal = organizationRefusal(this.organization, accountId, region);
    if (refusal) throw new EventOutOfScopeError(refusal);
    const { include } = this.organization;
    const facts = await this.factsOf(accountId);
    if (!facts.ancestors.some((parent) => include.organizationalUnits.includes(parent))) {
      throw new EventOutOfScopeError(`Account ${accountId} (${facts.account.name}) is in none of the included organizational units (${include.organizationalUnits.join(', ')})`);
    }
    return facts.account;
  }

  private factsOf(accountId: string): Promise<AccountFacts> {
    let facts = this.facts.get(accountId);
    if (!facts) {
      facts = this.lookUp(accountId);
      this.facts.set(accountId, facts);
      facts.catch(() => this.facts.delete(accountId));
    }
    return facts;
  }

  private async lookUp(accountId: string): Promise<AccountFacts> {
    const { DescribeAccountCommand, ListParentsCommand } = await import('../aws/sdk/organizations');
    let name: string;
    try {
      const { Account } = await this.organizations.send(new DescribeAccountCommand({ AccountId: accountId }));
      name = Account?.Name ?? accountId;
    } catch (error) {
      if ((error as Error).name === 'AccountNotFoundException') throw new EventOutOfScopeError(`Account ${accountId} is not a member of the organization ${this.organization.organizationId}`, { cause: error });
      throw new DriftwardenError(`Cannot describe account ${accountId} in Organizations: ${describeAwsError(error)}`, { cause: error });
    }
    const ancestors: string[] = [];
    // An account sits in one OU; OUs nest at most five deep under the root.
    for (let child = accountId; ancestors.length < 6; ) {
      const { Parents } = await this.organizations.send(new ListParentsCommand({ ChildId: child }));
      const parent = Parents?.[0];
      if (!parent?.Id) break;
      ancestors.push(parent.Id);
      if (parent.Type === 'ROOT') break;
      child = parent.Id;
    }
    return { account: { id: accountId, name }, ancestors };
  }
}
