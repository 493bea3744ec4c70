import { evaluateResource, type Evaluation } from '../lib/evaluate';
import { createLookups, type LookupData } from '../lib/lookups';
import type { FlowLog, Resource, ResourceType } from '../lib/model';
import { parseRuleParameters, recordedResourceTypes, type AnyRule } from '../lib/rule';
import type { RuleInvocation } from '../lib/config-rule/invocation';
import { runRuleInvocation, type RecordedResult, type RuleRunSources } from '../lib/config-rule/run';
import { RULES } from '../rules';
import { BENCH_NOW, flowLogsFor, random, secret, storage, storageTypeOf, vpc, vpcId } from './synthetic';

/** AWS Config rule evaluations, per region and month: $0.001 for the first 100,000, $0.0008 to 500,000, $0.0005 beyond. */
export function evaluationCost(evaluations: number): number {
  const tiers = [
    { upTo: 100_000, price: 0.001 },
    { upTo: 500_000, price: 0.0008 },
    { upTo: Infinity, price: 0.0005 },
  ];
  let cost = 0;
  let from = 0;
  for (const { upTo, price } of tiers) {
    if (evaluations <= from) break;
    cost += (Math.min(evaluations, upTo) - from) * price;
    from = upTo;
  }
  return Math.round(cost * 100) / 100;
}

export interface BillingScenario {
  resources: number;
  dailyChangeRate: number;
  days: number;
  /** How the account's resources divide between the periodic rules. */
  composition: Record<string, number>;
}

export interface BilledMonth {
  /** Evaluations the periodic sweeps reported. */
  sweepEvaluations: number;
  /** Evaluations of configuration changes (the same in both modes: each change is evaluated once per rule). */
  changeEvaluations: number;
  total: number;
  costUsd: number;
  /** Sweep evaluations of secrets whose verdict stood but whose annotation (its age in days) moved. */
  annotationOnlyReports: number;
}

export interface BillingResult {
  scenario: BillingScenario;
  costAware: BilledMonth;
  naive: BilledMonth;
  savedEvaluations: number;
  savedUsd: number;
  /** Config's stored results after the month: identical in both modes (checked). */
  resultsAgree: boolean;
}

const DAY_MS = 86_400_000;
const PAGE = 100;

/**
 * A 10,000-resource account under the three periodic rules, with Config's stored results kept the way
 * AWS Config keeps them (a result stands until it is replaced), changed at `dailyChangeRate` a day.
 */
class SimulatedAccount {
  readonly byRule = new Map<string, Resource[]>();
  readonly flowLogsByVpc = new Map<string, FlowLog[]>();
  readonly stored = new Map<string, Map<string, RecordedResult>>();

  constructor(composition: Record<string, number>, seed: number) {
    const draw = random(seed);
    const vpcs: Resource[] = [];
    for (let i = 0; i < composition['vpc-flow-logs']!; i++) {
      vpcs.push(vpc(i));
      const logs = flowLogsFor(i, draw);
      if (logs.length > 0) this.flowLogsByVpc.set(vpcId(i), logs);
    }
    const storageCount = composition['encryption-at-rest']!;
    const stores: Resource[] = [];
    for (let i = 0; i < storageCount; i++) stores.push(storage(storageTypeOf(i, storageCount), i, draw() >= 0.12, draw));
    const secrets: Resource[] = [];
    for (let i = 0; i < composition['secret-rotation']!; i++) secrets.push(secret(i, draw));
    this.byRule.set('vpc-flow-logs', vpcs);
    this.byRule.set('encryption-at-rest', stores);
    this.byRule.set('secret-rotation', secrets);
    for (const ruleId of this.byRule.keys()) this.stored.set(ruleId, new Map());
  }

