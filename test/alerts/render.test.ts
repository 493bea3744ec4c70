import type { Alert } from '../../lib/alerts/alert';
import { renderEmail, renderEmailDigest, MAX_SUBJECT_LENGTH } from '../../lib/alerts/email';
import { blockKitViolations, renderSlack, renderSlackDigest, BLOCK_KIT_LIMITS } from '../../lib/alerts/slack';
import { detailTypeOf, eventDetailOf } from '../../lib/remediation/events';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';
import { fixture } from '../helpers';
import {
  ALICE,
  alertContext,
  alertOf,
  complianceChange,
  enrichedSecurityGroupAlert,
  manySecurityGroupEvents,
  RULE_CASES,
  ruleCaseEvent,
} from './alert-fixtures';

const OUTCOMES = ['planned', 'applied', 'skipped', 'failed'] as const;

function remediationAlert(outcome: (typeof OUTCOMES)[number]): Alert {
  return { ...alertOf(fixture(`alerts/remediation-${outcome}.json`)), actor: ALICE };
}

function resolvedAlert(): Alert {
  return alertOf(fixture('config/compliance-change-compliant.json'));
}

function everyText(alert: Alert): string {
  const email = renderEmail(alert);
  const slack = renderSlack(alert);
  return `${email.subject}\n${email.body}\n${slack.text}\n${JSON.stringify(slack.blocks)}`;
}

