import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import { createAwsClients, type AwsClients, type AwsClientsOptions } from '../aws/clients';
import { AssumedRoleCredentials, memberRoleArn } from './credentials';
import { OrganizationScope, type MemberAccount } from './scope';
import type { OrganizationSettings } from './settings';

/** Everything a central function needs to act in one member account and region, as that account's role. */
export interface MemberContext {
  account: MemberAccount;
  region: string;
  clients: AwsClients;
  config: ConfigServiceClient;
}

export interface MemberAccessOptions {
  organization: OrganizationSettings;
  /** Which member role this function assumes: the rule function reads and reports, the remediation function acts. */
  role: 'read' | 'remediate';
  sts: STSClient;
  organizations: OrganizationsClient;
  sessionName: string;
  partition?: string;
  /** Retry and transport settings of the member clients (tests answer without a network). */
  clientOptions?: Omit<AwsClientsOptions, 'region' | 'credentials' | 'profile'>;
  now?: () => Date;
}

/**
 * The central functions' way into member accounts: the event's account and region are checked
 * against the organization scope first, then every client is made with that account's role for
 * that region. Clients and credentials are kept per account and region for warm invocations.
 */
export class MemberAccess {
  private readonly scope: OrganizationScope;
  private readonly credentials: AssumedRoleCredentials;
  private readonly contexts = new Map<string, Omit<MemberContext, 'account'>>();

  constructor(private readonly options: MemberAccessOptions) {
    this.scope = new OrganizationScope(options.organizations, options.organization);
    this.credentials = new AssumedRoleCredentials(options.sts, { sessionName: options.sessionName, ...(options.now && { now: options.now }) });
  }

  /** The member context of an event's account and region; an `OutOfScopeError` when they are not watched. */
  async enter(accountId: string, region: string): Promise<MemberContext> {
    const account = await this.scope.check(accountId, region);
    const key = `${accountId}/${region}`;
    let context = this.contexts.get(key);
    if (!context) {
      // Member roles carry their region in the name: IAM names are global, the member stack is per region.
      const roleName = `${this.options.organization.roles[this.options.role]}-${region}`;
      const credentials = this.credentials.provider(memberRoleArn(accountId, roleName, this.options.partition));
      const clients = createAwsClients({ ...this.options.clientOptions, region, credentials });
      const config = new ConfigServiceClient({ region, credentials, maxAttempts: 6, retryMode: 'adaptive', ...(this.options.clientOptions?.requestHandler && { requestHandler: this.options.clientOptions.requestHandler }) });
      this.options.clientOptions?.counter?.instrument(config);
      context = { region, clients, config };
      this.contexts.set(key, context);
    }
    return { account, ...context };
  }
}
