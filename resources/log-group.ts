import type { LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { accountFromArn, pages, TAGGING_PAGE_SIZE, regionTags, tagsOf, type Tags } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type EncryptionProperties, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asString, withoutUndefined } from '../lib/sources/values';
import { encryptionKeySubjects } from './shared';

const PAGE_SIZE = 50;

/** DescribeLogGroups' `arn` ends in `:*`; the tagging API and IAM use the ARN without it. */
function logGroupArn(group: LogGroup): string | undefined {
  return group.logGroupArn ?? group.arn?.replace(/:\*$/, '');
}

/** Log groups are not recorded by AWS Config; their id is the log group name, as CloudFormation and Terraform use. */
function fromApi(group: LogGroup, tags: Tags, context: LiveContext): TypedResource<'AWS::Logs::LogGroup', EncryptionProperties> {
  const arn = logGroupArn(group);
  return withoutUndefined({
    type: 'AWS::Logs::LogGroup' as const,
    id: group.logGroupName!,
    name: group.logGroupName,
    arn,
    accountId: accountFromArn(arn) ?? context.accountId,
    region: context.region,
    tags,
    properties: withoutUndefined({ encrypted: group.kmsKeyId !== undefined, kmsKeyId: group.kmsKeyId }),
  });
}

export default defineResourceType({
  type: 'AWS::Logs::LogGroup',
  label: 'Log group',
  securityHubType: 'Other',
  recordedByConfig: false,
  fromConfigItem(configuration): { properties: EncryptionProperties } {
    const kmsKeyId = asString(configuration.kmsKeyId ?? configuration.KmsKeyId);
    return { properties: { encrypted: kmsKeyId !== undefined, kmsKeyId } };
  },
  live: {
    permissions: ['logs:DescribeLogGroups', 'tag:GetResources'],
    pageSizes: { 'CloudWatchLogs:DescribeLogGroups': PAGE_SIZE, 'ResourceGroupsTaggingAPI:GetResources': TAGGING_PAGE_SIZE },
    async *list(clients, context) {
      const tagsForPage = regionTags(clients, 'logs:log-group');
      const logs = await clients.logs();
      for await (const page of logs.paginateDescribeLogGroups({ client: logs.client }, { limit: PAGE_SIZE })) {
        const groups = page.logGroups ?? [];
        const tags = await tagsForPage(groups);
        yield groups.filter((group) => group.logGroupName).map((group) => fromApi(group, tags.get(logGroupArn(group) ?? '') ?? {}, context));
      }
    },
    async read(clients, id, context) {
      // The prefix can match longer names too; page until the exact one shows up.
      const logs = await clients.logs();
      for await (const page of logs.paginateDescribeLogGroups({ client: logs.client }, { logGroupNamePrefix: id, limit: PAGE_SIZE })) {
        const group = page.logGroups?.find((candidate) => candidate.logGroupName === id);
        if (group) {
          const arn = logGroupArn(group);
          return fromApi(group, arn ? await tagsOf(clients, arn) : {}, context);
        }
      }
      return undefined;
    },
    minimumCalls: ({ resources, tagged }) => ({
      'CloudWatchLogs:DescribeLogGroups': pages(resources, PAGE_SIZE),
      ...(resources > 0 && { 'ResourceGroupsTaggingAPI:GetResources': pages(tagged ?? resources, TAGGING_PAGE_SIZE) }),
    }),
  },
  terraform: {
    resources: { aws_cloudwatch_log_group: (instance, { plan }) => ({ name: asString(instance.values.name), ...plan.encryption(instance, undefined, 'kms_key_id') }) },
    key: (values) => asString(values.name) ?? asString(values.id),
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  consoleUrl: ({ region, resourceId, resourceName }) =>
    `${consoleHost(region)}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${encodeURIComponent(resourceName ?? resourceId)}`,
  arn: () => undefined,
});