  /** Changes one resource so its verdict flips: the costliest kind of change for cost-aware reporting. */
  change(ruleId: string, index: number, now: Date): Resource {
    const resources = this.byRule.get(ruleId)!;
    const resource = resources[index]!;
    let changed: Resource;
    if (resource.type === 'AWS::EC2::VPC') {
      if (this.flowLogsByVpc.has(resource.id)) this.flowLogsByVpc.delete(resource.id);
      else this.flowLogsByVpc.set(resource.id, [{ flowLogId: `fl-new-${index}`, resourceId: resource.id, trafficType: 'ALL', status: 'ACTIVE', deliverLogsStatus: 'SUCCESS' }]);
      changed = { ...resource, capturedAt: now.toISOString() };
    } else if (resource.type === 'AWS::SecretsManager::Secret') {
      changed = { ...resource, capturedAt: now.toISOString(), properties: { ...resource.properties, rotationEnabled: !resource.properties.rotationEnabled } };
    } else if (resource.type !== 'AWS::EC2::SecurityGroup') {
      const encrypted = resource.properties.encrypted === true;
      changed = { ...resource, capturedAt: now.toISOString(), properties: encrypted ? { encrypted: false } : { encrypted: true, kmsKeyId: 'alias/aws/ebs' } } as Resource;
    } else {
      throw new Error('The billing account holds no security groups: public-app-ports has no periodic sweep');
    }
    resources[index] = changed;
    return changed;
  }

  /** Secrets rotate on schedule: their last rotation date moves, their configuration does not. */
  rotateDueSecrets(now: Date): void {
    const secrets = this.byRule.get('secret-rotation')!;
    for (let i = 0; i < secrets.length; i++) {
      const item = secrets[i]!;
      if (item.type !== 'AWS::SecretsManager::Secret') continue;
      const { rotationEnabled, automaticallyAfterDays, lastRotatedDate, rotationOccurringAsScheduled } = item.properties;
      if (!rotationEnabled || automaticallyAfterDays === undefined || rotationOccurringAsScheduled === false) continue;
      const last = lastRotatedDate ? Date.parse(lastRotatedDate) : 0;
      if (now.getTime() - last >= automaticallyAfterDays * DAY_MS) {
        secrets[i] = { ...item, properties: { ...item.properties, lastRotatedDate: now.toISOString() } };
      }
    }
  }

  lookupData(): LookupData {
    return { flowLogsByVpc: this.flowLogsByVpc, secretRotation: new Map(), keyManagers: new Map() };
  }

  record(ruleId: string, evaluations: readonly Evaluation[]): void {
    const stored = this.stored.get(ruleId)!;
    for (const evaluation of evaluations) {
      stored.set(`${evaluation.resourceType}\u0000${evaluation.resourceId}`, {
        resourceType: evaluation.resourceType,
        resourceId: evaluation.resourceId,
        compliance: evaluation.compliance,
        // Config stores an empty annotation as none.
        ...(evaluation.annotation !== '' && { annotation: evaluation.annotation }),
      });
    }
  }

  sources(ruleId: string): RuleRunSources {
    const account = this;
    return {
      fetchItem: async () => undefined,
      loadLookups: async () => account.lookupData(),
      async *listResources(resourceType: ResourceType) {
        const ofType = account.byRule.get(ruleId)!.filter((resource) => resource.type === resourceType);
        for (let start = 0; start < ofType.length; start += PAGE) yield ofType.slice(start, start + PAGE);
      },
      async *recordedResults() {
        const results = [...account.stored.get(ruleId)!.values()];
        for (let start = 0; start < results.length; start += PAGE) yield results.slice(start, start + PAGE);
      },
    };
  }
}

function scheduledInvocation(rule: AnyRule, now: Date): RuleInvocation {
  return {
    configRuleName: `driftwarden-prod-${rule.id}`,
    resultToken: 'bench-token',
    eventLeftScope: false,
    ruleParameters: {},
    invokingEvent: { messageType: 'ScheduledNotification', notificationCreationTime: now.toISOString() },
  };
}

