import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeFlowLogsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetBucketEncryptionCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { DescribeStreamSummaryCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { apiFixture, awsError } from '../aws/helpers';

/**
 * One small account (eu-west-1) answered from the API fixtures: the same resources as the
 * configuration-item fixtures. Create once per test file (each mock wraps its client class).
 */
export function mockAccount() {
  const mocks = {
    ec2: mockClient(EC2Client),
    rds: mockClient(RDSClient),
    s3: mockClient(S3Client),
    sns: mockClient(SNSClient),
    logs: mockClient(CloudWatchLogsClient),
    efs: mockClient(EFSClient),
    secrets: mockClient(SecretsManagerClient),
    kms: mockClient(KMSClient),
    tagging: mockClient(ResourceGroupsTaggingAPIClient),
    sqs: mockClient(SQSClient),
    dynamodb: mockClient(DynamoDBClient),
    elastiCache: mockClient(ElastiCacheClient),
    kinesis: mockClient(KinesisClient),
    ecr: mockClient(ECRClient),
  };
  const answer = () => {
    Object.values(mocks).forEach((mock) => mock.reset());
    const { ec2, rds, s3, sns, logs, efs, secrets, kms, tagging, sqs, dynamodb, elastiCache, kinesis, ecr } = mocks;
    ec2.on(DescribeVpcsCommand).resolves(apiFixture('ec2-describe-vpcs.json'));
    ec2.on(DescribeSecurityGroupsCommand).resolves(apiFixture('config/api-describe-security-groups.json'));
    ec2.on(DescribeSecurityGroupRulesCommand).resolves(apiFixture('config/api-describe-security-group-rules.json'));
    ec2.on(DescribeVolumesCommand).resolves(apiFixture('ec2-describe-volumes.json'));
    ec2.on(DescribeFlowLogsCommand).resolves(apiFixture('config/api-describe-flow-logs.json'));
    rds.on(DescribeDBInstancesCommand).resolves(apiFixture('rds-describe-db-instances.json'));
    rds.on(DescribeDBClustersCommand).resolves(apiFixture('rds-describe-db-clusters.json'));
    s3.on(ListBucketsCommand).resolves(apiFixture('s3-list-buckets.json'));
    s3.on(GetBucketEncryptionCommand, { Bucket: 'driftwarden-dev-artifacts-123456789012' }).resolves(apiFixture('s3-get-bucket-encryption-sse-s3.json'));
    s3.on(GetBucketEncryptionCommand, { Bucket: 'driftwarden-dev-reports-123456789012' }).resolves(apiFixture('s3-get-bucket-encryption-sse-kms.json'));
    s3.on(GetBucketEncryptionCommand, { Bucket: 'driftwarden-dev-legacy-123456789012' }).rejects(
      awsError('ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found', 404),
    );
    sns.on(ListTopicsCommand).resolves(apiFixture('sns-list-topics.json'));
    sns.on(GetTopicAttributesCommand, { TopicArn: 'arn:aws:sns:eu-west-1:123456789012:driftwarden-dev-alerts' }).resolves(apiFixture('sns-get-topic-attributes-no-kms.json'));
    sns.on(GetTopicAttributesCommand, { TopicArn: 'arn:aws:sns:eu-west-1:123456789012:driftwarden-dev-alerts-encrypted' }).resolves(apiFixture('sns-get-topic-attributes-kms.json'));
    logs.on(DescribeLogGroupsCommand).resolves(apiFixture('logs-describe-log-groups.json'));
    efs.on(DescribeFileSystemsCommand).resolves(apiFixture('efs-describe-file-systems.json'));
    secrets.on(ListSecretsCommand).resolves(apiFixture('config/api-list-secrets.json'));
    secrets.on(DescribeSecretCommand).resolves(apiFixture('config/api-describe-secret.json'));
    kms.on(DescribeKeyCommand).callsFake((input: { KeyId?: string }) => {
      const key = apiFixture('kms-describe-key.json');
      return { ...key, KeyMetadata: { ...key.KeyMetadata, Arn: input.KeyId, KeyId: input.KeyId?.split('/').pop() } };
    });
    sqs.on(ListQueuesCommand).resolves(apiFixture('sqs-list-queues.json'));
    for (const [queue, answer] of [['orders', 'sse-sqs'], ['payments', 'kms'], ['legacy-jobs', 'unencrypted']]) {
      sqs.on(GetQueueAttributesCommand, { QueueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/driftwarden-dev-${queue}` }).resolves(apiFixture(`sqs-get-queue-attributes-${answer}.json`));
    }
    dynamodb.on(ListTablesCommand).resolves(apiFixture('dynamodb-list-tables.json'));
    dynamodb.on(DescribeTableCommand, { TableName: 'driftwarden-dev-sessions' }).resolves(apiFixture('dynamodb-describe-table-owned-key.json'));
    dynamodb.on(DescribeTableCommand, { TableName: 'driftwarden-dev-ledger' }).resolves(apiFixture('dynamodb-describe-table-kms.json'));
    elastiCache.on(DescribeReplicationGroupsCommand).resolves(apiFixture('elasticache-describe-replication-groups.json'));
    kinesis.on(ListStreamsCommand).resolves(apiFixture('kinesis-list-streams.json'));
    kinesis.on(DescribeStreamSummaryCommand, { StreamName: 'driftwarden-dev-clicks' }).resolves(apiFixture('kinesis-describe-stream-summary-none.json'));
    kinesis.on(DescribeStreamSummaryCommand, { StreamName: 'driftwarden-dev-audit' }).resolves(apiFixture('kinesis-describe-stream-summary-kms.json'));
    ecr.on(DescribeRepositoriesCommand).resolves(apiFixture('ecr-describe-repositories.json'));
    // Types whose resources carry no tags here: the tagging API answers with an empty page.
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    tagging.on(GetResourcesCommand, { ResourceTypeFilters: ['s3'] }).resolves(apiFixture('tagging-get-resources-s3.json'));
    tagging.on(GetResourcesCommand, { ResourceTypeFilters: ['sns:topic'] }).resolves(apiFixture('tagging-get-resources-sns.json'));
    tagging.on(GetResourcesCommand, { ResourceTypeFilters: ['logs:log-group'] }).resolves(apiFixture('tagging-get-resources-logs.json'));
  };
  return { mocks, answer };
}
