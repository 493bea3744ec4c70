import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { Alert } from '../../lib/alerts/alert';
import { DynamoDedupStore } from '../../lib/alerts/dedup-store';
import { notify, type IncomingEvent } from '../../lib/alerts/notifier';
import { createAwsClients } from '../../lib/aws/clients';
import { awsClientConfig, DEFAULT_MAX_ATTEMPTS, timedRequestHandler } from '../../lib/aws/client-config';
import { reportEvaluations } from '../../lib/config-rule/report';
import { EvaluationDeliveryError, RemediationError } from '../../lib/errors';
import type { Evaluation } from '../../lib/evaluate';
import { findingFromComplianceChange } from '../../lib/finding';
import { createLookups } from '../../lib/lookups';
import { DynamoDbAuditLog } from '../../lib/remediation/dynamodb-audit';
import { remediateFinding } from '../../lib/remediation/remediate';
import { parseSettings } from '../../lib/settings';
import { REMEDIATIONS } from '../../remediations';
import { RULES } from '../../rules';
import { alertContext, manySecurityGroupEvents } from '../alerts/alert-fixtures';
import { FakeConfigService } from '../fake-aws/config-service';
import { FakeAws } from '../fake-aws/server';
import { fixture } from '../helpers';
import { RecordingPublisher } from '../lib/remediation/fakes';
import { liveAppGroup, STACK } from '../remediations/support';

/** The product's timeouts shrunk 50-fold and no waits between attempts: the same attempts, in milliseconds. */
const FAST_TIMEOUTS = { connectionMs: 60, requestMs: 200 };
const fastRetries = () => new ConfiguredRetryStrategy(DEFAULT_MAX_ATTEMPTS, 0);

export interface ChaosScale {
  seed: number;
  invocations: number;
  evaluationsPerInvocation: number;
  alerts: number;
  resources: number;
  eventsPerResource: number;
}

export const REDUCED: ChaosScale = { seed: 13, invocations: 4, evaluationsPerInvocation: 250, alerts: 40, resources: 2, eventsPerResource: 20 };
export const FULL: ChaosScale = { seed: 13, invocations: 40, evaluationsPerInvocation: 550, alerts: 400, resources: 10, eventsPerResource: 20 };

export interface EvaluationFigures {
  sent: number;
  delivered: number;
  /** Not delivered, and the invocation failed with an error naming how many: Config keeps the earlier verdicts and re-invokes. */
  failedLoudly: number;
  /** Not delivered and nobody told: must be 0. */
  lost: number;
  calls: number;
  injectedFaults: number;
}

/** Rule invocations reporting through a faulty Config: throttling, 5xx, resets, stalls and partial failures. */
export async function evaluationChaos(scale: ChaosScale): Promise<EvaluationFigures> {
  const fake = await FakeAws.start({ seed: scale.seed });
  const service = new FakeConfigService(fake, { failedEvaluationRate: 0.05 });
  fake.inject({ fault: 'throttle', operation: 'PutEvaluations', probability: 0.2 });
  fake.inject({ fault: 'server-error', operation: 'PutEvaluations', probability: 0.1 });
  fake.inject({ fault: 'reset', operation: 'PutEvaluations', probability: 0.05 });
  fake.inject({ fault: 'stall', operation: 'PutEvaluations', probability: 0.02 });
  const config = new ConfigServiceClient(awsClientConfig({ ...fake.clientConfig(), requestHandler: timedRequestHandler(FAST_TIMEOUTS), retryStrategy: fastRetries() }));
  const figures: EvaluationFigures = { sent: 0, delivered: 0, failedLoudly: 0, lost: 0, calls: 0, injectedFaults: 0 };
  for (let invocation = 0; invocation < scale.invocations; invocation += 1) {
    const rule = `driftwarden-chaos-rule-${invocation}`;
    const evaluations: Evaluation[] = Array.from({ length: scale.evaluationsPerInvocation }, (_, index) => ({
      ruleId: 'vpc-flow-logs',
      severity: 'medium',
      resourceType: 'AWS::EC2::VPC',
      resourceId: `vpc-${invocation}-${index}`,
      compliance: 'NON_COMPLIANT',
      annotation: 'VPC has no flow log.',
      orderingTimestamp: '2026-01-01T00:00:00.000Z',
    }));
    let failed = false;
    try {
      await reportEvaluations(config, rule, evaluations, { pause: async () => undefined });
    } catch (error) {
      if (!(error instanceof EvaluationDeliveryError)) throw error;
      failed = true;
    }
    const delivered = service.verdictsOf(rule).size;
    figures.sent += evaluations.length;
    figures.delivered += delivered;
    if (failed) figures.failedLoudly += evaluations.length - delivered;
    else figures.lost += evaluations.length - delivered;
  }
  figures.calls = fake.callsOf('PutEvaluations').length;
  figures.injectedFaults = fake.calls.filter((call) => call.fault).length;
  config.destroy();
  await fake.close();
  return figures;
}

