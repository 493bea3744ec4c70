import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { awsClientConfig, onFirstUse } from '../aws/client-config';
import { createAwsClients, type AwsClients, type AwsClientsOptions } from '../aws/clients';
import { AssumedRoleCredentials, memberRoleArn } from './credentials';
import { OrganizationScope, type MemberAccount } from './scope';
import type { OrganizationSettings } from './settings';

/** Everything a central function needs to act in one member account and region, as that account's role. */
interface MemberClients {
  region: string;
  clients: AwsClients;
}

export type MemberContext<Extra extends object = object> = { account: MemberAccount } & MemberClients & Extra;

export interface MemberAccessOptions<Extra extends object = object> {
  organization: OrganizationSettings;
  /** Which member role this function assumes: the rule function reads and reports, the remediation function acts. */
  role: 'read' | 'remediate';
  sts: STSClient;
  organizations: OrganizationsClient;
  sessionName: string;
  partition?: string;
  /** Retry and transport settings of the member clients (tests answer without a network). */
  clientOptions?: Omit<AwsClientsOptions, 'region' | 'credentials' | 'profile'>;
  /**
   * Clients beyond the reading ones, made with the member's credentials (the rule function's Config
   * client): each function bundles only the SDK clients it uses.
   */
  extraClients?: (region: string, credentials: AwsCredentialIdentityProvider) => Extra;
  now?: () => Date;
}

/**
 * The central functions' way into member accounts: the event's account and region are checked
 * against the organization scope first, then every client is made with that account's role for
 * that region. Clients and credentials are kept per account and region for warm invocations.
 */
export class MemberAccess<Extra extends object = object> {
  private readonly scope: OrganizationScope;
  private readonly credentials: AssumedRoleCredentials;
  private readonly contexts = new Map<string, MemberClients & Extra>();

  constructor(private readonly options: MemberAccessOptions<Extra>) {
    this.scope = new OrganizationScope(options.organizations, options.organization);
    this.credentials = new AssumedRoleCredentials(options.sts, { sessionName: options.sessionName, ...(options.now && { now: options.now }) });
  }

  /** The member context of an event's account and region; an `EventOutOfScopeError` when they are not watched. */
  async enter(accountId: string, region: string): Promise<MemberContext<Extra>> {
    const account = await this.scope.check(accountId, region);
    const key = `${accountId}/${region}`;
    let context = this.contexts.get(key);
    if (!context) {
      // Member roles carry their region in the name: IAM names are global, the member stack is per region.
      const roleName = `${this.options.organization.roles[this.options.role]}-${region}`;
      const credentials = this.credentials.provider(memberRoleArn(accountId, roleName, this.options.partition));
      const clients = createAwsClients({ ...this.options.clientOptions, region, credentials });
      context = { region, clients, ...(this.options.extraClients?.(region, credentials) as Extra) };
      this.contexts.set(key, context);
    }
    return { account, ...context };
  }
}

export type CentralMemberAccessOptions<Extra extends object> = Omit<MemberAccessOptions<Extra>, 'sts' | 'organizations' | 'extraClients'> & {
  /** The function's own region, where it calls STS (Organizations answers in us-east-1 only). */
  region: string;
  /** Loads what `extraClients` makes (its SDK module) and gives it back. */
  loadExtraClients?: () => Promise<NonNullable<MemberAccessOptions<Extra>['extraClients']>>;
};

/**
 * A central function's way into member accounts, made on its first event: the Organizations and STS
 * SDK modules load then, so a deployment without organization mode never compiles them.
 */
export function memberAccessOnFirstUse<Extra extends object = object>(options: CentralMemberAccessOptions<Extra>): () => Promise<MemberAccess<Extra>> {
  const { region, loadExtraClients, ...access } = options;
  return onFirstUse(async () => {
    const [{ OrganizationsClient }, { STSClient }, extraClients] = await Promise.all([import('../aws/sdk/organizations'), import('../aws/sdk/sts'), loadExtraClients?.()]);
    return new MemberAccess<Extra>({
      ...access,
      sts: new STSClient(awsClientConfig({ region })),
      organizations: new OrganizationsClient(awsClientConfig({ region: 'us-east-1' })),
      ...(extraClients && { extraClients }),
    });
  });
}
