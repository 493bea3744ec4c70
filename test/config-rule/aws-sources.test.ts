import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, GetResourceConfigHistoryCommand, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeFlowLogsCommand, DescribeVolumesCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awsRuleRunSources } from '../../lib/config-rule/aws-sources';
import { handleRuleInvocation } from '../../lib/config-rule/handle';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';
import { apiFixture, ACCOUNT, REGION, testClients } from '../aws/helpers';
import { fixture, NOW } from '../helpers';

const config = mockClient(ConfigServiceClient);
const ec2 = mockClient(EC2Client);

function deps() {
  const configClient = new ConfigServiceClient({ region: REGION });
  return {
    rules: RULES,
    settings: parseSettings({}, RULES),
    config: configClient,
    now: () => NOW,
    sources: awsRuleRunSources({ config: configClient, clients: testClients(), region: REGION, accountId: ACCOUNT }),
  };
}

beforeEach(() => {
  config.reset();
  ec2.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
});

describe('Config rule on AWS: scheduled sweep', () => {
  it('lists VPCs page by page, loads every flow log in one listing, and retires vanished VPCs', async () => {
    const vpcs = apiFixture('ec2-describe-vpcs.json').Vpcs;
    ec2
      .on(DescribeVpcsCommand)
      .resolvesOnce({ Vpcs: vpcs.slice(0, 1), NextToken: 'page-2' })
      .resolves({ Vpcs: vpcs.slice(1) });
    ec2.on(DescribeFlowLogsCommand).resolves(apiFixture('config/api-describe-flow-logs.json'));
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        {
          EvaluationResultIdentifier: {
            EvaluationResultQualifier: { ConfigRuleName: 'driftwarden-dev-vpc-flow-logs', ResourceType: 'AWS::EC2::VPC', ResourceId: 'vpc-0deadbeef0000000' },
            OrderingTimestamp: new Date('2025-06-01T00:00:00Z'),
          },
          ComplianceType: 'NON_COMPLIANT',
          Annotation: 'VPC has no flow log.',
        },
      ],
    });

    const outcome = await handleRuleInvocation(fixture('config/event-scheduled-vpc.json'), deps());

    expect(ec2).toHaveReceivedCommandTimes(DescribeVpcsCommand, 2);
    expect(ec2).toHaveReceivedCommandTimes(DescribeFlowLogsCommand, 1);
    expect(config).toHaveReceivedCommandWith(GetComplianceDetailsByConfigRuleCommand, { ConfigRuleName: 'driftwarden-dev-vpc-flow-logs', Limit: 100 });
    const reported = config.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations!);
    expect(reported).toContainEqual(expect.objectContaining({ ComplianceResourceId: 'vpc-0deadbeef0000000', ComplianceType: 'NOT_APPLICABLE' }));
    expect(reported).toHaveLength(vpcs.length + 1);
    expect(outcome.reported.NOT_APPLICABLE).toBe(1);
  });
});

describe('Config rule on AWS: sweep lookups', () => {
  const kms = mockClient(KMSClient);
  const rds = mockClient(RDSClient);
  const s3 = mockClient(S3Client);
  const sns = mockClient(SNSClient);
  const logs = mockClient(CloudWatchLogsClient);
  const efs = mockClient(EFSClient);
  const tagging = mockClient(ResourceGroupsTaggingAPIClient);
  const sqs = mockClient(SQSClient);
  const dynamodb = mockClient(DynamoDBClient);
  const elastiCache = mockClient(ElastiCacheClient);
  const kinesis = mockClient(KinesisClient);
  const ecr = mockClient(ECRClient);

  beforeEach(() => {
    for (const mock of [kms, rds, s3, sns, logs, efs, tagging, sqs, dynamodb, elastiCache, kinesis, ecr]) mock.reset();
    // Every other storage type is empty in this account.
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] }).on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
    s3.on(ListBucketsCommand).resolves({ Buckets: [] });
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    efs.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    sqs.on(ListQueuesCommand).resolves({ QueueUrls: [] });
    dynamodb.on(ListTablesCommand).resolves({ TableNames: [] });
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [] });
    kinesis.on(ListStreamsCommand).resolves({ StreamNames: [], HasMoreStreams: false });
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [] });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  });

  it('asks KMS about each key once per sweep, however many pages name it', async () => {
    const volumes = apiFixture('ec2-describe-volumes.json').Volumes;
    const encrypted = volumes.find((volume: { Encrypted: boolean }) => volume.Encrypted);
    ec2
      .on(DescribeVolumesCommand)
      .resolvesOnce({ Volumes: volumes, NextToken: 'page-2' })
      .resolvesOnce({ Volumes: [{ ...encrypted, VolumeId: 'vol-0aaaabbbbccccdddd' }], NextToken: 'page-3' })
      .resolves({ Volumes: [{ ...encrypted, VolumeId: 'vol-0eeeeffff00001111' }] });
    kms.on(DescribeKeyCommand).resolves(apiFixture('kms-describe-key.json'));
    const event = {
      ...fixture('config/event-scheduled-vpc.json'),
      configRuleName: 'driftwarden-dev-encryption-at-rest',
      ruleParameters: JSON.stringify({ requireCustomerManagedKey: 'true' }),
    };

    const outcome = await handleRuleInvocation(event, deps());

    expect(ec2).toHaveReceivedCommandTimes(DescribeVolumesCommand, 3);
    expect(kms).toHaveReceivedCommandTimes(DescribeKeyCommand, 1);
    expect(kms).toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: encrypted.KmsKeyId });
    // The key is customer managed on every page, not only on the page that looked it up.
    expect(outcome.reported).toEqual({ COMPLIANT: 3, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 });
  });
});

describe('Config rule on AWS: oversized item', () => {
  it('fetches the latest item from the configuration history', async () => {
    config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: fixture('config/api-get-resource-config-history-sg.json').configurationItems });
    await handleRuleInvocation(fixture('config/event-oversized-sg.json'), deps());
    expect(config).toHaveReceivedCommandWith(GetResourceConfigHistoryCommand, { resourceType: 'AWS::EC2::SecurityGroup', resourceId: 'sg-0f1e2d3c4b5a69788', limit: 1 });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, { Evaluations: [expect.objectContaining({ ComplianceType: 'NON_COMPLIANT' })] });
  });
});