describe('Alerts: email rendering', () => {
  it.each(RULE_CASES)('says what, where, since when, who and what to do for rule $ruleId', (ruleCase) => {
    const alert = alertOf(ruleCaseEvent(ruleCase));
    const { subject, body } = renderEmail(alert);
    expect(subject).toContain(`[${alert.severity.toUpperCase()}] ${ruleCase.ruleId}: `);
    expect(subject).toContain(alert.resourceId.slice(0, 20));
    expect(body).toContain(alert.annotation as string);
    expect(body).toContain(`Account:        123456789012`);
    expect(body).toContain(`Resource type:  ${alert.resourceType}`);
    expect(body).toContain('Non-compliant since 2025-06-12 09:41:27 UTC (was COMPLIANT)');
    expect(body).toContain('WHO CHANGED IT\n  unknown: not looked up');
    expect(body).toContain('Mode dry-run: driftwarden plans remediation');
    expect(body).toContain("--tags 'driftwarden:exempt=<reason>,driftwarden:exempt-until=<YYYY-MM-DD>'");
    expect(body).toContain(`configRuleName=driftwarden-dev-${ruleCase.ruleId}`);
  });

  it('names the principal, role, session, source IP, time and API call when CloudTrail knows them', () => {
    const { subject, body } = renderEmail(enrichedSecurityGroupAlert());
    expect(subject).toBe('[HIGH] public-app-ports: sg-0f1e2d3c4b5a69788 (driftwarden-dev-app) non-compliant');
    expect(body).toContain('API call:    AuthorizeSecurityGroupIngress (ec2.amazonaws.com)');
    expect(body).toContain(`Principal:   ${ALICE.principalArn} (AssumedRole)`);
    expect(body).toContain(`Role:        ${ALICE.roleArn}`);
    expect(body).toContain('Session:     alice@example.com');
    expect(body).toContain('Source IP:   203.0.113.24');
    expect(body).toContain('Time:        2025-06-12 09:41:02 UTC');
    expect(body).toContain('cloudtrailv2/home?region=eu-west-1#/events/5f0c7d1e-8a2b-4c3d-9e4f-a1b2c3d4e5f6');
    expect(body).toContain('https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#SecurityGroup:groupId=sg-0f1e2d3c4b5a69788');
    expect(body).toContain('Open to the internet: tcp 5173 from 0.0.0.0/0; tcp 4000 from 0.0.0.0/0; tcp 22 from ::/0');
  });

  it('announces a resolved finding as a follow-up without exemption advice', () => {
    const { subject, body } = renderEmail(resolvedAlert());
    expect(subject).toBe('[RESOLVED HIGH] public-app-ports: sg-0f1e2d3c4b5a69788 resolved');
    expect(body).toContain('Follow-up: a HIGH severity finding in AWS account 123456789012 (eu-west-1) is resolved.');
    expect(body).toContain('Resolved at 2025-06-12 11:03:49 UTC');
    expect(body).not.toContain('HOW TO EXEMPT');
  });

  it.each([
    ['planned', 'Planned revoke-public-ingress (mode dry-run): Would revoke 2 public ingress rules of sg-0f1e2d3c4b5a69788 (driftwarden-dev-app). Nothing was changed.'],
    [
      'applied',
      'Applied revoke-public-ingress (mode auto): Revoked 2 public ingress rules of sg-0f1e2d3c4b5a69788 (driftwarden-dev-app). To take it back: driftwarden undo 8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14',
    ],
    ['skipped', 'Skipped revoke-public-ingress (mode auto, exempt): sg-0f1e2d3c4b5a69788 is exempt until 2025-07-01: load test.'],
    ['failed', 'FAILED revoke-public-ingress (mode auto): Could not revoke 2 public ingress rules of sg-0f1e2d3c4b5a69788 (driftwarden-dev-app). Error: UnauthorizedOperation'],
  ] as const)('reports a remediation that was %s', (outcome, sentence) => {
    const { subject, body } = renderEmail(remediationAlert(outcome));
    expect(subject).toBe(`[HIGH] public-app-ports: sg-0f1e2d3c4b5a69788 remediation ${outcome}`);
    expect(body).toContain('WHAT DRIFTWARDEN DID');
    expect(body).toContain(sentence);
    expect(body).toContain('WHAT THIS IS ABOUT\n  Security groups expose only allowed ports to the internet (rule public-app-ports)\n  Follow-up to the earlier public-app-ports finding on this resource: ');
    expect(body).toContain('Audit record: 8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14');
    if (outcome !== 'skipped') expect(body).toContain('- Revoke tcp 5173 from 0.0.0.0/0 (RevokeSecurityGroupIngress)');
  });

  it('names a resource whose id is an ARN by its name in the subject', () => {
    const alert = alertOf(ruleCaseEvent(RULE_CASES[3]));
    const { subject } = renderEmail({ ...alert, resourceName: 'web-prod/db-password' });
    expect(subject).toBe('[MEDIUM] secret-rotation: web-prod/db-password non-compliant');
  });

  it('gives the runbook of a fix driftwarden will not run itself', () => {
    const { subject, body } = renderEmail(alertOf(fixture('alerts/remediation-planned-manual.json')));
    expect(subject).toBe('[HIGH] encryption-at-rest: db-K4TQ7XN2WZ5HRMEY3PCJ6FLAVU remediation planned');
    expect(body).toContain(
      'WHAT YOU NEED TO DO\n  driftwarden does not do this itself: an existing RDS instance cannot be encrypted in place; this needs a snapshot, an encrypted copy and a restore, with downtime\n\n  # 1. Snapshot the instance\n  aws rds create-db-snapshot',
    );
  });

  it.each([
    ['a 400-character resource id', { resourceId: `bucket-${'x'.repeat(400)}` }],
    ['a non-ASCII resource name', { resourceName: 'données-équipe-ü'.repeat(10) }],
    ['a long rule id', { ruleId: 'r'.repeat(120) }],
  ])('keeps the subject ASCII and under %s', (_case, change) => {
    const { subject } = renderEmail({ ...enrichedSecurityGroupAlert(), ...change });
    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toMatch(/^\[HIGH\] r*/);
  });

  it('counts per rule and severity and lists the first N resources in a digest', () => {
    const alerts = [...manySecurityGroupEvents(298), ruleCaseEvent(RULE_CASES[1]), ruleCaseEvent(RULE_CASES[3])].map((event) => alertOf(event));
    const { subject, body } = renderEmailDigest(alerts, 20);
    expect(subject).toBe('[driftwarden] Digest: 300 alerts (298 high, 2 medium) in 123456789012 eu-west-1');
    expect(body).toContain('public-app-ports  high      298         0            0');
    expect(body).toContain('vpc-flow-logs     medium      1         0            0');
    expect(body).toContain('FIRST 20 OF 300, MOST SEVERE FIRST');
    expect(body.match(/^ {2}- \[/gm)).toHaveLength(20);
    expect(body).toContain('... and 280 more. Every one is listed in AWS Config under its rule:\n  driftwarden-dev-public-app-ports: https://');
  });
});

describe('Alerts: Slack rendering', () => {
  it.each(RULE_CASES)('renders rule $ruleId within Block Kit limits, with a text fallback', (ruleCase) => {
    const alert = alertOf(ruleCaseEvent(ruleCase));
    const message = renderSlack(alert);
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.text).toContain(`${alert.severity.toUpperCase()} ${ruleCase.ruleId}`);
    expect(message.text).toContain('Changed by: unknown.');
    expect(message.blocks[0]).toMatchObject({ type: 'header' });
    expect(JSON.stringify(message.blocks)).toContain('*Who changed it:* unknown (not looked up)');
  });

  it('shows who changed it and links the resource, the rule and the CloudTrail event', () => {
    const message = renderSlack(enrichedSecurityGroupAlert());
    expect(message.text).toBe(
      'HIGH public-app-ports: AWS::EC2::SecurityGroup sg-0f1e2d3c4b5a69788 (driftwarden-dev-app) non-compliant in 123456789012 eu-west-1. ' +
        'Open to the internet: tcp 5173 from 0.0.0.0/0; tcp 4000 from 0.0.0.0/0; tcp 22 from ::/0 Changed by: alice@example.com (AuthorizeSecurityGroupIngress).',
    );
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('*Who changed it:* `AuthorizeSecurityGroupIngress` by `arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PowerUser_0a1b2c3d4e5f6a7b`, session `alice@example.com` from `203.0.113.24`');
    const actions = message.blocks.find((block) => block.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { text: { text: 'Open resource' }, url: expect.stringContaining('#SecurityGroup:groupId=sg-0f1e2d3c4b5a69788') },
        { text: { text: 'Config rule' }, url: expect.stringContaining('configRuleName=driftwarden-dev-public-app-ports') },
        { text: { text: 'CloudTrail event' }, url: expect.stringContaining('#/events/5f0c7d1e-8a2b-4c3d-9e4f-a1b2c3d4e5f6') },
      ],
    });
  });

  it.each([...OUTCOMES])('announces a remediation that was %s as a follow-up', (outcome) => {
    const message = renderSlack(remediationAlert(outcome));
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: expect.stringContaining(`remediation ${outcome}`) } });
    expect(JSON.stringify(message.blocks)).toContain('*What driftwarden did:*');
  });

  it('shows the runbook of a manual fix as a code block', () => {
    const message = renderSlack(alertOf(fixture('alerts/remediation-planned-manual.json')));
    expect(blockKitViolations(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('*What you need to do:* an existing RDS instance cannot be encrypted in place');
    expect(JSON.stringify(message.blocks)).toContain('```# 1. Snapshot the instance\\naws rds create-db-snapshot');
  });

  it('announces a resolved finding', () => {
    const message = renderSlack(resolvedAlert());
    expect(message.blocks[0]).toMatchObject({ text: { text: ':white_check_mark: HIGH · public-app-ports · resolved' } });
    expect(message.text).toContain('resolved in 123456789012 eu-west-1');
  });

  it('escapes mrkdwn control characters so resource data cannot open links or mentions', () => {
    const alert = { ...enrichedSecurityGroupAlert(), annotation: 'Open: <!channel> & <https://evil.example|click>' };
    const json = JSON.stringify(renderSlack(alert).blocks);
    expect(json).toContain('Open: &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    expect(json).not.toContain('<!channel>');
  });

  it.each([
    ['a mention', '<!channel>', '&lt;!channel&gt;'],
    ['a disguised link', '<https://evil.example/login|Click to re-authenticate>', '&lt;https://evil.example/login|Click to re-authenticate&gt;'],
    ['an ampersand', 'a & b', 'a &amp; b'],
  ])('escapes %s from resource data in the fallback text of one alert and of a digest', (_case, raw, escaped) => {
    const alert = { ...enrichedSecurityGroupAlert(), resourceName: raw, annotation: `Open: ${raw}` };
    for (const text of [renderSlack(alert).text, renderSlackDigest([alert, alert], 5).text]) {
      expect(text).toContain(escaped);
      expect(text).not.toMatch(/<[!h]/);
    }
  });

  it('does not leave half an escaped entity where the fallback text is cut', () => {
    const { text } = renderSlack({ ...enrichedSecurityGroupAlert(), annotation: '&'.repeat(5000) });
    expect(text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.fallbackText);
    expect(text).toMatch(/(&amp;)+…$/);
  });

  it.each([
    ['a huge annotation', { annotation: 'tcp 1 from 0.0.0.0/0; '.repeat(400) }],
    ['a huge resource id', { resourceId: 'x'.repeat(5000) }],
    ['a huge rule title', { ruleTitle: 'T'.repeat(4000) }],
  ])('stays within Block Kit limits with %s', (_case, change) => {
    expect(blockKitViolations(renderSlack({ ...enrichedSecurityGroupAlert(), ...change }))).toEqual([]);
  });

  it('fits a digest of 300 findings into one message within every Block Kit limit', () => {
    const alerts = manySecurityGroupEvents(300).map((event) => ({ ...alertOf(event), actor: ALICE }));
    const message = renderSlackDigest(alerts, 40);
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.blocks);
    expect(message.text).toMatch(/^driftwarden digest: 300 alerts in 123456789012 eu-west-1 \(300 high\)\. First: HIGH public-app-ports sg-0+ non-compliant/);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('`public-app-ports` high: 300 new');
    expect(json).toMatch(/Showing \d+ of 300, most severe first/);
  });

  it('lists no more resources in a digest than asked', () => {
    const alerts = manySecurityGroupEvents(30).map((event) => alertOf(event));
    const json = JSON.stringify(renderSlackDigest(alerts, 5).blocks);
    expect(json.match(/\*non-compliant\*/g)).toHaveLength(5);
    expect(json).toContain('Showing 5 of 30');
  });
});

