
export type FlowLogTrafficType = 'ACCEPT' | 'REJECT' | 'ALL';

/**
 * Whether a flow log fails to deliver: `DeliverLogsStatus: FAILED`, or an error message ("Access
 * error", "Rate limited") even where the status field is missing from the response.
 */
export function isDeliveryFailing(flowLog: { deliverLogsStatus?: string; deliverLogsErrorMessage?: string }): boolean {
  return flowLog.deliverLogsStatus === 'FAILED' || (flowLog.deliverLogsErrorMessage !== undefined && flowLog.deliverLogsErrorMessage !== '');
}

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

/**
 * What a rule may need beyond the resource itself. Lookups are synchronous: whoever runs a rule
 * loads their data first (one paginated call for a whole sweep, a filtered call for one resource),
 * so `evaluate()` stays pure and fast. `undefined` always means "could not be looked up" — a rule
 * says so instead of guessing.
 */
export interface Lookups {
  flowLogs(vpcId: string): readonly FlowLog[] | undefined;
  secretRotation(secretId: string): SecretRotationState | undefined;
  keyManager(kmsKeyId: string): KeyManager | undefined;
}

export type LookupName = keyof Lookups;

/** The IAM actions loading each lookup calls (`lib/aws/lookups.ts`); a rule is granted those of the lookups it declares. */
const LOOKUP_PERMISSIONS: Record<LookupName, readonly string[]> = {
  flowLogs: ['ec2:DescribeFlowLogs'],
  keyManager: ['kms:DescribeKey'],
  secretRotation: ['secretsmanager:DescribeSecret'],
};

export function lookupPermissions(lookup: LookupName): string[] {
  return [...LOOKUP_PERMISSIONS[lookup]];
}

export interface LookupData {
  flowLogsByVpc?: ReadonlyMap<string, readonly FlowLog[]>;
  secretRotation?: ReadonlyMap<string, SecretRotationState>;
  keyManagers?: ReadonlyMap<string, KeyManager>;
}

/** AWS-managed keys are recognisable by alias (`alias/aws/sns`) without asking KMS. */
export const AWS_MANAGED_ALIAS = /(^|:)alias\/aws\//;

/**
 * Who manages the key an alias names, without asking KMS: `alias/aws/…` is reserved for AWS managed
 * keys, and every other alias can only point at a customer managed key. Undefined for a key id or ARN.
 */
export function keyManagerOfAlias(kmsKeyId: string): KeyManager | undefined {
  if (AWS_MANAGED_ALIAS.test(kmsKeyId)) return 'AWS';
  return /(^|:)alias\//.test(kmsKeyId) ? 'CUSTOMER' : undefined;
}

export function createLookups(data: LookupData): Lookups {
  return {
    // A loaded flow-log listing that has nothing for this VPC means "no flow logs", not "unknown".
    flowLogs: (vpcId) => (data.flowLogsByVpc ? (data.flowLogsByVpc.get(vpcId) ?? []) : undefined),
    secretRotation: (secretId) => data.secretRotation?.get(secretId),
    keyManager: (kmsKeyId) => keyManagerOfAlias(kmsKeyId) ?? data.keyManagers?.get(kmsKeyId),
  };
}

export function groupFlowLogsByVpc(flowLogs: Iterable<FlowLog>): Map<string, FlowLog[]> {
  const byVpc = new Map<string, FlowLog[]>();
  for (const flowLog of flowLogs) {
    const list = byVpc.get(flowLog.resourceId);
    if (list) list.push(flowLog);
    else byVpc.set(flowLog.resourceId, [flowLog]);
  }
  return byVpc;
}

/** The regions' maps of one lookup merged; absent when no region loaded it, so rules say it could not be looked up. */
function mergeMaps<K, V>(maps: readonly (ReadonlyMap<K, V> | undefined)[]): Map<K, V> | undefined {
  const loaded = maps.filter((map): map is ReadonlyMap<K, V> => map !== undefined);
  return loaded.length > 0 ? new Map(loaded.flatMap((map) => [...map])) : undefined;
}

/** The lookups of several regions of one account in one; a lookup no region loaded stays absent (unknown). */
export function mergeLookupData(data: readonly LookupData[]): LookupData {
  const flowLogsByVpc = mergeMaps(data.map((region) => region.flowLogsByVpc));
  const secretRotation = mergeMaps(data.map((region) => region.secretRotation));
  const keyManagers = mergeMaps(data.map((region) => region.keyManagers));
  return { ...(flowLogsByVpc && { flowLogsByVpc }), ...(secretRotation && { secretRotation }), ...(keyManagers && { keyManagers }) };
}
