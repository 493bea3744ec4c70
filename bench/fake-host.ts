/**
 * The fake AWS endpoint a sweep benchmark talks to, in a process of its own so that the sweep's
 * process measures only its own CPU: `fork('fake-host.js', [ruleId, resources, configRuleName])`. It answers from a
 * synthetic account (bench/sdk-account.ts) with the wire shapes AWS sends and the APIs' largest
 * pages, and keeps what PutEvaluations sends. Messages: `{ latencyMs }` sets the per-call latency,
 * `'reset'` clears the call log, `'calls'` answers the calls by `Service:Operation` and the number
 * of verdicts Config holds.
 */
import { FakeAws, FakeAwsError } from '../test/fake-aws/server';
import { FakeConfigService } from '../test/fake-aws/config-service';
import { buildSdkAccount, page, type SdkAccount } from './sdk-account';
import { REGION } from './synthetic';

/** The SDK's service names, by SigV4 signing name, so counts read as the code's own (`EC2:DescribeVpcs`). */
const SERVICE_NAMES: Record<string, string> = { ec2: 'EC2', secretsmanager: 'SecretsManager', config: 'ConfigService' };

const epochSeconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);
const xmlTags = (tags: { Key?: string; Value?: string }[] | undefined) => tags?.map((tag) => ({ key: tag.Key, value: tag.Value }));

function paged<T>(operation: Parameters<typeof page>[0], items: readonly T[], token: string | undefined, requested: string | number | undefined) {
  try {
    return page(operation, items, token, requested === undefined ? undefined : Number(requested));
  } catch (error) {
    throw new FakeAwsError('InvalidParameterValue', (error as Error).message);
  }
}

export function serveAccount(fake: FakeAws, account: SdkAccount): void {
  fake.on('ec2', 'DescribeVpcs', ({ input }) => {
    const { items, next } = paged('EC2:DescribeVpcs', account.vpcs, input.NextToken, input.MaxResults);
    return {
      vpcSet: items.map((vpc) => ({ vpcId: vpc.VpcId, ownerId: vpc.OwnerId, cidrBlock: vpc.CidrBlock, isDefault: vpc.IsDefault, state: vpc.State, dhcpOptionsId: 'dopt-0abc', instanceTenancy: 'default', tagSet: xmlTags(vpc.Tags) })),
      nextToken: next,
    };
  });
  fake.on('ec2', 'DescribeFlowLogs', ({ input }) => {
    const { items, next } = paged('EC2:DescribeFlowLogs', account.flowLogs, input.NextToken, input.MaxResults);
    return {
      flowLogSet: items.map((log) => ({
        flowLogId: log.FlowLogId,
        resourceId: log.ResourceId,
        trafficType: log.TrafficType,
        flowLogStatus: log.FlowLogStatus,
        deliverLogsStatus: log.DeliverLogsStatus,
        logDestinationType: log.LogDestinationType,
        logGroupName: log.LogGroupName,
        creationTime: log.CreationTime,
        maxAggregationInterval: 600,
        logFormat: '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}',
      })),
      nextToken: next,
    };
  });
  fake.on('secretsmanager', 'ListSecrets', ({ input }) => {
    const { items, next } = paged('SecretsManager:ListSecrets', account.secrets, input.NextToken, input.MaxResults);
    return {
      SecretList: items.map((secret) => ({
        ...secret,
        LastRotatedDate: epochSeconds(secret.LastRotatedDate),
        CreatedDate: epochSeconds(secret.CreatedDate),
        LastChangedDate: epochSeconds(secret.CreatedDate),
        SecretVersionsToStages: { 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111': ['AWSCURRENT'] },
      })),
      ...(next && { NextToken: next }),
    };
  });
}

async function main(): Promise<void> {
  const [ruleId, resources, configRuleName] = process.argv.slice(2);
  const account = buildSdkAccount(ruleId!, Number(resources));
  const fake = await FakeAws.start({ region: REGION });
  const config = new FakeConfigService(fake, { ruleOfToken: () => configRuleName! });
  serveAccount(fake, account);
  process.on('message', (message: unknown) => {
    if (message === 'reset') {
      fake.calls.length = 0;
      process.send!('reset');
    } else if (message === 'calls') {
      const calls: Record<string, number> = {};
      for (const call of fake.calls) {
        const key = `${SERVICE_NAMES[call.service] ?? call.service}:${call.operation}`;
        calls[key] = (calls[key] ?? 0) + 1;
      }
      process.send!({ calls, recorded: config.verdictsOf(configRuleName!).size });
    } else if (typeof message === 'object' && message !== null && 'latencyMs' in message) {
      fake.latencyMs = (message as { latencyMs: number }).latencyMs;
      process.send!('latency');
    }
  });
  process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
  process.send!({ endpoint: fake.endpoint, counts: account.counts });
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
