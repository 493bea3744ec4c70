import type { Alert } from '../../lib/alerts/alert';
import type { UndeliveredAlert } from '../../lib/alerts/channels';
import { DynamoDedupStore } from '../../lib/alerts/dedup-store';
import type { EmailMessage } from '../../lib/alerts/email';
import { notify, type IncomingEvent, type NotifierDependencies } from '../../lib/alerts/notifier';
import type { SlackMessage } from '../../lib/alerts/slack';
import { AlertDeliveryError } from '../../lib/errors';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';
import { fixture } from '../helpers';
import { ALICE, alertContext, complianceChange, manySecurityGroupEvents, RULE_CASES, ruleCaseEvent } from './alert-fixtures';
import { createTable, startLocalDynamoDb, type LocalDynamoDb } from '../dynalite';

let dynamo: LocalDynamoDb;
let table = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
});
afterAll(() => dynamo.stop());

interface Harness {
  deps: NotifierDependencies;
  emails: EmailMessage[];
  slack: SlackMessage[];
  deadLetters: UndeliveredAlert[];
  enriched: string[];
  logged: { level: string; message: string; details: Record<string, unknown> }[];
}

async function harness(notifications: object = {}, overrides: Partial<NotifierDependencies> = {}): Promise<Harness> {
  const tableName = `notifier-${++table}`;
  await createTable(dynamo.client, tableName);
  const settings = parseSettings({ notifications: { email: { addresses: ['ops@example.com'] }, ...notifications } }, RULES);
  const emails: EmailMessage[] = [];
  const slack: SlackMessage[] = [];
  const deadLetters: UndeliveredAlert[] = [];
  const enriched: string[] = [];
  const logged: Harness['logged'] = [];
  const log = (level: string) => (message: string, details: Record<string, unknown>) => void logged.push({ level, message, details });
  const deps: NotifierDependencies = {
    context: alertContext(settings),
    notifications: settings.notifications,
    store: new DynamoDedupStore(dynamo.client, { tableName, windowSeconds: 86_400, leaseSeconds: 600 }),
    enrich: async (alert: Alert) => {
      enriched.push(alert.eventId);
      return { ...alert, resourceName: 'named', actor: ALICE };
    },
    sendEmail: async (message) => void emails.push(message),
    sendSlack: async (message) => void slack.push(message),
    deadLetter: async (undelivered) => void deadLetters.push(undelivered),
    now: () => new Date('2025-06-12T09:45:00Z'),
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    ...overrides,
  };
  return { deps, emails, slack, deadLetters, enriched, logged };
}

const incoming = (events: readonly unknown[]): IncomingEvent[] => events.map((event, index) => ({ recordId: `record-${index}`, event }));
const failing = (reason: string) => async () => {
  throw new AlertDeliveryError(reason);
};