async function simulateMonth(scenario: BillingScenario, costAwareReporting: boolean): Promise<{ billed: BilledMonth; account: SimulatedAccount }> {
  const account = new SimulatedAccount(scenario.composition, 42);
  const changes = random(4242);
  const rules = RULES.filter((rule) => rule.triggers.includes('periodic'));
  const ruleIds = rules.map((rule) => rule.id);
  const billed: BilledMonth = { sweepEvaluations: 0, changeEvaluations: 0, total: 0, costUsd: 0, annotationOnlyReports: 0 };

  // Day 0 is the first sweep after deployment: it records every verdict and is not part of the month.
  for (let day = 0; day <= scenario.days; day++) {
    const now = new Date(BENCH_NOW.getTime() + day * DAY_MS);
    if (day > 0) {
      account.rotateDueSecrets(now);
      const changeCount = Math.round(scenario.resources * scenario.dailyChangeRate);
      for (let c = 0; c < changeCount; c++) {
        let position = Math.floor(changes() * scenario.resources);
        const ruleId = ruleIds.find((id) => (position < scenario.composition[id]! ? true : ((position -= scenario.composition[id]!), false)))!;
        const rule = rules.find((candidate) => candidate.id === ruleId)!;
        const changed = account.change(ruleId, position, now);
        // A recorded type's change reaches its change-triggered rule as a configuration item; log groups only through the sweep.
        if (rule.triggers.includes('change') && recordedResourceTypes(rule).includes(changed.type)) {
          const params = parseRuleParameters(rule, {});
          const evaluation = evaluateResource(rule, params, changed, createLookups(account.lookupData()), now);
          account.record(ruleId, [evaluation]);
          billed.changeEvaluations += 1;
        }
      }
    }
    for (const rule of rules) {
      const before = account.stored.get(rule.id)!;
      const run = await runRuleInvocation(RULES, scheduledInvocation(rule, now), account.sources(rule.id), { now, costAwareReporting });
      if (day > 0) {
        billed.sweepEvaluations += run.evaluations.length;
        for (const evaluation of run.evaluations) {
          const previous = before.get(`${evaluation.resourceType}\u0000${evaluation.resourceId}`);
          if (previous?.compliance === evaluation.compliance && previous.annotation !== evaluation.annotation) billed.annotationOnlyReports += 1;
        }
      }
      account.record(rule.id, run.evaluations);
    }
  }
  billed.total = billed.sweepEvaluations + billed.changeEvaluations;
  billed.costUsd = evaluationCost(billed.total);
  return { billed, account };
}

function sameResults(a: SimulatedAccount, b: SimulatedAccount): boolean {
  for (const [ruleId, stored] of a.stored) {
    const other = b.stored.get(ruleId)!;
    if (other.size !== stored.size) return false;
    for (const [key, result] of stored) {
      const match = other.get(key);
      if (match?.compliance !== result.compliance || match.annotation !== result.annotation) return false;
    }
  }
  return true;
}

export const DEFAULT_BILLING_SCENARIO: BillingScenario = {
  resources: 10_000,
  dailyChangeRate: 0.01,
  days: 30,
  composition: { 'encryption-at-rest': 8_000, 'secret-rotation': 1_500, 'vpc-flow-logs': 500 },
};

/** A month of daily sweeps (TwentyFour_Hours, the default frequency) with and without cost-aware reporting. */
export async function simulateBilling(scenario: BillingScenario = DEFAULT_BILLING_SCENARIO): Promise<BillingResult> {
  const costAware = await simulateMonth(scenario, true);
  const naive = await simulateMonth(scenario, false);
  return {
    scenario,
    costAware: costAware.billed,
    naive: naive.billed,
    savedEvaluations: naive.billed.total - costAware.billed.total,
    savedUsd: Math.round((naive.billed.costUsd - costAware.billed.costUsd) * 100) / 100,
    resultsAgree: sameResults(costAware.account, naive.account),
  };
}
