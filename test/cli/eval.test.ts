import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, fixture } from '../helpers';
import { runSubprocess } from './run';


function driftwarden(...args: string[]) {
  return runSubprocess(args);
}

describe('CLI: driftwarden eval', () => {
  it('prints the PutEvaluations entries for an event that carries its item, without AWS', async () => {
    const run = await driftwarden('eval', join(FIXTURES, 'config', 'event-change-sg.json'));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual({
      configRuleName: 'driftwarden-dev-public-app-ports',
      ruleId: 'public-app-ports',
      messageType: 'ConfigurationItemChangeNotification',
      evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::SecurityGroup',
          ComplianceResourceId: 'sg-0f1e2d3c4b5a69788',
          ComplianceType: 'NON_COMPLIANT',
          Annotation: expect.stringContaining('tcp 5173 from 0.0.0.0/0'),
          OrderingTimestamp: '2025-06-12T09:41:27.318Z',
        },
      ],
    });
  });

  it.each([
    ['a scheduled notification without --live', join(FIXTURES, 'config', 'event-scheduled-vpc.json'), /scheduled notification: it evaluates the live account; run with --live/],
    ['an oversized notification without --live', join(FIXTURES, 'config', 'event-oversized-sg.json'), /carries no configuration item; run with --live/],
    ['something that is not a rule event', join(FIXTURES, 'config', 'vpc.json'), /Not an AWS Config rule invocation: .*resultToken: Required/],
    ['a missing file', join(FIXTURES, 'config', 'no-such-event.json'), /Cannot read .*no such file/],
  ])('exits 2 with a one-line error for %s', async (_case, file, message) => {
    const run = await driftwarden('eval', file);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says which time field is not a time instead of "unexpected error"', async () => {
    const event = fixture<{ invokingEvent: string }>('config/event-change-sg.json');
    const invoking = JSON.parse(event.invokingEvent);
    invoking.configurationItem.configurationItemCaptureTime = 1e308;
    const file = join(mkdtempSync(join(tmpdir(), 'driftwarden-eval-')), 'event.json');
    writeFileSync(file, JSON.stringify({ ...event, invokingEvent: JSON.stringify(invoking) }));
    const run = await driftwarden('eval', file);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/configurationItemCaptureTime is not a time: 1e\+308/);
    expect(run.stderr).not.toContain('unexpected error');
  });
});
