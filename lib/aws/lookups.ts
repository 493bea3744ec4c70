import type { FlowLog as ApiFlowLog } from '@aws-sdk/client-ec2';
import { groupFlowLogsByVpc, keyManagerOfAlias, type LookupData, type LookupName } from '../lookups';
import type { FlowLog, KeyManager, Resource, SecretRotationState } from '../model';
import { readTime, withoutUndefined } from '../sources/values';
import { hasErrorName } from './aws-errors';
import type { AwsClients } from './clients';
import { chunks, EC2_FILTER_VALUES_MAX, mapWithConcurrency } from './concurrency';
import { resourceTypeDefinition } from '../../resources';

/** What the lookups are loaded for. */
export interface LookupScope {
  /**
   * The resources about to be evaluated: KMS keys and secrets to look up are taken from them, and,
   * unless `allVpcs`, the VPCs whose flow logs are fetched.
   */
  resources: Iterable<Resource>;
  /**
   * A sweep: every flow log of the region in one paginated DescribeFlowLogs, instead of a call
   * filtered by the VPCs in `resources`.
   */
  allVpcs?: boolean;
  /** Per-resource lookups (DescribeKey, DescribeSecret) in flight at once. Default 8. */
  concurrency?: number;
  /**
   * What earlier pages of the same sweep loaded: keys and secrets found here are not asked for
   * again, and the result includes them, so a paged sweep calls DescribeKey once per key in all.
   */
  alreadyLoaded?: LookupData;
}

const DEFAULT_CONCURRENCY = 8;

/** DescribeFlowLogs' largest page. */
export const FLOW_LOGS_PAGE_SIZE = 1000;


/** A flow log is one whatever fields a response leaves out: only the resource it watches is needed to place it. */
function flowLogFromApi(flowLog: ApiFlowLog): FlowLog | undefined {
  if (!flowLog.ResourceId) return undefined;
  return withoutUndefined<FlowLog>({
    flowLogId: flowLog.FlowLogId ?? `(flow log without an id, to ${flowLog.LogDestination ?? flowLog.LogGroupName ?? 'an unnamed destination'})`,
    resourceId: flowLog.ResourceId,
    trafficType: flowLog.TrafficType as FlowLog['trafficType'],
    status: flowLog.FlowLogStatus,
    deliverLogsStatus: flowLog.DeliverLogsStatus,
    deliverLogsErrorMessage: flowLog.DeliverLogsErrorMessage,
    destinationType: flowLog.LogDestinationType,
    destination: flowLog.LogDestination ?? flowLog.LogGroupName,
  });
}

async function loadFlowLogs(clients: AwsClients, vpcIds: readonly string[] | 'all'): Promise<Map<string, FlowLog[]>> {
  const flowLogs: FlowLog[] = [];
  const filters = vpcIds === 'all' ? [undefined] : chunks(vpcIds, EC2_FILTER_VALUES_MAX).map((Values) => [{ Name: 'resource-id', Values }]);
  const ec2 = await clients.ec2();
  for (const Filters of filters) {
    const pages = ec2.paginateDescribeFlowLogs(
      { client: ec2.client },
      { MaxResults: FLOW_LOGS_PAGE_SIZE, ...(Filters && { Filters }) },
    );
    for await (const page of pages) {
      for (const apiFlowLog of page.FlowLogs ?? []) {
        const flowLog = flowLogFromApi(apiFlowLog);
        // Subnet, interface and transit-gateway flow logs share the listing; only VPCs' are kept.
        if (flowLog?.resourceId.startsWith('vpc-')) flowLogs.push(flowLog);
      }
    }
  }
  return groupFlowLogsByVpc(flowLogs);
}

/** What `lookup` must be asked about for `resources`, as each type's catalogue entry says. */
function subjectsOf(lookup: LookupName, resources: readonly Resource[]): string[] {
  const subjects = new Set<string>();
  for (const resource of resources) {
    const subjectsOfResource = resourceTypeDefinition(resource.type)?.lookupSubjects?.[lookup];
    for (const subject of subjectsOfResource?.(resource) ?? []) subjects.add(subject);
  }
  return [...subjects];
}

