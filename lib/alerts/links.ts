import { EXEMPT_TAG, EXEMPT_UNTIL_TAG } from '../exemption';
import type { Alert } from './alert';

type Where = Pick<Alert, 'resourceType' | 'resourceId' | 'resourceName' | 'arn' | 'accountId' | 'region'>;

function consoleHost(region: string): string {
  return `https://${region}.console.aws.amazon.com`;
}

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

/** The resource's page in its own service console, or AWS Config's page when the service page needs what we lack. */
export function resourceConsoleUrl(where: Where): string {
  const { region, resourceId: id } = where;
  const host = consoleHost(region);
  switch (where.resourceType) {
    case 'AWS::EC2::SecurityGroup':
      return `${host}/ec2/home?region=${region}#SecurityGroup:groupId=${id}`;
    case 'AWS::EC2::VPC':
      return `${host}/vpcconsole/home?region=${region}#VpcDetails:VpcId=${id}`;
    case 'AWS::EC2::Volume':
      return `${host}/ec2/home?region=${region}#VolumeDetails:volumeId=${id}`;
    case 'AWS::S3::Bucket':
      return `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(id)}?region=${region}`;
    case 'AWS::SNS::Topic':
      return `${host}/sns/v3/home?region=${region}#/topic/${id}`;
    case 'AWS::EFS::FileSystem':
      return `${host}/efs/home?region=${region}#/file-systems/${id}`;
    case 'AWS::SecretsManager::Secret':
      return `${host}/secretsmanager/secret?name=${encodeURIComponent(where.resourceName ?? id)}&region=${region}`;
    // RDS pages are addressed by identifier (the Config resource name), not by the db-/cluster- resource id.
    case 'AWS::RDS::DBInstance':
    case 'AWS::RDS::DBCluster':
      if (!where.resourceName) return configResourceUrl(where);
      return `${host}/rds/home?region=${region}#database:id=${encodeURIComponent(where.resourceName)};is-cluster=${where.resourceType === 'AWS::RDS::DBCluster'}`;
    case 'AWS::Logs::LogGroup':
      return `${host}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${encodeURIComponent(where.resourceName ?? id)}`;
    default:
      return configResourceUrl(where);
  }
}

/** The resource's ARN: recorded, or built from the id where the id is enough. */
export function resourceArn(where: Where): string | undefined {
  if (where.arn) return where.arn;
  const { region, accountId, resourceId: id } = where;
  switch (where.resourceType) {
    case 'AWS::EC2::SecurityGroup':
      return `arn:aws:ec2:${region}:${accountId}:security-group/${id}`;
    case 'AWS::EC2::VPC':
      return `arn:aws:ec2:${region}:${accountId}:vpc/${id}`;
    case 'AWS::EC2::Volume':
      return `arn:aws:ec2:${region}:${accountId}:volume/${id}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${id}`;
    case 'AWS::EFS::FileSystem':
      return `arn:aws:elasticfilesystem:${region}:${accountId}:file-system/${id}`;
    case 'AWS::SNS::Topic':
    case 'AWS::SecretsManager::Secret':
      return id.startsWith('arn:') ? id : undefined;
    case 'AWS::RDS::DBInstance':
      return where.resourceName ? `arn:aws:rds:${region}:${accountId}:db:${where.resourceName}` : undefined;
    case 'AWS::RDS::DBCluster':
      return where.resourceName ? `arn:aws:rds:${region}:${accountId}:cluster:${where.resourceName}` : undefined;
    default:
      return undefined;
  }
}

/** The command that exempts the resource: a tag with the reason, and an end date so it cannot be forgotten. */
export function exemptionCommand(where: Where): string {
  const arn = resourceArn(where) ?? `<ARN of ${where.resourceId}>`;
  return (
    `aws resourcegroupstaggingapi tag-resources --region ${where.region} --resource-arn-list ${arn} ` +
    `--tags '${EXEMPT_TAG}=<reason>,${EXEMPT_UNTIL_TAG}=<YYYY-MM-DD>'`
  );
}
