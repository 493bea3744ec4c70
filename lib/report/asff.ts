import { UsageError } from '../errors';
import type { Evaluation } from '../evaluate';
import type { ResourceType } from '../model';
import { awsMapping, configManagedRules, ruleDocumentationUrl } from '../rule-catalogue';
import type { AnyRule, Severity } from '../rule';
import type { ScanReport } from '../scan';
import { findingFingerprint } from '../baseline';
import { resourceLabel, verdictOf } from './common';

/**
 * AWS Security Finding Format, one finding per evaluation, as `aws securityhub batch-import-findings
 * --findings file://…` takes them (at most 100 per call). Passed and unknown checks are imported too,
 * as Security Hub's own controls do, so a fixed resource's finding moves to PASSED.
 */

/** The ASFF `Resources[].Type` of each resource type (Security Hub's names; log groups have none). */
const ASFF_RESOURCE_TYPES: Record<ResourceType, string> = {
  'AWS::EC2::VPC': 'AwsEc2Vpc',
  'AWS::EC2::SecurityGroup': 'AwsEc2SecurityGroup',
  'AWS::EC2::Volume': 'AwsEc2Volume',
  'AWS::RDS::DBInstance': 'AwsRdsDbInstance',
  'AWS::RDS::DBCluster': 'AwsRdsDbCluster',
  'AWS::S3::Bucket': 'AwsS3Bucket',
  'AWS::SNS::Topic': 'AwsSnsTopic',
  'AWS::Logs::LogGroup': 'Other',
  'AWS::EFS::FileSystem': 'AwsEfsFileSystem',
  'AWS::SecretsManager::Secret': 'AwsSecretsManagerSecret',
};

const LABELS: Record<Severity, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW' };

const COMPLIANCE_STATUS: Record<Evaluation['compliance'], 'PASSED' | 'FAILED' | 'NOT_AVAILABLE' | 'WARNING'> = {
  COMPLIANT: 'PASSED',
  NON_COMPLIANT: 'FAILED',
  NOT_APPLICABLE: 'NOT_AVAILABLE',
  // Security Hub's WARNING: "some information is missing or this check is not supported for your configuration".
  INSUFFICIENT_DATA: 'WARNING',
};

export interface AsffOptions {
  /** The account and region a finding belongs to when the source does not say (a Terraform plan). */
  accountId?: string;
  region?: string;
  generatedAt: Date;
}

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

export function renderAsff(report: ScanReport, rules: readonly AnyRule[], options: AsffOptions): string {
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const now = options.generatedAt.toISOString();
  const findings = report.evaluations.map((evaluation) => {
    const accountId = evaluation.accountId ?? options.accountId;
    const region = evaluation.region ?? options.region;
    if (accountId === undefined || !/^\d{12}$/.test(accountId)) {
      throw new UsageError(`The asff format needs the 12-digit AWS account the findings belong to; ${describe(evaluation)} has none: pass --account-id.`);
    }
    if (region === undefined) throw new UsageError(`The asff format needs a region; ${describe(evaluation)} has none: pass --region.`);
    const rule = byId.get(evaluation.ruleId);
    const partition = partitionOf(region);
    const verdict = verdictOf(evaluation);
    const title = rule?.title ?? evaluation.ruleId;
    return {
      SchemaVersion: '2018-10-08',
      Id: cut(`driftwarden/${evaluation.ruleId}/${findingFingerprint(evaluation)}`, 512),
      ProductArn: `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`,
      GeneratorId: `driftwarden-${evaluation.ruleId}`,
      AwsAccountId: accountId,
      Types: ['Software and Configuration Checks/AWS Security Best Practices'],
      CreatedAt: evaluation.orderingTimestamp,
      UpdatedAt: now,
      Severity: { Label: verdict === 'finding' || verdict === 'exempt' || verdict === 'baselined' ? LABELS[evaluation.severity] : 'INFORMATIONAL', Original: evaluation.severity },
      Title: cut(`${title}: ${resourceLabel(evaluation)}`, 256),
      Description: cut(`${verdict === 'unknown' ? 'Unknown: ' : ''}${evaluation.annotation}`, 1024),
      Remediation: { Recommendation: { Text: cut(`See the rule's page for the Terraform and console fix.${rule ? ` ${awsMapping(rule)}` : ''}`, 512), Url: ruleDocumentationUrl(evaluation.ruleId) } },
      ProductFields: {
        'driftwarden/RuleId': evaluation.ruleId,
        'driftwarden/Verdict': verdict,
        ...(rule && configManagedRules(rule).length > 0 && { 'driftwarden/ConfigManagedRules': configManagedRules(rule).join(',') }),
        ...(rule?.references.securityHub?.length && { 'driftwarden/SecurityHubControls': rule.references.securityHub.join(',') }),
        ...(evaluation.address && { 'driftwarden/TerraformAddress': evaluation.address }),
        ...(evaluation.exemption && { 'driftwarden/ExemptReason': cut(evaluation.exemption.reason, 2048) }),
      },
      Resources: [
        {
          Type: ASFF_RESOURCE_TYPES[evaluation.resourceType as ResourceType] ?? 'Other',
          Id: evaluation.arn ?? evaluation.resourceId,
          Partition: partition,
          Region: region,
          ...(evaluation.address && { Tags: { 'driftwarden:terraform-address': evaluation.address } }),
        },
      ],
      Compliance: {
        Status: COMPLIANCE_STATUS[evaluation.compliance],
        ...(rule?.references.securityHub?.length && { RelatedRequirements: rule.references.securityHub.map((control) => `AWS Foundational Security Best Practices ${control}`) }),
      },
      Workflow: { Status: verdict === 'exempt' ? 'SUPPRESSED' : verdict === 'baselined' ? 'NOTIFIED' : 'NEW' },
      RecordState: 'ACTIVE',
    };
  });
  return `${JSON.stringify(findings, null, 2)}\n`;
}

function describe(evaluation: Evaluation): string {
  return `${evaluation.resourceType} ${resourceLabel(evaluation)}`;
}
