import 'aws-sdk-client-mock-jest';
import { EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { EventPublishError } from '../../../lib/errors';
import { EXEMPT_TAG, EXEMPT_UNTIL_TAG } from '../../../lib/exemption';
import { findingFromComplianceChange, type Finding } from '../../../lib/finding';
import { createLookups } from '../../../lib/lookups';
import type { Resource, ResourceOf } from '../../../lib/model';
import { DynamoDbAuditLog } from '../../../lib/remediation/dynamodb-audit';
import { remediateFinding, type RemediationDependencies } from '../../../lib/remediation/remediate';
import { parseSettings } from '../../../lib/settings';
import { REMEDIATIONS } from '../../../remediations';
import { RULES } from '../../../rules';
import { fixture, itemResource } from '../../helpers';
import { awsError, clients, liveAppGroup, STACK } from '../../remediations/support';
import { RecordingPublisher } from './fakes';
import { createTable, startLocalDynamoDb, type LocalDynamoDb } from '../../dynalite';

const ec2 = mockClient(EC2Client);
const NOW = new Date('2025-06-12T09:41:40.000Z');
const GROUP = 'sg-0f1e2d3c4b5a69788';

let local: LocalDynamoDb;
let tables = 0;
beforeAll(async () => {
  local = await startLocalDynamoDb();
});
afterAll(async () => {
  await local.stop();
});
beforeEach(() => ec2.reset());

function finding(eventId = '8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14', compliance = 'NON_COMPLIANT'): Finding {
  const event = fixture('config/compliance-change-noncompliant.json');
  event.id = eventId;
  event.detail.newEvaluationResult.complianceType = compliance;
  return findingFromComplianceChange(event, RULES);
}

interface Setup {
  mode?: string;
  live?: Resource | undefined;
  remediation?: Record<string, unknown>;
  readLiveResource?: RemediationDependencies['readLiveResource'];
}

async function setup(options: Setup = {}) {
  const tableName = `audit-${++tables}`;
  await createTable(local.client, tableName);
  const audit = new DynamoDbAuditLog(local.client, tableName);
  const events = new RecordingPublisher();
  const readLiveResource = jest.fn(options.readLiveResource ?? (async () => ('live' in options ? options.live : liveAppGroup())));
  const rules = options.mode ? { 'public-app-ports': { mode: options.mode } } : {};
  const deps: RemediationDependencies = {
    rules: RULES,
    remediations: REMEDIATIONS,
    settings: parseSettings({ rules, remediation: options.remediation ?? {} }, RULES),
    stack: STACK,
    audit,
    events,
    clients: clients(),
    readLiveResource,
    loadLookups: async () => createLookups({}),
    now: () => NOW,
    sleep: async () => undefined,
  };
  return { deps, audit, events, readLiveResource };
}

function tagged(tags: Record<string, string>): ResourceOf<'AWS::EC2::SecurityGroup'> {
  const group = liveAppGroup();
  return { ...group, tags: { ...group.tags, ...tags } };
}

describe('remediateFinding', () => {
  it('in auto mode closes 5173, 4000 and 22, keeps 443 and the private rules, and records how to undo it', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const { deps, audit, events } = await setup({ mode: 'auto' });
    const run = await remediateFinding(finding(), deps);
    expect(run).toMatchObject({ auditId: '8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14', outcome: 'applied' });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((call) => call.args[0].input.SecurityGroupRuleIds)).toEqual([
      ['sgr-0a11b22c33d44e551'],
      ['sgr-0a11b22c33d44e552'],
      ['sgr-0a11b22c33d44e553'],
    ]);
    expect(events.detailTypes).toEqual(['Remediation Planned', 'Remediation Applied']);
    const applied = events.events[1]!.detail;
    expect(applied).toMatchObject({ version: '1', ruleId: 'public-app-ports', remediation: 'revoke-public-ingress', mode: 'auto', outcome: 'applied', reversible: true });
    expect(applied.actions).toEqual([
      'Revoke tcp 5173 from 0.0.0.0/0 (sgr-0a11b22c33d44e551) (RevokeSecurityGroupIngress): done',
      'Revoke tcp 4000 from 0.0.0.0/0 (sgr-0a11b22c33d44e552) (RevokeSecurityGroupIngress): done',
      'Revoke tcp 22 from ::/0 (sgr-0a11b22c33d44e553) (RevokeSecurityGroupIngress): done',
    ]);
    expect(events.events[0]!.detail.actions[0]).toBe('Revoke tcp 5173 from 0.0.0.0/0 (sgr-0a11b22c33d44e551) (RevokeSecurityGroupIngress)');
    expect(applied.plan?.keeps).toEqual(expect.arrayContaining(['tcp 443 from 0.0.0.0/0 (sgr-0a11b22c33d44e554)', 'tcp 5432 from 10.0.0.0/16 (sgr-0a11b22c33d44e556)']));
    expect(events.events[1]!.resources).toEqual([`arn:aws:ec2:eu-west-1:123456789012:security-group/${GROUP}`]);
    const record = await audit.get(run.auditId);
    expect(record).toMatchObject({ outcome: 'applied', mode: 'auto', resourceId: GROUP, eventId: run.auditId });
    expect(record?.plan?.beforeState).toEqual({ groupId: GROUP, ingress: liveAppGroup().properties.ingress });
    expect(record?.undo?.map((call) => call.operation)).toEqual(['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupIngress']);
  });

  it('in dry-run, the default, plans and announces the fix and changes nothing', async () => {
    const { deps, audit, events } = await setup();
    const run = await remediateFinding(finding(), deps);
    expect(run.outcome).toBe('planned');
    expect(ec2).not.toHaveReceivedAnyCommand();
    expect(events.detailTypes).toEqual(['Remediation Planned']);
    expect(events.events[0]!.detail).toMatchObject({ mode: 'dry-run', outcome: 'planned', reversible: false });
    expect(events.events[0]!.detail.plan?.steps.map((step) => step.description)).toEqual([
      'Revoke tcp 5173 from 0.0.0.0/0 (sgr-0a11b22c33d44e551)',
      'Revoke tcp 4000 from 0.0.0.0/0 (sgr-0a11b22c33d44e552)',
      'Revoke tcp 22 from ::/0 (sgr-0a11b22c33d44e553)',
    ]);
    expect((await audit.get(run.auditId))?.plan?.steps).toHaveLength(3);
  });

  it('in notify mode reports the finding with the fix it would make, as a skip', async () => {
    const { deps, events } = await setup({ mode: 'notify' });
    expect(await remediateFinding(finding(), deps)).toMatchObject({ outcome: 'skipped', reason: 'mode-notify' });
    expect(ec2).not.toHaveReceivedAnyCommand();
    expect(events.events[0]!.detailType).toBe('Remediation Skipped');
    expect(events.events[0]!.detail.summary).toMatch(/^Open to the internet: tcp 5173 from 0\.0\.0\.0\/0; .* Planned fix, not applied \(mode notify\): Revoke/);
  });

  it('with mode off records the skip, reads nothing and tells nobody', async () => {
    const { deps, audit, events, readLiveResource } = await setup({ mode: 'off' });
    const run = await remediateFinding(finding(), deps);
    expect(run).toMatchObject({ outcome: 'skipped', reason: 'mode-off' });
    expect(readLiveResource).not.toHaveBeenCalled();
    expect(events.events).toEqual([]);
    expect((await audit.get(run.auditId))?.reason).toBe('mode-off');
  });

  it('skips an exempt resource, naming the reason and the end date', async () => {
    const { deps, events } = await setup({ mode: 'auto', live: tagged({ [EXEMPT_TAG]: 'CHG-1234 load test', [EXEMPT_UNTIL_TAG]: '2025-06-30' }) });
    expect(await remediateFinding(finding(), deps)).toMatchObject({ outcome: 'skipped', reason: 'exempt' });
    expect(ec2).not.toHaveReceivedAnyCommand();
    expect(events.events[0]!.detail).toMatchObject({
      reason: 'exempt',
      exemption: { reason: 'CHG-1234 load test', until: '2025-06-30' },
      summary: `${GROUP} is exempt until 2025-06-30: CHG-1234 load test.`,
    });
  });

  it('acts on a resource whose exemption has expired', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const { deps } = await setup({ mode: 'auto', live: tagged({ [EXEMPT_TAG]: 'CHG-1200', [EXEMPT_UNTIL_TAG]: '2025-06-01' }) });
    expect((await remediateFinding(finding(), deps)).outcome).toBe('applied');
  });

  it('does nothing when the live resource is compliant again (the event was older than the fix)', async () => {
    const { deps, events } = await setup({ mode: 'auto', live: itemResource('sg-compliant') });
    const run = await remediateFinding(finding(), deps);
    expect(run).toMatchObject({ outcome: 'skipped', reason: 'now-compliant' });
    expect(ec2).not.toHaveReceivedAnyCommand();
    expect(events.detailTypes).toEqual(['Remediation Skipped']);
  });

  it('does nothing when the resource is gone', async () => {
    const { deps } = await setup({ mode: 'auto', live: undefined });
    expect(await remediateFinding(finding(), deps)).toMatchObject({ outcome: 'skipped', reason: 'resource-gone' });
  });

  it('does nothing for a compliance change to COMPLIANT', async () => {
    const { deps, readLiveResource } = await setup({ mode: 'auto' });
    expect(await remediateFinding(finding(undefined, 'COMPLIANT'), deps)).toMatchObject({ outcome: 'skipped', reason: 'not-non-compliant' });
    expect(readLiveResource).not.toHaveBeenCalled();
  });

  it('changes nothing the second time the same event is delivered, even when deliveries race', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const { deps, events } = await setup({ mode: 'auto' });
    const runs = await Promise.all([remediateFinding(finding(), deps), remediateFinding(finding(), deps), remediateFinding(finding(), deps)]);
    expect(runs.map((run) => run.outcome).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    const later = await remediateFinding(finding(), deps);
    expect(later.outcome).toBe('duplicate');
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 3);
    expect(events.detailTypes).toEqual(['Remediation Planned', 'Remediation Applied']);
  });

  it('serialises 20 concurrent distinct events for one group: one applies, the others re-read it fixed and use no breaker slot', async () => {
    const revoked = new Set<string>();
    ec2.on(RevokeSecurityGroupIngressCommand).callsFake(async (input: { SecurityGroupRuleIds: string[] }) => {
      for (const id of input.SecurityGroupRuleIds) revoked.add(id);
      return { Return: true };
    });
    const readLiveResource = async () => {
      const group = liveAppGroup();
      return { ...group, properties: { ...group.properties, ingress: group.properties.ingress.filter((rule) => !revoked.has(rule.ruleId ?? '')) } };
    };
    const { deps, events, audit } = await setup({ mode: 'auto', readLiveResource, remediation: { maxChangesPerHour: 2 } });
    const runs = await Promise.all(Array.from({ length: 20 }, (_, index) => remediateFinding(finding(`event-${index}`), deps)));
    const outcomes = runs.map((run) => run.outcome);
    expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(1);
    expect(runs.filter((run) => run.reason === 'now-compliant')).toHaveLength(19);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 3);
    expect(events.detailTypes.filter((type) => type === 'Remediation Applied')).toHaveLength(1);
    // One slot of two used: a second change this hour is still allowed.
    expect(await audit.reserveChange(NOW, 2)).toBe(true);
    expect(await audit.reserveChange(NOW, 2)).toBe(false);
  }, 30_000);

  it('gives up waiting for a resource another run holds when the invocation runs out of time, as a retryable failure', async () => {
    const { deps, audit } = await setup({ mode: 'auto' });
    const holder = 'another-run';
    await audit.acquireLease(`123456789012#eu-west-1#public-app-ports#AWS::EC2::SecurityGroup#${GROUP}`, holder, NOW, new Date(NOW.getTime() + 60_000));
    let checks = 0;
    deps.outOfTime = () => ++checks > 3;
    await expect(remediateFinding(finding('late-event'), deps)).rejects.toMatchObject({ name: 'RemediationError', retryable: true, message: expect.stringContaining('ran out of time waiting') });
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(await audit.get('late-event')).toMatchObject({ outcome: 'failed', retryable: true });
  });

  it('does not start applying a plan when too little time is left, and fails retryably', async () => {
    const { deps, audit } = await setup({ mode: 'auto' });
    deps.outOfTime = () => true;
    await expect(remediateFinding(finding('no-time'), deps)).rejects.toMatchObject({ retryable: true, message: expect.stringContaining('too little time left') });
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(await audit.get('no-time')).toMatchObject({ outcome: 'failed', retryable: true });
  });

  it('counts rules someone already revoked as fixed: success with nothing to undo', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError('InvalidSecurityGroupRuleId.NotFound', "The security group rule ID 'sgr-0a11b22c33d44e551' does not exist"));
    const { deps, events } = await setup({ mode: 'auto' });
    expect((await remediateFinding(finding(), deps)).outcome).toBe('already-fixed');
    expect(events.events[1]).toMatchObject({ detailType: 'Remediation Applied', detail: { outcome: 'already-fixed', reversible: false } });
  });

  it('opens the circuit breaker after the configured number of changes in an hour and raises it as a skip', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const { deps, events } = await setup({ mode: 'auto', remediation: { maxChangesPerHour: 2 } });
    const outcomes = [];
    for (const eventId of ['e-1', 'e-2', 'e-3']) outcomes.push((await remediateFinding(finding(eventId), deps)).outcome);
    expect(outcomes).toEqual(['applied', 'applied', 'skipped']);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 6);
    const tripped = events.events.at(-1)!;
    expect(tripped).toMatchObject({ detailType: 'Remediation Skipped', detail: { reason: 'circuit-breaker-open' } });
    expect(tripped.detail.summary).toMatch(/^Not applied: more than 2 automatic changes this hour opened the circuit breaker\. Revoke tcp 5173/);
  });

  it('records a throttled run as failed and throws, so the delivery is retried, and the retry can act', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.', 'client', 503)).resolves({ Return: true });
    const { deps, audit, events } = await setup({ mode: 'auto' });
    await expect(remediateFinding(finding(), deps)).rejects.toThrow('failed and may succeed on retry: RevokeSecurityGroupIngress failed: RequestLimitExceeded');
    expect(await audit.get('8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14')).toMatchObject({ outcome: 'failed', retryable: true });
    expect(events.detailTypes).toEqual(['Remediation Planned', 'Remediation Failed']);
    expect((await remediateFinding(finding(), deps)).outcome).toBe('applied');
  });

  it('records a refusal as failed without retrying: access denied will not pass on its own', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { deps, events } = await setup({ mode: 'auto' });
    expect((await remediateFinding(finding(), deps)).outcome).toBe('failed');
    expect(events.events.at(-1)!.detail).toMatchObject({ outcome: 'failed', error: expect.stringContaining('UnauthorizedOperation') });
    expect((await remediateFinding(finding(), deps)).outcome).toBe('duplicate');
  });

  it('keeps the applied record and its undo when the result cannot be announced, and a re-delivery changes nothing', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const { deps, audit, events } = await setup({ mode: 'auto' });
    const publish = events.publish.bind(events);
    deps.events = {
      publish: async (detailType, detail, resources) => {
        if (detailType === 'Remediation Applied') throw new EventPublishError('EventBridge refused the "Remediation Applied" event');
        return publish(detailType, detail, resources);
      },
    };
    await expect(remediateFinding(finding(), deps)).rejects.toThrow(EventPublishError);
    const record = await audit.get('8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14');
    expect(record).toMatchObject({ outcome: 'applied' });
    expect(record?.undo).toHaveLength(3);
    expect((await remediateFinding(finding(), deps)).outcome).toBe('duplicate');
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 3);
  });

  it('records a failed re-read as a retryable failure and throws it', async () => {
    const { deps, audit, events } = await setup({ mode: 'auto', readLiveResource: async () => Promise.reject(awsError('UnauthorizedOperation', 'not allowed to describe')) });
    await expect(remediateFinding(finding(), deps)).rejects.toThrow(`Remediation of ${GROUP} (event 8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14) failed: not allowed to describe`);
    expect(await audit.get('8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14')).toMatchObject({ outcome: 'failed', retryable: true });
    expect(events.detailTypes).toEqual(['Remediation Failed']);
  });
});