export interface AlertFigures {
  events: number;
  /** Every event arrives twice (EventBridge delivers at least once). */
  deliveries: number;
  delivered: number;
  deadLettered: number;
  /** Events that reached Slack more than once: must be 0. */
  doubled: number;
  /** Events neither delivered nor dead-lettered: must be 0. */
  lost: number;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** The notifier under duplicate deliveries, a flaky Slack and a dead-letter queue that sometimes refuses. */
export async function alertChaos(scale: ChaosScale, dynamo: DynamoDBClient): Promise<AlertFigures> {
  const tableName = `chaos-alerts-${scale.seed}-${scale.alerts}`;
  await dynamo.send(
    new CreateTableCommand({ TableName: tableName, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }),
  );
  const random = seeded(scale.seed);
  const settings = parseSettings({ notifications: { digest: { threshold: 1_000_000 } } }, RULES);
  const sentTimes = new Map<string, number>();
  const deadLettered = new Set<string>();
  const store = new DynamoDedupStore(dynamo, { tableName, windowSeconds: 86_400, leaseSeconds: 600 });
  const deps = {
    context: alertContext(settings),
    notifications: settings.notifications,
    store,
    enrich: async (alert: Alert) => alert,
    sendSlack: async (message: { text: string }) => {
      if (random() < 0.15) throw new Error('Slack answered 503');
      // One alert per message below the digest threshold: the group id names it.
      const group = /sg-[0-9a-f]{17}/.exec(message.text)?.[0] ?? message.text;
      sentTimes.set(group, (sentTimes.get(group) ?? 0) + 1);
    },
    deadLetter: async (undelivered: { message: { text: string } }) => {
      if (random() < 0.1) throw new Error('SQS refused the message');
      deadLettered.add(/sg-[0-9a-f]{17}/.exec(undelivered.message.text)?.[0] ?? undelivered.message.text);
    },
    now: () => new Date('2026-01-01T00:00:00Z'),
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  const events = manySecurityGroupEvents(scale.alerts);
  // Each event twice, in batches of 10, and every record handed back is redelivered until none is.
  let queue: IncomingEvent[] = [...events, ...events].map((event, index) => ({ recordId: `r-${index}`, event }));
  let deliveries = 0;
  while (queue.length > 0) {
    const handedBack: IncomingEvent[] = [];
    for (let start = 0; start < queue.length; start += 10) {
      const batch = queue.slice(start, start + 10);
      deliveries += batch.length;
      const report = await notify(batch, deps as never);
      const failed = new Set(report.failedRecordIds);
      handedBack.push(...batch.filter((record) => failed.has(record.recordId)));
    }
    queue = handedBack;
  }
  const ids = events.map((event) => String(event.detail.resourceId));
  const delivered = ids.filter((id) => sentTimes.has(id)).length;
  return {
    events: ids.length,
    deliveries,
    delivered,
    deadLettered: ids.filter((id) => deadLettered.has(id) && !sentTimes.has(id)).length,
    doubled: [...sentTimes.values()].filter((times) => times > 1).length,
    lost: ids.filter((id) => !sentTimes.has(id) && !deadLettered.has(id)).length,
  };
}

export interface RemediationFigures {
  resources: number;
  events: number;
  appliedPerResource: number[];
  revokeCallsPerResource: number[];
  nowCompliantSkips: number;
  retriedAfterLoudFailure: number;
  outcomes: Record<string, number>;
}

/** Twenty concurrent distinct events per group, through a throttling EC2, with the real audit table. */
export async function remediationChaos(scale: ChaosScale, dynamo: DynamoDBClient): Promise<RemediationFigures> {
  const tableName = `chaos-audit-${scale.seed}-${scale.resources}`;
  await dynamo.send(
    new CreateTableCommand({ TableName: tableName, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }),
  );
  const fake = await FakeAws.start({ seed: scale.seed, region: 'eu-west-1' });
  const revoked = new Map<string, Set<string>>();
  fake.on('ec2', 'RevokeSecurityGroupIngress', ({ input }) => {
    const group = revoked.get(input.GroupId) ?? new Set<string>();
    revoked.set(input.GroupId, group);
    for (const [key, value] of Object.entries(input)) if (key.startsWith('SecurityGroupRuleId.')) group.add(String(value));
    return { return: true };
  });
  fake.inject({ fault: 'throttle', operation: 'RevokeSecurityGroupIngress', probability: 0.2 });
  fake.inject({ fault: 'server-error', operation: 'RevokeSecurityGroupIngress', probability: 0.05 });
  // Two hundred runs share the machine here: a 200 ms timeout would measure the machine, not the product.
  const clients = createAwsClients({ ...fake.clientConfig(), timeouts: { connectionMs: 1_000, requestMs: 3_000 }, retryDelayMs: 0 });
  const audit = new DynamoDbAuditLog(dynamo, tableName);
  const events = new RecordingPublisher();
  const groups = Array.from({ length: scale.resources }, (_, index) => `sg-chaos${index.toString().padStart(9, '0')}`);
  const deps = {
    rules: RULES,
    remediations: REMEDIATIONS,
    settings: parseSettings({ rules: { 'public-app-ports': { mode: 'auto' } }, remediation: { maxChangesPerHour: 1000 } }, RULES),
    stack: STACK,
    audit,
    events,
    clients,
    readLiveResource: async (finding: { resourceId: string }) => {
      const group = liveAppGroup();
      const gone = revoked.get(finding.resourceId) ?? new Set<string>();
      return { ...group, id: finding.resourceId, properties: { ...group.properties, ingress: group.properties.ingress.filter((rule) => !gone.has(rule.ruleId ?? '')) } };
    },
    loadLookups: async () => createLookups({}),
    now: () => new Date(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 25))),
  };
  const findingFor = (group: string, eventId: string) => {
    const event = fixture('config/compliance-change-noncompliant.json');
    event.id = eventId;
    event.detail.resourceId = group;
    event.detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier.resourceId = group;
    return findingFromComplianceChange(event, RULES);
  };
  let retried = 0;
  const runOnce = async (group: string, eventId: string) => {
    // Lambda retries a retryable failure; the retry claims the same record again.
    for (;;) {
      try {
        return await remediateFinding(findingFor(group, eventId), deps as never);
      } catch (error) {
        if (!(error instanceof RemediationError && error.retryable)) throw error;
        retried += 1;
      }
    }
  };
  const runs = await Promise.all(groups.flatMap((group) => Array.from({ length: scale.eventsPerResource }, (_, index) => runOnce(group, `${group}-event-${index}`).then((run) => ({ group, run })))));
  const revokeCalls = fake.callsOf('RevokeSecurityGroupIngress').filter((call) => call.status === 200);
  clients.destroy();
  await fake.close();
  return {
    resources: groups.length,
    events: runs.length,
    appliedPerResource: groups.map((group) => runs.filter((entry) => entry.group === group && entry.run.outcome === 'applied').length),
    revokeCallsPerResource: groups.map((group) => revokeCalls.filter((call) => (call.input as Record<string, string>).GroupId === group).length),
    nowCompliantSkips: runs.filter((entry) => entry.run.reason === 'now-compliant').length,
    retriedAfterLoudFailure: retried,
    outcomes: runs.reduce<Record<string, number>>((counts, { run }) => ({ ...counts, [run.reason ?? run.outcome]: (counts[run.reason ?? run.outcome] ?? 0) + 1 }), {}),
  };
}

