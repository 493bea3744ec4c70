import { z } from 'zod';

const accountId = z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id');
const organizationalUnitId = z.string().regex(/^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/, 'expected an OU id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx)');
const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'expected a region name such as eu-west-1');
const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'expected an IAM role name');

/** Accounts named directly, or through the organizational units (and their children) that hold them. */
const accountSelection = z
  .object({
    organizationalUnits: z.array(organizationalUnitId).default([]),
    accounts: z.array(accountId).default([]),
  })
  .strict();

/**
 * Organization mode: one central stack in the delegated-administrator account, a member stack in
 * every selected account and region through a service-managed StackSet. Absent: one account.
 */
export const organizationSettings = z
  .object({
    /** The organization (`o-…`); trust and the central bus accept principals of this organization only. */
    organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'expected an organization id such as o-a1b2c3d4e5'),
    /** The account that holds the central stack: registered as delegated administrator for StackSets and Config. */
    delegatedAdministratorAccountId: accountId,
    /** What the StackSet deploys to and the central functions accept events from. At least one OU (the root id for all). */
    include: accountSelection.refine((selection) => selection.organizationalUnits.length > 0, {
      message: 'name at least one organizational unit (the root id r-… for the whole organization): a service-managed StackSet deploys to OUs',
      path: ['organizationalUnits'],
    }),
    /**
     * Accounts taken out of what `include` selects (a sandbox, the log archive). OUs are left out by
     * not including them: a StackSet filters accounts, not OUs, below the OUs it targets.
     */
    exclude: z.object({ accounts: z.array(accountId).default([]) }).strict().default({}),
    /** Regions watched: the central stack is deployed once in each, and its StackSet puts the member stack in that region of every account. */
    regions: z.array(region).min(1, 'name at least one region'),
    /** Names of the roles the member stack creates and the central functions assume. */
    roles: z
      .object({
        read: roleName.default('driftwarden-read'),
        remediate: roleName.default('driftwarden-remediate'),
      })
      .strict()
      .default({}),
    stackSet: z
      .object({
        /** Accounts a region's rollout may fail in before it stops (FailureTolerancePercentage). */
        failureTolerancePercentage: z.number().int().min(0).max(100).default(10),
        /** Accounts deployed at once per region (MaxConcurrentPercentage). */
        maxConcurrentPercentage: z.number().int().min(1).max(100).default(25),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((organization, context) => {
    for (const account of organization.exclude.accounts) {
      if (organization.include.accounts.includes(account)) {
        context.addIssue({ code: 'custom', path: ['exclude', 'accounts'], message: `${account} is both included and excluded` });
      }
    }
    if (organization.exclude.accounts.length > 0 && organization.include.accounts.length > 0) {
      // One StackSet instance group filters accounts one way: INTERSECTION (include) or DIFFERENCE (exclude).
      context.addIssue({ code: 'custom', path: ['exclude', 'accounts'], message: 'give include.accounts or exclude.accounts, not both: a StackSet filters accounts one way' });
    }
  });

export type OrganizationSettings = z.output<typeof organizationSettings>;

/**
 * Why the settings do not select an account and region, as far as they tell without asking
 * Organizations (ids, regions, accounts named); undefined when they may.
 */
export function organizationRefusal(organization: OrganizationSettings, accountId: string, region: string): string | undefined {
  const { include, exclude, regions } = organization;
  if (!/^\d{12}$/.test(accountId)) return `Account "${accountId}" is not an AWS account id`;
  if (!regions.includes(region)) return `Region ${region} of account ${accountId} is not one of the watched regions (${regions.join(', ')})`;
  if (exclude.accounts.includes(accountId)) return `Account ${accountId} is excluded by organization.exclude.accounts`;
  if (include.accounts.length > 0 && !include.accounts.includes(accountId)) return `Account ${accountId} is not in organization.include.accounts`;
  return undefined;
}
