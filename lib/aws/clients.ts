import { CloudWatchLogsClient, paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DynamoDBClient, paginateListTables } from '@aws-sdk/client-dynamodb';
import { DescribeSecurityGroupsCommand, DescribeVolumesCommand, DescribeVpcsCommand, EC2Client, paginateDescribeSecurityGroupRules, paginateDescribeSecurityGroups, paginateDescribeVolumes, paginateDescribeVpcs } from '@aws-sdk/client-ec2';
import { DescribeRepositoriesCommand, ECRClient, paginateDescribeRepositories } from '@aws-sdk/client-ecr';
import { DescribeFileSystemsCommand, EFSClient, paginateDescribeFileSystems } from '@aws-sdk/client-efs';
import { DescribeReplicationGroupsCommand, ElastiCacheClient, paginateDescribeReplicationGroups } from '@aws-sdk/client-elasticache';
import { DescribeStreamSummaryCommand, KinesisClient, paginateListStreams } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, paginateDescribeDBClusters, paginateDescribeDBInstances, RDSClient } from '@aws-sdk/client-rds';
import { GetResourcesCommand, paginateGetResources, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetBucketEncryptionCommand, paginateListBuckets, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, paginateListSecrets, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetTopicAttributesCommand, paginateListTopics, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, paginateListQueues, SQSClient } from '@aws-sdk/client-sqs';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Client, HttpHandlerOptions, RequestHandler } from '@smithy/types';
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

/** Attempts per call, the first included. */
export const DEFAULT_MAX_ATTEMPTS = 4;

export interface CallTimeouts {
  /** To open a connection: AWS endpoints accept one in milliseconds; longer means a network fault. */
  connectionMs: number;
  /** For one attempt, from sending to the last byte of the answer: the slowest call made (a 100-evaluation PutEvaluations, a 1,000-item page) answers in a few seconds. */
  requestMs: number;
}

export const DEFAULT_CALL_TIMEOUTS: CallTimeouts = { connectionMs: 3_000, requestMs: 10_000 };

/** The SDK's standard backoff caps each wait at 20 s, but from 100 ms doubling it stays under this for four attempts. */
const BACKOFF_BEFORE_LAST_ATTEMPT_MS = 100 * (2 ** (DEFAULT_MAX_ATTEMPTS - 1) - 1);

/**
 * How long one call can take when AWS never answers it: every attempt timing out, plus backoff.
 * Under a minute, so a stalled call ends an invocation loudly instead of holding it to its limit.
 */
export function worstCaseCallMs(timeouts: CallTimeouts = DEFAULT_CALL_TIMEOUTS, attempts = DEFAULT_MAX_ATTEMPTS): number {
  return attempts * timeouts.requestMs + BACKOFF_BEFORE_LAST_ATTEMPT_MS;
}

/**
 * The HTTP transport of every AWS client. `throwOnRequestTimeout` matters: without it the
 * handler only logs a warning when `requestTimeout` passes and keeps waiting for an answer.
 */
export function timedRequestHandler(timeouts: CallTimeouts = DEFAULT_CALL_TIMEOUTS): NodeHttpHandler {
  return new NodeHttpHandler({ connectionTimeout: timeouts.connectionMs, requestTimeout: timeouts.requestMs, throwOnRequestTimeout: true });
}

/**
 * Configuration for an SDK client made outside AwsClients (the Config, DynamoDB, EventBridge, SNS,
 * SQS and CloudTrail clients of the functions and the CLI): the same timeouts, attempts and
 * adaptive retries. `overrides` wins (a region, a profile, a test endpoint).
 */
export function awsClientConfig<Overrides extends object>(overrides: Overrides = {} as Overrides) {
  return { maxAttempts: DEFAULT_MAX_ATTEMPTS, retryMode: 'adaptive' as const, requestHandler: timedRequestHandler(), ...overrides };
}

type AnyClient = Client<any, any, any>;

