import type { TableDescription } from '@aws-sdk/client-dynamodb';
import type { AwsClients } from '../lib/aws/clients';
import { mapWithConcurrency } from '../lib/aws/concurrency';
import { accountFromArn, DEFAULT_PER_RESOURCE_CONCURRENCY, pages, TAGGING_PAGE_SIZE, regionTags, tagsOf, unlessGone, type Tags } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type EncryptionProperties, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asArray, asBoolean, asObject, asString, withoutUndefined } from '../lib/sources/values';
import { encryptionKeySubjects } from './shared';

const PAGE_SIZE = 100;

/**
 * DynamoDB encrypts every table. Without an SSE description (or with SSE off) it uses a key DynamoDB
 * owns: encrypted, with no KMS key of the account's, which only `requireCustomerManagedKey` rejects.
 */
function encryption(sseType: string | undefined, kmsKeyArn: string | undefined): EncryptionProperties {
  return sseType === 'KMS' && kmsKeyArn ? { encrypted: true, kmsKeyId: kmsKeyArn } : { encrypted: true };
}

function fromApi(table: TableDescription, tags: Tags, context: LiveContext): TypedResource<'AWS::DynamoDB::Table', EncryptionProperties> {
  return withoutUndefined({
    type: 'AWS::DynamoDB::Table' as const,
    id: table.TableName!,
    name: table.TableName,
    arn: table.TableArn,
    accountId: accountFromArn(table.TableArn) ?? context.accountId,
    region: context.region,
    tags,
    properties: encryption(table.SSEDescription?.SSEType, table.SSEDescription?.KMSMasterKeyArn),
  });
}

async function describeTable(clients: AwsClients, name: string): Promise<TableDescription | undefined> {
  const dynamodb = await clients.dynamodb();
  return unlessGone(['ResourceNotFoundException'], async () => (await dynamodb.client.send(new dynamodb.DescribeTableCommand({ TableName: name }))).Table);
}

export default defineResourceType({
  type: 'AWS::DynamoDB::Table',
  label: 'DynamoDB table',
  securityHubType: 'AwsDynamoDbTable',
  recordedByConfig: true,
  fromConfigItem(configuration, item) {
    const sse = asObject(configuration.ssedescription ?? configuration.sSEDescription);
    return {
      name: item.resourceName ?? asString(configuration.tableName),
      properties: encryption(asString(sse.ssetype ?? sse.sSEType), asString(sse.kmsmasterKeyArn ?? sse.kMSMasterKeyArn)),
    };
  },
  live: {
    permissions: ['dynamodb:ListTables', 'dynamodb:DescribeTable', 'tag:GetResources'],
    pageSizes: { 'DynamoDB:ListTables': PAGE_SIZE, 'ResourceGroupsTaggingAPI:GetResources': TAGGING_PAGE_SIZE },
    async *list(clients, context) {
      const tagsForPage = regionTags(clients, 'dynamodb:table');
      const dynamodb = await clients.dynamodb();
      for await (const page of dynamodb.paginateListTables({ client: dynamodb.client }, { Limit: PAGE_SIZE })) {
        const names = page.TableNames ?? [];
        const tags = await tagsForPage(names);
        const tables = await mapWithConcurrency(names, context.concurrency ?? DEFAULT_PER_RESOURCE_CONCURRENCY, async (name) => {
          const table = await describeTable(clients, name);
          return table && fromApi(table, (table.TableArn && tags.get(table.TableArn)) || {}, context);
        });
        yield tables.filter((table) => table !== undefined);
      }
    },
    async read(clients, id, context) {
      const table = await describeTable(clients, id);
      return table && fromApi(table, table.TableArn ? await tagsOf(clients, table.TableArn) : {}, context);
    },
    minimumCalls: ({ resources, tagged }) => ({
      'DynamoDB:ListTables': pages(resources, PAGE_SIZE),
      ...(resources > 0 && { 'DynamoDB:DescribeTable': resources }),
      ...(resources > 0 && { 'ResourceGroupsTaggingAPI:GetResources': pages(tagged ?? resources, TAGGING_PAGE_SIZE) }),
    }),
  },
  terraform: {
    resources: {
      aws_dynamodb_table(instance, { plan }) {
        const sse = asObject(asArray(instance.values.server_side_encryption)[0]);
        const unknownSse = asObject(asArray(instance.unknown.server_side_encryption)[0]);
        const name = asString(instance.values.name);
        if (asBoolean(sse.enabled) !== true) return { name, properties: { encrypted: true }, unknown: [] };
        // With SSE enabled and no key written, DynamoDB uses the AWS managed key alias/aws/dynamodb.
        const keyPath = ['server_side_encryption', 'kms_key_arn'];
        if (unknownSse.kms_key_arn === true && plan.isWritten(instance, keyPath) !== false) {
          const keyReference = plan.keyReference(instance, keyPath);
          return { name, properties: { encrypted: true, ...(keyReference !== undefined && { kmsKeyId: keyReference }) }, unknown: ['kmsKeyId'] };
        }
        return { name, properties: { encrypted: true, kmsKeyId: asString(sse.kms_key_arn) ?? 'alias/aws/dynamodb' }, unknown: [] };
      },
    },
    key: (values) => asString(values.name) ?? asString(values.id),
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  consoleUrl: ({ region, resourceId }) => `${consoleHost(region)}/dynamodbv2/home?region=${region}#table?name=${encodeURIComponent(resourceId)}`,
  arn: ({ region, accountId, resourceId }) => `arn:aws:dynamodb:${region}:${accountId}:table/${resourceId}`,
});
