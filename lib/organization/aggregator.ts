import { SelectAggregateResourceConfigCommand, type ConfigServiceClient } from '@aws-sdk/client-config-service';
import { describeAwsError, hasErrorName } from '../aws/aws-errors';
import { DriftwardenError, InputFormatError } from '../errors';
import type { AnyRule } from '../rule';
import { readSnapshot } from '../sources/snapshot';
import type { SourceResult } from '../sources/source';

/** SelectAggregateResourceConfig's largest page. */
export const AGGREGATOR_PAGE_SIZE = 100;

/** The configuration item fields the Config-item reader uses, whole (`configuration`, not a few of its properties). */
const ITEM_FIELDS = ['resourceId', 'resourceType', 'resourceName', 'arn', 'accountId', 'awsRegion', 'configurationItemStatus', 'configurationItemCaptureTime', 'configuration', 'supplementaryConfiguration', 'tags'];

/** The resource types to read: the rules' own, and flow logs when a rule looks them up (as a snapshot carries them). */
export function aggregatorResourceTypes(rules: readonly AnyRule[]): string[] {
  const types = new Set<string>(rules.flatMap((rule) => rule.resourceTypes));
  if (rules.some((rule) => rule.lookups.includes('flowLogs'))) types.add('AWS::EC2::FlowLog');
  return [...types].sort();
}

/** The advanced query: the full recorded configuration of every resource of those types, in every account and region the aggregator covers. */
export function aggregatorQuery(resourceTypes: readonly string[]): string {
  return `SELECT ${ITEM_FIELDS.join(', ')} WHERE resourceType IN (${resourceTypes.map((type) => `'${type}'`).join(', ')})`;
}

/**
 * The organization's recorded configuration items from an AWS Config aggregator, read in the
 * aggregator's account with the caller's own credentials (no role is assumed in member accounts),
 * page by page, then read like a Config snapshot.
 */
export async function readAggregator(config: ConfigServiceClient, aggregator: string, rules: readonly AnyRule[]): Promise<SourceResult> {
  const expression = aggregatorQuery(aggregatorResourceTypes(rules));
  const items: unknown[] = [];
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await config.send(new SelectAggregateResourceConfigCommand({ ConfigurationAggregatorName: aggregator, Expression: expression, Limit: AGGREGATOR_PAGE_SIZE, ...(nextToken && { NextToken: nextToken }) }));
    } catch (error) {
      if (hasErrorName(error, ['NoSuchConfigurationAggregatorException'])) {
        throw new DriftwardenError(`No AWS Config aggregator named "${aggregator}" in this account and region; list them with \`aws configservice describe-configuration-aggregators\`.`, { cause: error });
      }
      throw new DriftwardenError(`Cannot query the AWS Config aggregator "${aggregator}": ${describeAwsError(error)}`, { cause: error });
    }
    for (const [index, result] of (page.Results ?? []).entries()) {
      try {
        items.push(JSON.parse(result));
      } catch (error) {
        throw new InputFormatError(`Aggregator "${aggregator}": result ${items.length + index} is not JSON`, { cause: error });
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return readSnapshot(items, { kind: 'aggregator', aggregator });
}
