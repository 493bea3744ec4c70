import { DriftwardenError } from '../../lib/errors';
import { createLookups } from '../../lib/lookups';
import type { LiveCollection, LiveCollector, LiveScanRequest } from '../../cli/live';
import { runCli } from '../../cli/main';
import { itemResource, NOW } from '../helpers';
import { Capture } from './run';

/** Stands in for the AWS listing: records what it was asked and answers with fixture resources. */
class FakeCollector implements LiveCollector {
  requests: LiveScanRequest[] = [];
  constructor(private readonly answer: () => LiveCollection) {}
  async collect(request: LiveScanRequest): Promise<LiveCollection> {
    this.requests.push(request);
    request.onProgress?.({ done: 1, total: 2, label: 'AWS::EC2::SecurityGroup in eu-west-1' });
    request.onProgress?.({ done: 2, total: 2, label: 'AWS::RDS::DBInstance in eu-west-1' });
    return this.answer();
  }
}

const LISTED: LiveCollection = {
  resources: [itemResource('sg-public-app'), itemResource('rds-instance-unencrypted')],
  lookups: createLookups({}),
  errors: [{ resourceType: 'AWS::EFS::FileSystem', region: 'us-east-1', message: 'AccessDeniedException: not authorized to perform elasticfilesystem:DescribeFileSystems' }],
  listed: 9,
};

const NOTHING_READ: LiveCollection = {
  resources: [],
  lookups: createLookups({}),
  errors: ['AWS::EC2::VPC', 'AWS::EC2::SecurityGroup'].map((resourceType) => ({ resourceType, region: 'eu-west-1', message: 'connect ETIMEDOUT 169.254.169.254:80' })),
  listed: 0,
};

async function scanLive(args: string[], collector: LiveCollector, tty = false) {
  const stdout = new Capture(tty);
  const stderr = new Capture(tty);
  const code = await runCli(['scan', ...args], { stdout, stderr, now: () => NOW, liveCollector: collector });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('CLI: driftwarden scan of a live account', () => {
  it('passes profile, regions and concurrency to the collector and evaluates what it lists', async () => {
    const collector = new FakeCollector(() => LISTED);
    const run = await scanLive(['--profile', 'audit', '--region', 'eu-west-1,us-east-1', '--region', 'eu-central-1', '--concurrency', '4', '--format', 'json'], collector);
    expect(collector.requests).toEqual([expect.objectContaining({ profile: 'audit', regions: ['eu-west-1', 'us-east-1', 'eu-central-1'], concurrency: 4 })]);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ source: { kind: 'live' }, resources: 2, nonCompliant: 2 });
    expect(run.code).toBe(2);
  });

  it('warns about each resource type it could not list, goes on, and exits 2 for the incomplete scan', async () => {
    const run = await scanLive([], new FakeCollector(() => LISTED));
    expect(run.stderr).toBe(
      'driftwarden: warning: could not list AWS::EFS::FileSystem in us-east-1: AccessDeniedException: not authorized to perform elasticfilesystem:DescribeFileSystems\n' +
        'driftwarden: the scan is incomplete: 1 part(s) of the input could not be read (see the report); pass --allow-partial to accept it.\n',
    );
    expect(run.stdout).toContain('HIGH (2)');
    expect(run.stdout).toContain('INCOMPLETE: 1 part(s) of the input could not be read; what they hold was not judged.\n  Not read: AWS::EFS::FileSystem in us-east-1 (AccessDeniedException');
    expect(run.code).toBe(2);
  });

  it.each([
    [['--allow-partial'], 1],
    [['--allow-partial', '--fail-on', 'none'], 0],
  ])('accepts an incomplete scan with %j and exits by the findings (%i)', async (flags, code) => {
    expect((await scanLive(flags, new FakeCollector(() => LISTED))).code).toBe(code);
  });

  it('names what it did not read in JSON summary.incomplete and as SARIF notifications', async () => {
    const json = JSON.parse((await scanLive(['--format', 'json'], new FakeCollector(() => LISTED))).stdout);
    expect(json.summary.incomplete).toEqual([{ resourceType: 'AWS::EFS::FileSystem', region: 'us-east-1', reason: expect.stringContaining('AccessDeniedException') }]);
    const sarif = JSON.parse((await scanLive(['--format', 'sarif'], new FakeCollector(() => LISTED))).stdout);
    expect(sarif.runs[0].invocations).toEqual([
      {
        executionSuccessful: false,
        toolExecutionNotifications: [expect.objectContaining({ level: 'error', message: { text: expect.stringMatching(/^Not read: AWS::EFS::FileSystem in us-east-1: AccessDeniedException/) } })],
      },
    ]);
    const html = (await scanLive(['--format', 'html'], new FakeCollector(() => LISTED))).stdout;
    expect(html).toContain('<div id="incomplete" class="incomplete"><strong>Incomplete scan: 1 listing(s) could not be read');
  });

  it.each([[[]], [['--allow-partial']], [['--allow-partial', '--fail-on', 'none']]])('exits 2 with %j when nothing at all could be read, and never says "No findings."', async (flags) => {
    const run = await scanLive(flags, new FakeCollector(() => NOTHING_READ));
    expect(run.code).toBe(2);
    expect(run.stdout).not.toContain('No findings.');
    expect(run.stdout).toContain('Not read: AWS::EC2::VPC in eu-west-1 (connect ETIMEDOUT');
    expect(run.stderr).toContain('driftwarden: nothing could be read');
  });

  it('shows a progress bar only on a terminal', async () => {
    expect((await scanLive(['--fail-on', 'none'], new FakeCollector(() => ({ ...LISTED, errors: [] })), true)).stderr).toContain('Listing');
    expect((await scanLive(['--fail-on', 'none'], new FakeCollector(() => ({ ...LISTED, errors: [] })), false)).stderr).toBe('');
  });

  it('colours the table only on a terminal', async () => {
    expect((await scanLive([], new FakeCollector(() => LISTED), true)).stdout).toContain('\u001b[31;1mHIGH (2)\u001b[0m');
  });

  it('turns a collector error into one line and exit code 2', async () => {
    const failing = new FakeCollector(() => {
      throw new DriftwardenError('No AWS credentials found; run `aws configure` or pass --profile.');
    });
    expect(await scanLive([], failing)).toEqual({ code: 2, stdout: '', stderr: 'driftwarden: No AWS credentials found; run `aws configure` or pass --profile.\n' });
  });

  it('rejects a concurrency that is not a positive whole number', async () => {
    expect(await scanLive(['--concurrency', '0'], new FakeCollector(() => LISTED))).toMatchObject({ code: 2, stderr: expect.stringContaining('--concurrency 0: expected a whole number of at least 1') });
  });
});
