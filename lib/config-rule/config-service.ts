import type { ConfigServiceClient, ResourceType as ConfigResourceType } from '@aws-sdk/client-config-service';
import type { Compliance } from '../rule';
import { readConfigurationItem, type ConfigurationItem } from '../sources/config-item';
import type { RecordedResult } from './run';

/** The latest item Config recorded, as an oversized notification tells us to fetch it. */
export async function fetchLatestItem(client: ConfigServiceClient, resourceType: string, resourceId: string): Promise<ConfigurationItem | undefined> {
  const { GetResourceConfigHistoryCommand } = await import('../aws/sdk/config-service');
  const { configurationItems = [] } = await client.send(
    new GetResourceConfigHistoryCommand({ resourceType: resourceType as ConfigResourceType, resourceId, limit: 1 }),
  );
  const [latest] = configurationItems;
  return latest ? readConfigurationItem(latest) : undefined;
}

const RECORDED_COMPLIANCE: Compliance[] = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'];

/** Every verdict Config holds for a rule, 100 per page (the API's maximum). */
export async function* recordedResults(client: ConfigServiceClient, configRuleName: string): AsyncGenerator<RecordedResult[]> {
  const { paginateGetComplianceDetailsByConfigRule } = await import('../aws/sdk/config-service');
  const pages = paginateGetComplianceDetailsByConfigRule({ client, pageSize: 100 }, { ConfigRuleName: configRuleName, ComplianceTypes: RECORDED_COMPLIANCE });
  for await (const page of pages) {
    const results: RecordedResult[] = [];
    for (const result of page.EvaluationResults ?? []) {
      const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
      if (!qualifier?.ResourceType || !qualifier.ResourceId || !result.ComplianceType) continue;
      // One per verdict Config holds: the annotation is assigned rather than spread in conditionally.
      const recorded: RecordedResult = { resourceType: qualifier.ResourceType, resourceId: qualifier.ResourceId, compliance: result.ComplianceType as Compliance };
      if (result.Annotation !== undefined) recorded.annotation = result.Annotation;
      results.push(recorded);
    }
    yield results;
  }
}