/** The name every SDK client gives the middleware that hands each call's input and output to its `logger`. */
const SDK_LOGGING_MIDDLEWARE = 'loggerMiddleware';

/**
 * The commands and paginators the catalogue's live list and read call. Catalogue entries reach them
 * through `AwsClients.sdk` instead of importing them, so that importing the catalogue (labels,
 * Config items, Terraform mappings, console links) loads no SDK code: a plan or snapshot scan
 * starts without it, and a bundle that never creates `AwsClients` (the notifier) does not carry it.
 */
const CATALOGUE_SDK = {
  DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeFileSystemsCommand, DescribeReplicationGroupsCommand, DescribeRepositoriesCommand,
  DescribeSecretCommand, DescribeSecurityGroupsCommand, DescribeStreamSummaryCommand, DescribeTableCommand, DescribeVolumesCommand, DescribeVpcsCommand,
  GetBucketEncryptionCommand, GetQueueAttributesCommand, GetResourcesCommand, GetTopicAttributesCommand,
  paginateDescribeDBClusters, paginateDescribeDBInstances, paginateDescribeFileSystems, paginateDescribeLogGroups, paginateDescribeReplicationGroups,
  paginateDescribeRepositories, paginateDescribeSecurityGroupRules, paginateDescribeSecurityGroups, paginateDescribeVolumes, paginateDescribeVpcs,
  paginateGetResources, paginateListBuckets, paginateListQueues, paginateListSecrets, paginateListStreams, paginateListTables, paginateListTopics,
};

/**
 * The SDK clients driftwarden reads an account with, for one region. Each is created on first use,
 * so a scan of one resource type loads and configures only the client it needs.
 */
export class AwsClients {
  readonly region: string;
  /** The SDK commands and paginators of the catalogue's live reads (see CATALOGUE_SDK). */
  readonly sdk = CATALOGUE_SDK;
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
  get sqs(): SQSClient {
    return this.client('sqs', (config) => new SQSClient(config));
  }
  get dynamodb(): DynamoDBClient {
    return this.client('dynamodb', (config) => new DynamoDBClient(config));
  }
  get elastiCache(): ElastiCacheClient {
    return this.client('elastiCache', (config) => new ElastiCacheClient(config));
  }
  get kinesis(): KinesisClient {
    return this.client('kinesis', (config) => new KinesisClient(config));
  }
  get ecr(): ECRClient {
    return this.client('ecr', (config) => new ECRClient(config));
  }
  get kms(): KMSClient {
    return this.client('kms', (config) => new KMSClient(config));
  }
  /** Tags of buckets, topics, queues, tables, streams, log groups and repositories in one paginated listing instead of one call each. */
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
    // These clients are never given a logger, so the SDK's logging middleware would log to its no-op
    // logger: it still copies every input and output, sensitive fields masked, to hand them to it,
    // which is a few per cent of a sweep's CPU (a 1,000-item page is copied in full).
    client.middlewareStack.remove(SDK_LOGGING_MIDDLEWARE);
    this.options.counter?.instrument(client);
    this.created.set(name, client);
    return client;
  }

  private clientConfig() {
    const { region, profile, credentials, retryDelayMs, requestHandler, endpoint } = this.options;
    const maxAttempts = this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    return {
      region,
      ...(profile !== undefined && { profile }),
      ...(credentials !== undefined && { credentials }),
      ...(endpoint !== undefined && { endpoint }),
      requestHandler: requestHandler ?? timedRequestHandler(this.options.timeouts),
      ...(retryDelayMs !== undefined
        ? { retryStrategy: new ConfiguredRetryStrategy(maxAttempts, retryDelayMs) }
        : { maxAttempts, retryMode: this.options.retryMode ?? 'adaptive' }),
    };
  }
}

export function createAwsClients(options: AwsClientsOptions): AwsClients {
  return new AwsClients(options);
}
