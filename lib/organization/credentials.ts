import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { describeAwsError } from '../aws/aws-errors';
import { MemberAccessError } from '../errors';

export interface CredentialCacheOptions {
  /** Names the session in the member account's CloudTrail: who acted there. */
  sessionName: string;
  /** Credentials this close to expiry are replaced before use, so a long call never starts on dying ones. Default 5 minutes. */
  refreshBeforeMs?: number;
  durationSeconds?: number;
  now?: () => Date;
}

const FIVE_MINUTES = 5 * 60_000;

/**
 * One set of credentials per member role, assumed once and reused until shortly before it expires.
 * Concurrent callers for the same role share one AssumeRole call.
 */
interface CachedCredentials {
  promise: Promise<AwsCredentialIdentity>;
  /** Set once the AssumeRole call has answered. */
  identity?: AwsCredentialIdentity;
}

export class AssumedRoleCredentials {
  private readonly cached = new Map<string, CachedCredentials>();

  constructor(
    private readonly sts: STSClient,
    private readonly options: CredentialCacheOptions,
  ) {}

  /** An SDK credential provider for the role: pass it as a client's `credentials`. */
  provider(roleArn: string): AwsCredentialIdentityProvider {
    return () => this.credentials(roleArn);
  }

  credentials(roleArn: string): Promise<AwsCredentialIdentity> {
    const entry = this.cached.get(roleArn);
    // In flight (shared), or answered and not about to expire.
    if (entry && (entry.identity === undefined || !this.expiresSoon(entry.identity))) return entry.promise;
    const fresh: CachedCredentials = { promise: this.assume(roleArn) };
    this.cached.set(roleArn, fresh);
    fresh.promise.then(
      (identity) => {
        fresh.identity = identity;
      },
      // A failure is not kept: the next caller asks again (a role deployed meanwhile, a throttled call).
      () => {
        if (this.cached.get(roleArn) === fresh) this.cached.delete(roleArn);
      },
    );
    return fresh.promise;
  }

  private expiresSoon(identity: AwsCredentialIdentity): boolean {
    const now = (this.options.now ?? (() => new Date()))().getTime();
    return identity.expiration !== undefined && identity.expiration.getTime() - now <= (this.options.refreshBeforeMs ?? FIVE_MINUTES);
  }

  private async assume(roleArn: string): Promise<AwsCredentialIdentity> {
    const { AssumeRoleCommand } = await import('../aws/sdk/sts');
    let response;
    try {
      response = await this.sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: this.options.sessionName, ...(this.options.durationSeconds !== undefined && { DurationSeconds: this.options.durationSeconds }) }),
      );
    } catch (error) {
      throw new MemberAccessError(`Cannot assume ${roleArn}: ${describeAwsError(error)}`, { cause: error });
    }
    const credentials = response.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new MemberAccessError(`AssumeRole of ${roleArn} returned no credentials`);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken !== undefined && { sessionToken: credentials.SessionToken }),
      ...(credentials.Expiration !== undefined && { expiration: credentials.Expiration }),
    };
  }
}

/** The ARN of a member role; `roleName` may be a path-less name only, as IAM role names are. */
export function memberRoleArn(accountId: string, roleName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}
