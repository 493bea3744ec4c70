import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Client, HttpHandlerOptions, RequestHandler } from '@smithy/types';
import { DEFAULT_MAX_ATTEMPTS, forManyCalls, onFirstUse, timedRequestHandler, type CallTimeouts, type Service } from './client-config';
import { MissingAwsConfigurationError, NO_REGION_MESSAGE } from '../errors';
import type { ApiCallCounter } from './call-counter';

export interface AwsClientsOptions {
  region: string;
  /** A named profile of the shared AWS config and credentials files (`--profile`). */
  profile?: string;
  /** Defaults to the SDK's standard chain (environment, profile, SSO, instance/container role). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per call, the first included; throttling, transient errors and timeouts are retried. Default 4. */
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
  /** Timeouts of the default transport; tests shorten them. */
  timeouts?: CallTimeouts;
  /** Sends every call here instead of AWS (the fake endpoint of the fault-injection tests). */
  endpoint?: string;
}

type AnyClient = Client<any, any, any>;

type ClientConfig = Awaited<ReturnType<AwsClients['clientConfig']>>;

/**
 * The SDK clients driftwarden reads an account with, for one region. Each service is loaded and
 * its client created on first use (`await clients.ec2()`), so importing the catalogue (labels,
 * Config items, Terraform mappings, console links) loads no SDK code, and a scan of one resource
 * type loads only the service it reads.
 */
export class AwsClients {
  readonly region: string;
  private readonly options: AwsClientsOptions;
  private readonly created: AnyClient[] = [];

  readonly ec2 = this.service(() => import('./sdk/ec2'), (sdk, config) => new sdk.EC2Client(config));
  readonly rds = this.service(() => import('./sdk/rds'), (sdk, config) => new sdk.RDSClient(config));
  // A bucket read by name (remediation re-read) may live in another region than the client's.
  readonly s3 = this.service(() => import('./sdk/s3'), (sdk, config) => new sdk.S3Client({ ...config, followRegionRedirects: true }));
  readonly sns = this.service(() => import('./sdk/sns'), (sdk, config) => new sdk.SNSClient(config));
  readonly logs = this.service(() => import('./sdk/cloudwatch-logs'), (sdk, config) => new sdk.CloudWatchLogsClient(config));
  readonly efs = this.service(() => import('./sdk/efs'), (sdk, config) => new sdk.EFSClient(config));
  readonly secretsManager = this.service(() => import('./sdk/secrets-manager'), (sdk, config) => new sdk.SecretsManagerClient(config));
  readonly sqs = this.service(() => import('./sdk/sqs'), (sdk, config) => new sdk.SQSClient(config));
  readonly dynamodb = this.service(() => import('./sdk/dynamodb'), (sdk, config) => new sdk.DynamoDBClient(config));
  readonly elastiCache = this.service(() => import('./sdk/elasticache'), (sdk, config) => new sdk.ElastiCacheClient(config));
  readonly kinesis = this.service(() => import('./sdk/kinesis'), (sdk, config) => new sdk.KinesisClient(config));
  readonly ecr = this.service(() => import('./sdk/ecr'), (sdk, config) => new sdk.ECRClient(config));
  readonly kms = this.service(() => import('./sdk/kms'), (sdk, config) => new sdk.KMSClient(config));
  /** Tags of buckets, topics, queues, tables, streams, log groups and repositories in one paginated listing instead of one call each. */
  readonly tagging = this.service(() => import('./sdk/resource-groups-tagging-api'), (sdk, config) => new sdk.ResourceGroupsTaggingAPIClient(config));

  constructor(options: AwsClientsOptions) {
    if (!options.region) {
      throw new MissingAwsConfigurationError(NO_REGION_MESSAGE);
    }
    this.region = options.region;
    this.options = options;
  }

  /** Closes the HTTP connections of every client created so far. */
  destroy(): void {
    for (const client of this.created.splice(0)) client.destroy();
  }

  private service<Sdk, C extends AnyClient>(load: () => Promise<Sdk>, create: (sdk: Sdk, config: ClientConfig) => C): () => Promise<Service<Sdk, C>> {
    return onFirstUse(async () => {
      const sdk = await load();
      const client = forManyCalls(create(sdk, await this.clientConfig()));
      this.options.counter?.instrument(client);
      this.created.push(client);
      return { ...sdk, client };
    });
  }

  private async clientConfig() {
    const { region, profile, credentials, retryDelayMs, requestHandler, endpoint } = this.options;
    const maxAttempts = this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    // Loaded only when asked for (tests, the benchmark), so a function does not compile it at start.
    const fixedDelay = retryDelayMs === undefined ? undefined : new (await import('@smithy/core/retry')).ConfiguredRetryStrategy(maxAttempts, retryDelayMs);
    // A handler, not options: given options, the Kinesis client would make an HTTP/2 handler of them.
    const { NodeHttpHandler } = await import('@smithy/node-http-handler');
    return {
      region,
      ...(profile !== undefined && { profile }),
      ...(credentials !== undefined && { credentials }),
      ...(endpoint !== undefined && { endpoint }),
      requestHandler: requestHandler ?? new NodeHttpHandler(timedRequestHandler(this.options.timeouts)),
      ...(fixedDelay ? { retryStrategy: fixedDelay } : { maxAttempts, retryMode: this.options.retryMode ?? 'adaptive' }),
    };
  }
}

export function createAwsClients(options: AwsClientsOptions): AwsClients {
  return new AwsClients(options);
}