describe('Alerts: secrets', () => {
  it('never shows the Slack webhook secret ARN or any webhook URL in a message', () => {
    const settings = parseSettings(
      { notifications: { slack: { webhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:driftwarden/slack-AbCdEf' } } },
      RULES,
    );
    const context = alertContext(settings);
    const alerts = [alertOf(ruleCaseEvent(RULE_CASES[0]), context), alertOf(fixture('alerts/remediation-failed.json'), context)];
    for (const alert of alerts) {
      const text = everyText(alert);
      expect(text).not.toContain('secretsmanager:eu-west-1:123456789012:secret:driftwarden/slack');
      expect(text).not.toContain('hooks.slack.com');
    }
  });
});

describe('Alerts: which compliance changes are news', () => {
  it.each([
    ['new', 'NON_COMPLIANT', 'COMPLIANT'],
    ['resolved', 'COMPLIANT', 'NON_COMPLIANT'],
    ['resolved', 'NOT_APPLICABLE', 'NON_COMPLIANT'],
    ['no news', 'COMPLIANT', 'COMPLIANT'],
    ['no news', 'NOT_APPLICABLE', 'COMPLIANT'],
  ] as const)('reads as %s: %s after %s', (expected, compliance, previous) => {
    const kind = expected === 'no news' ? undefined : expected;
    const event = complianceChange('public-app-ports', 'AWS::EC2::SecurityGroup', 'sg-0123', { compliance, previous });
    const context = alertContext();
    expect(kind === undefined ? undefined : alertOf(event, context).kind).toBe(kind);
  });
});

describe('Alerts: remediation events as the remediation Lambda writes them', () => {
  it.each(['skipped', 'already-fixed'] as const)('reads a %s run built by eventDetailOf', (outcome) => {
    const detail = eventDetailOf({
      auditId: 'audit-1',
      eventId: 'event-1',
      origin: 'lambda',
      ruleId: 'vpc-flow-logs',
      remediation: 'enable-flow-logs',
      resourceType: 'AWS::EC2::VPC',
      resourceId: 'vpc-0a1b2c3d4e5f60718',
      mode: 'notify',
      outcome,
      ...(outcome === 'skipped' && { reason: 'mode-notify' as const }),
      summary: 'Mode notify: reported only.',
      createdAt: '2025-06-12T09:42:45.000Z',
      updatedAt: '2025-06-12T09:42:46.000Z',
    });
    const event = { version: '0', id: 'eb-1', 'detail-type': detailTypeOf(outcome), source: 'driftwarden', account: '123456789012', time: '2025-06-12T09:42:46Z', region: 'eu-west-1', resources: [], detail };
    expect(alertOf(event)).toMatchObject({
      kind: 'remediation',
      accountId: '123456789012',
      region: 'eu-west-1',
      since: '2025-06-12T09:42:46.000Z',
      result: { outcome: outcome === 'skipped' ? 'skipped' : 'applied', summary: 'Mode notify: reported only.', reversible: false },
    });
  });
});