/** Keys named by the resources that KMS must be asked about (not recognisable as AWS managed by alias). */
function keyIdsOf(resources: readonly Resource[]): string[] {
  return subjectsOf('keyManager', resources).filter((keyId) => keyManagerOfAlias(keyId) === undefined);
}

async function loadKeyManagers(clients: AwsClients, keyIds: readonly string[], concurrency: number): Promise<Map<string, KeyManager>> {
  const managers = await mapWithConcurrency(keyIds, concurrency, async (keyId) => {
    try {
      const kms = await clients.kms();
      const { KeyMetadata } = await kms.client.send(new kms.DescribeKeyCommand({ KeyId: keyId }));
      return KeyMetadata?.KeyManager as KeyManager | undefined;
    } catch (error) {
      // A deleted key is unknown, and the rule says it could not be looked up.
      if (hasErrorName(error, ['NotFoundException'])) return undefined;
      throw error;
    }
  });
  const byKey = new Map<string, KeyManager>();
  keyIds.forEach((keyId, index) => {
    const manager = managers[index];
    if (manager) byKey.set(keyId, manager);
  });
  return byKey;
}

/**
 * Rotation dates for secrets whose resource does not carry them — Config items never do; resources
 * listed with ListSecrets always do, so a live sweep makes no DescribeSecret call.
 */
async function loadSecretRotation(clients: AwsClients, resources: readonly Resource[], concurrency: number): Promise<Map<string, SecretRotationState>> {
  const secretIds = subjectsOf('secretRotation', resources);
  const states = await mapWithConcurrency(secretIds, concurrency, async (secretId) => {
    try {
      const secretsManager = await clients.secretsManager();
      const secret = await secretsManager.client.send(new secretsManager.DescribeSecretCommand({ SecretId: secretId }));
      return { lastRotatedDate: readTime(secret.LastRotatedDate, 'LastRotatedDate'), createdDate: readTime(secret.CreatedDate, 'CreatedDate') };
    } catch (error) {
      if (hasErrorName(error, ['ResourceNotFoundException'])) return undefined;
      throw error;
    }
  });
  const bySecret = new Map<string, SecretRotationState>();
  secretIds.forEach((secretId, index) => {
    const state = states[index];
    if (state) bySecret.set(secretId, withoutUndefined(state));
  });
  return bySecret;
}

/**
 * Loads the lookups named in `needs` for the resources in `scope`, with as few calls as each allows:
 * flow logs in one paginated DescribeFlowLogs (the whole region for a sweep, else filtered by VPC
 * id), DescribeKey once per distinct customer key, DescribeSecret only for secrets lacking dates.
 * A lookup not in `needs` stays unloaded (`undefined`: "could not be looked up").
 */
export async function loadLookups(needs: readonly LookupName[], clients: AwsClients, scope: LookupScope): Promise<LookupData> {
  const resources = [...scope.resources];
  const concurrency = scope.concurrency ?? DEFAULT_CONCURRENCY;
  const data: { -readonly [K in keyof LookupData]: LookupData[K] } = {};
  const wanted = new Set(needs);
  if (wanted.has('flowLogs')) {
    const vpcIds = subjectsOf('flowLogs', resources);
    data.flowLogsByVpc = scope.allVpcs ? await loadFlowLogs(clients, 'all') : vpcIds.length > 0 ? await loadFlowLogs(clients, vpcIds) : new Map();
  }
  const known = scope.alreadyLoaded ?? {};
  if (wanted.has('keyManager')) {
    const keyIds = keyIdsOf(resources).filter((keyId) => !known.keyManagers?.has(keyId));
    data.keyManagers = new Map([...(known.keyManagers ?? []), ...(await loadKeyManagers(clients, keyIds, concurrency))]);
  }
  if (wanted.has('secretRotation')) {
    const pending = resources.filter((resource) => !known.secretRotation?.has(resource.id));
    data.secretRotation = new Map([...(known.secretRotation ?? []), ...(await loadSecretRotation(clients, pending, concurrency))]);
  }
  return data;
}
