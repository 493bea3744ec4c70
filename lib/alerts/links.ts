import { EXEMPT_TAG, EXEMPT_UNTIL_TAG } from '../exemption';
import { consoleHost, type ResourceAddress } from '../resource-type';
import { resourceTypeDefinition } from '../../resources';
import type { Alert } from './alert';

type Where = Pick<Alert, 'resourceType' | 'resourceId' | 'resourceName' | 'arn' | 'accountId' | 'region'>;


/** AWS Config's own page for a resource: works for every recorded type, so it is the fallback. */
export function configResourceUrl(where: Where): string {
  const query = new URLSearchParams({ resourceId: where.resourceId, resourceType: where.resourceType });
  return `${consoleHost(where.region)}/config/home?region=${where.region}#/resources/details?${query}`;
}

export function configRuleUrl(alert: Pick<Alert, 'configRuleName' | 'region'>): string {
  return `${consoleHost(alert.region)}/config/home?region=${alert.region}#/rules/details?configRuleName=${encodeURIComponent(alert.configRuleName)}`;
}

export function cloudTrailEventUrl(region: string, eventId: string): string {
  return `${consoleHost(region)}/cloudtrailv2/home?region=${region}#/events/${encodeURIComponent(eventId)}`;
}

function addressOf(where: Where): ResourceAddress {
  return { resourceId: where.resourceId, region: where.region, ...(where.resourceName !== undefined && { resourceName: where.resourceName }), ...(where.accountId !== undefined && { accountId: where.accountId }) };
}

/** The resource's page in its own service console, or AWS Config's page when the service page needs what we lack. */
export function resourceConsoleUrl(where: Where): string {
  return resourceTypeDefinition(where.resourceType)?.consoleUrl(addressOf(where)) ?? configResourceUrl(where);
}

/** The resource's ARN: recorded, or built from the id where the id is enough. */
export function resourceArn(where: Where): string | undefined {
  if (where.arn) return where.arn;
  return resourceTypeDefinition(where.resourceType)?.arn(addressOf(where));
}

/** The command that exempts the resource: a tag with the reason, and an end date so it cannot be forgotten. */
export function exemptionCommand(where: Where): string {
  const arn = resourceArn(where) ?? `<ARN of ${where.resourceId}>`;
  return (
    `aws resourcegroupstaggingapi tag-resources --region ${where.region} --resource-arn-list ${arn} ` +
    `--tags '${EXEMPT_TAG}=<reason>,${EXEMPT_UNTIL_TAG}=<YYYY-MM-DD>'`
  );
}
