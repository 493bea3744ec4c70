import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Client, HttpHandlerOptions, RequestHandler } from '@smithy/types';
import { MissingAwsConfigurationError, NO_REGION_MESSAGE } from '../errors';
import type { ApiCallCounter } from './call-counter';

export interface AwsClientsOptions {
  region: string;
  /** A named profile of the shared AWS config and credentials files (`--profile`). */
  profile?: string;
  /** Defaults to the SDK's standard chain (environment, profile, SSO, instance/container role). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per call, the first included; throttling and transient errors are retried. Default 5. */
  maxAttempts?: number;
  /**
   * `adaptive` (the default) also slows the client down when AWS throttles, so a sweep backs off
   * instead of burning its attempts; `standard` retries with exponential backoff only.
   */
  retryMode?: 'standard' | 'adaptive';
  /** A fixed delay between attempts, in milliseconds, instead of the SDK's backoff (tests use 0). */
  retryDelayMs?: number;
  /** Counts every call and every HTTP attempt each client makes (tests, the benchmark). */
  counter?: ApiCallCounter;
  /** Replaces the HTTP transport (tests and the benchmark answer requests without a network). */
  requestHandler?: RequestHandler<any, any, HttpHandlerOptions>;
}

const DEFAULT_MAX_ATTEMPTS = 5;

type AnyClient = Client<any, any, any>;

/**
 * The SDK clients driftwarden reads an account with, for one region. Each is created on first use,
 * so a scan of one resource type loads and configures only the client it needs.
 */
export class AwsClients {
  readonly region: string;
  private readonly options: AwsClientsOptions;
  private readonly created = new Map<string, AnyClient>();

  constructor(options: AwsClientsOptions) {
    if (!options.region) {
      throw new MissingAwsConfigurationError(NO_REGION_MESSAGE);
    }
    this.region = options.region;
    this.options = options;
  }

  get ec2(): EC2Client {
    return this.client('ec2', (config) => new EC2Client(config));
  }
  get rds(): RDSClient {
    return this.client('rds', (config) => new RDSClient(config));
  }
  get s3(): S3Client {
    // A bucket read by name (remediation re-read) may live in another region than the client's.
    return this.client('s3', (config) => new S3Client({ ...config, followRegionRedirects: true }));
  }
  get sns(): SNSClient {
    return this.client('sns', (config) => new SNSClient(config));
  }
  get logs(): CloudWatchLogsClient {
    return this.client('logs', (config) => new CloudWatchLogsClient(config));
  }
  get efs(): EFSClient {
    return this.client('efs', (config) => new EFSClient(config));
  }
  get secretsManager(): SecretsManagerClient {
    return this.client('secretsManager', (config) => new SecretsManagerClient(config));
  }
  get kms(): KMSClient {
    return this.client('kms', (config) => new KMSClient(config));
  }
  /** Tags of S3 buckets, SNS topics and log groups in one paginated listing instead of one call each. */
  get tagging(): ResourceGroupsTaggingAPIClient {
    return this.client('tagging', (config) => new ResourceGroupsTaggingAPIClient(config));
  }

  /** Closes the HTTP connections of every client created so far. */
  destroy(): void {
    for (const client of this.created.values()) client.destroy();
    this.created.clear();
  }

  private client<C extends AnyClient>(name: string, create: (config: ReturnType<AwsClients['clientConfig']>) => C): C {
    const existing = this.created.get(name);
    if (existing) return existing as C;
    const client = create(this.clientConfig());
    this.options.counter?.instrument(client);
    this.created.set(name, client);
    return client;
  }

  private clientConfig() {
    const { region, profile, credentials, retryDelayMs, requestHandler } = this.options;
    const maxAttempts = this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    return {
      region,
      ...(profile !== undefined && { profile }),
      ...(credentials !== undefined && { credentials }),
      ...(requestHandler !== undefined && { requestHandler }),
      ...(retryDelayMs !== undefined
        ? { retryStrategy: new ConfiguredRetryStrategy(maxAttempts, retryDelayMs) }
        : { maxAttempts, retryMode: this.options.retryMode ?? 'adaptive' }),
    };
  }
}

export function createAwsClients(options: AwsClientsOptions): AwsClients {
  return new AwsClients(options);
}
