/**
 * The normalised resource model. Every source (an AWS Config configuration item, Describe/List API
 * responses, a Terraform plan) turns what it reads into these shapes, so a rule never knows where a
 * resource came from.
 */

/** The types that store data at rest, which `encryption-at-rest` checks and `enable-encryption` fixes. */
export const ENCRYPTED_RESOURCE_TYPES = [
  'AWS::EC2::Volume',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::S3::Bucket',
  'AWS::SNS::Topic',
  'AWS::Logs::LogGroup',
  'AWS::EFS::FileSystem',
] as const;

export const RESOURCE_TYPES = ['AWS::EC2::VPC', 'AWS::EC2::SecurityGroup', ...ENCRYPTED_RESOURCE_TYPES, 'AWS::SecretsManager::Secret'] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];

export type EncryptedResourceType = (typeof ENCRYPTED_RESOURCE_TYPES)[number];

export function isResourceType(value: string): value is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(value);
}

export interface VpcProperties {
  cidrBlock?: string;
  isDefault?: boolean;
}

/** Where an ingress rule admits traffic from: exactly one of these per rule. */
export type IngressSource =
  | { kind: 'cidr'; cidr: string }
  | { kind: 'securityGroup'; groupId: string }
  | { kind: 'prefixList'; prefixListId: string };

/**
 * One ingress rule with one source, the way `DescribeSecurityGroupRules` sees it. Sources that group
 * several CIDRs under one permission (Config items, inline Terraform blocks) are flattened into one
 * rule per CIDR, so a remediation can revoke one CIDR and keep its neighbours.
 */
export interface IngressRule {
  /** Lower-case protocol name (`tcp`, `udp`, `icmp`, `icmpv6`), `-1` for all traffic, or a protocol number. */
  protocol: string;
  /** Absent for protocols without ports (`-1`, protocol numbers other than tcp/udp). */
  fromPort?: number;
  toPort?: number;
  source: IngressSource;
  /** `sgr-…` when the source knows it (live API); absent in Config items and plans. */
  ruleId?: string;
  description?: string;
}

export interface SecurityGroupProperties {
  groupName?: string;
  vpcId?: string;
  ingress: IngressRule[];
}

/**
 * Encryption at rest, common to every storage type. `encrypted` is undefined when the source cannot
 * say (a value Terraform only knows after apply).
 */
export interface EncryptionProperties {
  encrypted?: boolean;
  /** Key id, key ARN, alias name or alias ARN, as the resource records it. */
  kmsKeyId?: string;
  /** S3 only: `AES256` (SSE-S3), `aws:kms`, `aws:kms:dsse`. */
  algorithm?: string;
}

export interface SecretProperties {
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  automaticallyAfterDays?: number;
  /** `rate(10 days)` or `cron(…)`, when rotation uses a schedule expression. */
  scheduleExpression?: string;
  /** ISO 8601. Absent when the source does not carry it: then a lookup supplies it. */
  lastRotatedDate?: string;
  createdDate?: string;
  /** The service that manages the secret, e.g. `rds` for RDS-managed master passwords. */
  owningService?: string;
  /** False when Secrets Manager reports the last scheduled rotation did not happen (it is failing). */
  rotationOccurringAsScheduled?: boolean;
  /** Scheduled for deletion: nothing to rotate any more. */
  pendingDeletion?: boolean;
}

export interface PropertiesByType {
  'AWS::EC2::VPC': VpcProperties;
  'AWS::EC2::SecurityGroup': SecurityGroupProperties;
  'AWS::EC2::Volume': EncryptionProperties;
  'AWS::RDS::DBInstance': EncryptionProperties;
  'AWS::RDS::DBCluster': EncryptionProperties;
  'AWS::S3::Bucket': EncryptionProperties;
  'AWS::SNS::Topic': EncryptionProperties;
  'AWS::Logs::LogGroup': EncryptionProperties;
  'AWS::EFS::FileSystem': EncryptionProperties;
  'AWS::SecretsManager::Secret': SecretProperties;
}

export interface ResourceOf<T extends ResourceType> {
  type: T;
  /** The id AWS Config uses for the resource (vpc-…, sg-…, bucket name, topic ARN, secret ARN…). */
  id: string;
  name?: string;
  arn?: string;
  accountId?: string;
  region?: string;
  tags: Record<string, string>;
  /** ISO 8601 time the source observed this state (Config: the item's capture time). */
  capturedAt?: string;
  /** Terraform address (`module.vpc.aws_vpc.this`), for resources read from a plan or state. */
  address?: string;
  /** Property names whose values are unknown until apply (Terraform plans). */
  unknown?: string[];
  /** Where the resource is declared: a path relative to the source root, and a 1-based line. */
  file?: string;
  line?: number;
  /** Exemptions written beside the declaration (`# driftwarden:exempt <rule-id> <reason>`): reason by rule id. */
  ruleExemptions?: Record<string, string>;
  properties: PropertiesByType[T];
}

export type Resource = { [T in ResourceType]: ResourceOf<T> }[ResourceType];

export type FlowLogTrafficType = 'ACCEPT' | 'REJECT' | 'ALL';

/** A VPC flow log, as `DescribeFlowLogs` (or a snapshot's `AWS::EC2::FlowLog` item, or Terraform) describes it. */
export interface FlowLog {
  flowLogId: string;
  resourceId: string;
  trafficType?: FlowLogTrafficType;
  /** `ACTIVE` when the flow log exists and runs. Absent when the source cannot say (a plan). */
  status?: string;
  /** `SUCCESS` or `FAILED`; with `FAILED`, `deliverLogsErrorMessage` says why (e.g. "Access error"). */
  deliverLogsStatus?: string;
  deliverLogsErrorMessage?: string;
  destinationType?: string;
  destination?: string;
}

/** The last rotation of a secret, when the resource itself does not carry it. */
export interface SecretRotationState {
  lastRotatedDate?: string;
  createdDate?: string;
}

export type KeyManager = 'AWS' | 'CUSTOMER';
