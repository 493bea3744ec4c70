import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertsForEvaluations, previewNotifications } from '../../cli/actions/notify';
import { blockKitViolations } from '../../lib/alerts/slack';
import type { Evaluation } from '../../lib/evaluate';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';
import { runSubprocess } from './run';

const WORK = mkdtempSync(join(tmpdir(), 'driftwarden-notify-'));

function driftwarden(...args: string[]) {
  return runSubprocess(args, { cwd: WORK, env: { HOME: WORK } });
}

function settingsFile(text: string): string {
  const path = join(WORK, `settings-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(path, text);
  return path;
}

let slack: Server;
let replies: { status: number; headers?: Record<string, string> }[] = [];
const received: any[] = [];
let webhookUrl: string;

beforeAll(async () => {
  slack = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      received.push(JSON.parse(text));
      const reply = replies.shift() ?? { status: 200 };
      response.writeHead(reply.status, reply.headers ?? {}).end(reply.status === 200 ? 'ok' : reply.status === 429 ? 'rate_limited' : 'invalid_token');
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T0001/B0002/SECRETTOKENxyz`;
});

afterAll(async () => {
  slack.closeAllConnections();
  await new Promise<void>((resolve) => slack.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  replies = [];
});

describe('CLI: driftwarden notify', () => {
  it('prints one email and one Slack message per demo finding, leaving out the exempt bastion', async () => {
    const run = await driftwarden('notify', '--demo');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('== Email: 4 message(s) to the SNS topic ==');
    expect(run.stdout).toContain('Subject: [HIGH] public-app-ports: sg-0a93f6c2e7b15d048 (web-prod-app) non-compliant');
    expect(run.stdout).toContain('Open to the internet: tcp 4000 from 0.0.0.0/0; tcp 5173 from 0.0.0.0/0');
    expect(run.stdout).toContain('unknown: the CLI does not search CloudTrail; the deployed notifier does');
    expect(run.stdout).toContain('== Slack: 4 message(s), Block Kit JSON ==');
    expect(run.stdout).not.toContain('web-prod-bastion');
  });

  it('groups the findings into one digest per channel above the configured threshold', async () => {
    const run = await driftwarden('notify', '--demo', '--format', 'json', '--config', settingsFile('notifications:\n  digest:\n    threshold: 2\n'));
    expect(run.code).toBe(0);
    const output = JSON.parse(run.stdout);
    expect(output.email).toHaveLength(1);
    expect(output.email[0].subject).toBe('[driftwarden] Digest: 4 alerts (2 high, 2 medium) in 123456789012 eu-west-1');
    expect(output.slack).toHaveLength(1);
    expect(blockKitViolations(output.slack[0])).toEqual([]);
  });

  it('routes by each channel’s minimum severity from settings', async () => {
    const run = await driftwarden('notify', '--demo', '--format', 'json', '--config', settingsFile('notifications:\n  email:\n    minimumSeverity: high\n  slack:\n    minimumSeverity: critical\n'));
    const output = JSON.parse(run.stdout);
    expect(output.email.map((email: { subject: string }) => email.subject)).toEqual([
      '[HIGH] encryption-at-rest: db-K4TQ7XN2WZ5HRMEY3PCJ6FLAVU (web-prod-db) non-compliant',
      '[HIGH] public-app-ports: sg-0a93f6c2e7b15d048 (web-prod-app) non-compliant',
    ]);
    expect(output.slack).toEqual([]);
  });

  it('delivers to a real webhook, retrying a 429 after its Retry-After, and never prints the URL', async () => {
    replies = [{ status: 429, headers: { 'retry-after': '0' } }];
    const run = await driftwarden('notify', '--demo', '--slack-webhook-url', webhookUrl);
    expect(run.code).toBe(0);
    expect(received).toHaveLength(5);
    expect(received[0]).toEqual(received[1]);
    expect(run.stderr).toBe(
      [
        'driftwarden: Slack message 1 of 4 delivered (2 attempts).',
        'driftwarden: Slack message 2 of 4 delivered (1 attempt).',
        'driftwarden: Slack message 3 of 4 delivered (1 attempt).',
        'driftwarden: Slack message 4 of 4 delivered (1 attempt).',
        '',
      ].join('\n'),
    );
    expect(run.stdout + run.stderr).not.toContain('SECRETTOKEN');
  });

  it('fails with exit code 2 and a reason without the URL when Slack refuses', async () => {
    replies = [{ status: 403 }];
    const run = await driftwarden('notify', '--demo', '--slack-webhook-url', webhookUrl);
    expect(run).toMatchObject({ code: 2, stderr: 'driftwarden: Slack refused the message: HTTP 403 invalid_token\n' });
    expect(run.stdout + run.stderr).not.toContain('SECRETTOKEN');
  });

  it.each([
    [['notify'], 'driftwarden: notify needs findings: --demo or --snapshot FILE.\n'],
    [['notify', '--demo', '--slack-webhook-url', 'http://hooks.example.com/services/SECRETTOKENxyz'], 'driftwarden: The Slack webhook URL must use https\n'],
  ])('rejects %j with exit code 2', async (args, stderr) => {
    const run = await driftwarden(...args);
    expect(run).toMatchObject({ code: 2, stderr });
  });
});

describe('CLI: notify core', () => {
  const evaluation: Evaluation = {
    ruleId: 'vpc-flow-logs',
    severity: 'medium',
    resourceType: 'AWS::EC2::VPC',
    resourceId: 'vpc-0a1b2c3d4e5f60718',
    accountId: '123456789012',
    region: 'eu-west-1',
    compliance: 'NON_COMPLIANT',
    annotation: 'vpc-0a1b2c3d4e5f60718 has no flow log: its network traffic is not recorded.',
    orderingTimestamp: '2025-06-12T09:41:27.318Z',
  };
  const now = new Date('2025-06-12T10:00:00Z');

  it.each([
    ['a non-compliant evaluation', 1, evaluation],
    ['a compliant one', 0, { ...evaluation, compliance: 'COMPLIANT' as const }],
    ['an exempt one', 0, { ...evaluation, exemption: { reason: 'lab' } }],
  ])('turns %s into %i alert(s)', (_case, count, input) => {
    expect(alertsForEvaluations([input], parseSettings({}, RULES), 'prod', now)).toHaveLength(count);
  });

  it("links the stage's Config rule and uses the rule's mode from settings", () => {
    const settings = parseSettings({ rules: { 'vpc-flow-logs': { mode: 'auto' } } }, RULES);
    const [alert] = alertsForEvaluations([evaluation], settings, 'prod', now);
    expect(alert).toMatchObject({ kind: 'new', configRuleName: 'driftwarden-prod-vpc-flow-logs', mode: 'auto', remediation: 'enable-flow-logs' });
    const preview = previewNotifications([alert!], settings);
    expect(preview.email[0]?.message.body).toContain('Mode auto: driftwarden re-checks the resource');
  });
});