describe('Alerts: notifier', () => {
  it('turns one non-compliant finding into one email and one Slack message naming who changed it', async () => {
    const h = await harness();
    const report = await notify(incoming([ruleCaseEvent(RULE_CASES[0])]), h.deps);
    expect(report).toMatchObject({ received: 1, sent: { email: 1, slack: 1 }, deadLettered: { email: 0, slack: 0 }, failedRecordIds: [] });
    expect(h.emails[0]?.subject).toBe('[HIGH] public-app-ports: sg-0f1e2d3c4b5a69788 (named) non-compliant');
    expect(h.emails[0]?.body).toContain('Session:     alice@example.com');
    expect(h.slack[0]?.text).toContain('Changed by: alice@example.com (AuthorizeSecurityGroupIngress)');
  });

  it('sends 300 findings arriving together as one digest per channel, looking up only the resources it lists', async () => {
    const h = await harness({ digest: { threshold: 10, size: 20 } });
    const report = await notify(incoming(manySecurityGroupEvents(300)), h.deps);
    expect(report.sent).toEqual({ email: 1, slack: 1 });
    expect(h.emails[0]?.subject).toBe('[driftwarden] Digest: 300 alerts (300 high) in 123456789012 eu-west-1');
    expect(h.slack[0]?.text).toMatch(/^driftwarden digest: 300 alerts/);
    expect(h.enriched).toHaveLength(20);
    // 900 conditional writes to dynalite, which serves a few hundred a second.
  }, 30_000);

  it('sends up to the threshold one by one', async () => {
    const h = await harness({ digest: { threshold: 3, size: 20 } });
    await notify(incoming(manySecurityGroupEvents(3)), h.deps);
    expect(h.emails).toHaveLength(3);
    expect(h.slack).toHaveLength(3);
  });

  it('delivers an event once however often it is delivered, in one batch or across batches', async () => {
    const h = await harness();
    const event = ruleCaseEvent(RULE_CASES[1]);
    const first = await notify(incoming([event, event]), h.deps);
    const second = await notify(incoming([event]), h.deps);
    expect(first.duplicates + second.duplicates).toBe(2);
    expect(h.emails).toHaveLength(1);
    expect(h.slack).toHaveLength(1);
  });

  it('does not re-announce an unchanged finding carried by a new event', async () => {
    const h = await harness();
    const first = ruleCaseEvent(RULE_CASES[0]);
    await notify(incoming([first]), h.deps);
    const report = await notify(incoming([{ ...first, id: 'a-later-event' }]), h.deps);
    expect(report.unchanged).toBe(1);
    expect(h.slack).toHaveLength(1);
  });

  it('announces a resolved finding and each remediation outcome as follow-ups', async () => {
    const h = await harness();
    const events = ['planned', 'applied', 'skipped', 'failed'].map((outcome) => fixture(`alerts/remediation-${outcome}.json`));
    await notify(incoming([fixture('config/compliance-change-compliant.json'), ...events]), h.deps);
    expect(h.slack.map((message) => message.blocks[0])).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ text: expect.objectContaining({ text: ':white_check_mark: HIGH · public-app-ports · resolved' }) }),
        expect.objectContaining({ text: expect.objectContaining({ text: ':x: HIGH · public-app-ports · remediation failed' }) }),
      ]),
    );
    expect(h.slack).toHaveLength(5);
  });

  it('still emails when Slack is down, and dead-letters the Slack message', async () => {
    const h = await harness({}, { sendSlack: failing('Slack did not accept the message after 4 attempts: HTTP 503') });
    const report = await notify(incoming([ruleCaseEvent(RULE_CASES[0])]), h.deps);
    expect(h.emails).toHaveLength(1);
    expect(report.deadLettered).toEqual({ email: 0, slack: 1 });
    expect(h.deadLetters[0]).toMatchObject({
      channel: 'slack',
      reason: 'Slack did not accept the message after 4 attempts: HTTP 503',
      eventIds: ['public-app-ports-sg-0f1e2d3c4b5a69788-NON_COMPLIANT'],
      message: { text: expect.stringContaining('HIGH public-app-ports') },
    });
    expect(report.failedRecordIds).toEqual([]);
  });

  it('still posts to Slack when SNS refuses the email, and dead-letters the email', async () => {
    const h = await harness({}, { sendEmail: failing('KMS key disabled') });
    const report = await notify(incoming([ruleCaseEvent(RULE_CASES[0])]), h.deps);
    expect(h.slack).toHaveLength(1);
    expect(h.deadLetters).toMatchObject([{ channel: 'email', message: { subject: expect.stringContaining('[HIGH]') } }]);
    expect(report.sent).toEqual({ email: 0, slack: 1 });
  });

  it('hands events back for redelivery when even the dead-letter queue refuses, and delivers them then', async () => {
    const h = await harness({}, { sendSlack: failing('down'), deadLetter: failing('SQS unavailable') });
    const event = ruleCaseEvent(RULE_CASES[0]);
    const report = await notify(incoming([event]), h.deps);
    expect(report.failedRecordIds).toEqual(['record-0']);
    // SQS redelivers after the visibility timeout, when the claim's lease has run out.
    const retry = { ...h.deps, sendSlack: async (message: SlackMessage) => void h.slack.push(message), now: () => new Date('2025-06-12T10:00:00Z') };
    const second = await notify(incoming([event]), retry);
    expect(second.sent.slack).toBe(1);
  });

  it.each([
    ['email high, Slack low', { email: { addresses: ['ops@example.com'], minimumSeverity: 'high' }, slack: { minimumSeverity: 'low' } }, 0, 1],
    ['email medium, Slack critical', { email: { addresses: ['ops@example.com'], minimumSeverity: 'medium' }, slack: { minimumSeverity: 'critical' } }, 1, 0],
  ])('routes a medium finding by each channel’s minimum severity (%s)', async (_case, notifications, emails, slackMessages) => {
    const h = await harness(notifications);
    await notify(incoming([ruleCaseEvent(RULE_CASES[1])]), h.deps);
    expect(h.emails).toHaveLength(emails);
    expect(h.slack).toHaveLength(slackMessages);
  });

  it('dead-letters what is left once the deadline has passed instead of being cut off by the Lambda timeout', async () => {
    const h = await harness({}, { deadline: new Date('2025-06-12T09:44:00Z') });
    const report = await notify(incoming([ruleCaseEvent(RULE_CASES[0])]), h.deps);
    expect(report.deadLettered).toEqual({ email: 1, slack: 1 });
    expect(h.deadLetters[0]?.reason).toBe('not attempted: the invocation ran out of time');
  });

  it('reports an event it cannot read for redelivery (then the queue dead-letters it) and delivers the rest', async () => {
    const h = await harness();
    const report = await notify(incoming([{ source: 'aws.config', detail: {} }, ruleCaseEvent(RULE_CASES[0])]), h.deps);
    expect(report.failedRecordIds).toEqual(['record-0']);
    expect(h.slack).toHaveLength(1);
    expect(h.logged).toContainEqual(expect.objectContaining({ level: 'error', message: 'Event is not one the notifier reads' }));
  });

  it('hands back only the record whose dedup write DynamoDB refuses and delivers the rest of the batch', async () => {
    const h = await harness();
    // A key over DynamoDB's 2,048-byte limit: dynalite refuses it with a ValidationException, as DynamoDB does.
    const oversized = { ...ruleCaseEvent(RULE_CASES[0]), id: 'e'.repeat(2100) };
    const report = await notify(incoming([oversized, ruleCaseEvent(RULE_CASES[1]), ruleCaseEvent(RULE_CASES[2])]), h.deps);
    expect(report.failedRecordIds).toEqual(['record-0']);
    expect(h.slack).toHaveLength(2);
    expect(h.emails).toHaveLength(2);
    expect(h.logged).toContainEqual(expect.objectContaining({ level: 'error', message: 'The dedup check of a record failed; it is handed back for redelivery' }));
  });

  it('releases the claim of a record whose finding-state write fails, so its redelivery is announced', async () => {
    const h = await harness();
    const real = h.deps.store;
    let failNext = true;
    h.deps.store = {
      claimEvent: (eventId, now) => real.claimEvent(eventId, now),
      releaseEvent: (eventId) => real.releaseEvent(eventId),
      completeEvent: (eventId, now) => real.completeEvent(eventId, now),
      recordFindingState: async (alert, now) => {
        if (failNext) {
          failNext = false;
          throw new Error('Rate exceeded');
        }
        return real.recordFindingState(alert, now);
      },
    };
    const event = ruleCaseEvent(RULE_CASES[0]);
    expect((await notify(incoming([event]), h.deps)).failedRecordIds).toEqual(['record-0']);
    expect(h.slack).toHaveLength(0);
    expect((await notify(incoming([event]), h.deps)).failedRecordIds).toEqual([]);
    expect(h.slack).toHaveLength(1);
  });

  it('sends nothing for a compliance change that is no news', async () => {
    const h = await harness();
    const event = complianceChange('public-app-ports', 'AWS::EC2::SecurityGroup', 'sg-0123', { compliance: 'COMPLIANT', previous: 'COMPLIANT' });
    const report = await notify(incoming([event]), h.deps);
    expect(report.notNews).toBe(1);
    expect(h.slack).toHaveLength(0);
  });
});
