import type { FlowLog, KeyManager, SecretRotationState } from './model';

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

export interface LookupData {
  flowLogsByVpc?: ReadonlyMap<string, readonly FlowLog[]>;
  secretRotation?: ReadonlyMap<string, SecretRotationState>;
  keyManagers?: ReadonlyMap<string, KeyManager>;
}

/** AWS-managed keys are recognisable by alias (`alias/aws/sns`) without asking KMS. */
export const AWS_MANAGED_ALIAS = /(^|:)alias\/aws\//;

export function createLookups(data: LookupData): Lookups {
  return {
    // A loaded flow-log listing that has nothing for this VPC means "no flow logs", not "unknown".
    flowLogs: (vpcId) => (data.flowLogsByVpc ? (data.flowLogsByVpc.get(vpcId) ?? []) : undefined),
    secretRotation: (secretId) => data.secretRotation?.get(secretId),
    keyManager: (kmsKeyId) =>
      AWS_MANAGED_ALIAS.test(kmsKeyId) ? 'AWS' : data.keyManagers?.get(kmsKeyId),
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
