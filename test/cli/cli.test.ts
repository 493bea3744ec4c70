import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { FIXTURES, fixture } from '../helpers';
import { runSubprocess } from './run';

const WORK = mkdtempSync(join(tmpdir(), 'driftwarden-cli-'));
const PLAN = join(FIXTURES, 'terraform', 'plan-web.json');

/** Runs the installed entry point as a user would, with no AWS configuration in the environment. */
function driftwarden(...args: string[]) {
  return runSubprocess(args, { cwd: WORK, env: { NO_COLOR: '', HOME: WORK, AWS_EC2_METADATA_DISABLED: 'true' } });
}

function file(name: string, content: string | object): string {
  const path = join(WORK, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

// The official schema's `language` pattern has a stray `]`, legal only without the `u` flag.
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(fixture('sarif/sarif-schema-2.1.0.json'));

function sarifSchemaErrors(log: unknown): unknown[] {
  return validateSarif(log) ? [] : (validateSarif.errors ?? []);
}

describe('README: the demo output', () => {
  it('is what `npm start` prints today', async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const shown = /```console\n\$ npm start\n([\s\S]*?)```/.exec(readme);
    expect(shown).not.toBeNull();
    expect((await driftwarden('scan', '--demo')).stdout).toBe(shown![1]);
  });
});

describe('CLI: driftwarden scan', () => {
  it('scans the demo account, prints its drift and exits 0', async () => {
    const run = await driftwarden('scan', '--demo');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('HIGH (2)');
    expect(run.stdout).toContain('Open to the internet: tcp 4000 from 0.0.0.0/0; tcp 5173 from 0.0.0.0/0');
    expect(run.stdout).toContain('RDS instance web-prod-db is not encrypted.');
    expect(run.stdout).toContain('Secret web-prod/db-password has no automatic rotation');
    expect(run.stdout).toContain('vpc-07d1f9e3a2c58b460 has no flow log');
    expect(run.stdout).toContain('4 findings (2 high, 2 medium), 9 compliant, 1 exempt');
    // Piped output carries no colour codes.
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('lists compliant and exempt evaluations with --all', async () => {
    const run = await driftwarden('scan', '--demo', '--all');
    expect(run.stdout).toContain('EXEMPT (1)');
    expect(run.stdout).toContain('[exempt: break-glass bastion');
    expect(run.stdout).toContain('COMPLIANT (9)');
  });

  it.each([
    [['--demo', '--fail-on', 'high'], 1],
    [['--demo', '--fail-on', 'critical'], 0],
    [['--terraform', PLAN], 1],
    [['--terraform', PLAN, '--fail-on', 'none'], 0],
    [['--terraform', PLAN, '--param', 'public-app-ports.authorizedTcpPorts=22,443,3000,4000,5173', '--param', 'encryption-at-rest.requireCustomerManagedKey=false', '--fail-on', 'medium'], 1],
  ])('scan %j exits %i', async (args, code) => {
    expect((await driftwarden('scan', ...args)).code).toBe(code);
  });

  it('names Terraform addresses in findings', async () => {
    const run = await driftwarden('scan', '--terraform', PLAN);
    expect(run.stdout).toContain('module.app.aws_security_group.app');
    expect(run.stdout).toContain('Not evaluated: 1 resource the plan destroys.');
    const all = await driftwarden('scan', '--terraform', PLAN, '--all');
    expect(all.stdout).toContain('aws_s3_bucket.tenant["globex"]');
  });

  it('prints every evaluation as JSON, per the output contract', async () => {
    const run = await driftwarden('scan', '--terraform', PLAN, '--format', 'json');
    const output = JSON.parse(run.stdout);
    expect(output.summary).toMatchObject({ source: { kind: 'terraform', file: PLAN }, resources: 20, evaluations: 20, nonCompliant: 8, compliant: 12, destroyed: 1 });
    expect(output.findings).toHaveLength(20);
    expect(output.findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'public-app-ports',
        resourceType: 'AWS::EC2::SecurityGroup',
        resourceId: 'sg-0f19c6a84d2e7b305',
        compliance: 'NON_COMPLIANT',
        severity: 'high',
        address: 'module.app.aws_security_group.app',
        annotation: expect.stringContaining('tcp 5173 from 0.0.0.0/0'),
      }),
    );
    expect(new Set(output.findings.map((finding: { compliance: string }) => finding.compliance))).toEqual(new Set(['COMPLIANT', 'NON_COMPLIANT']));
  });

  it('writes SARIF 2.1.0 that validates against the schema, with the plan file and address as location', async () => {
    const output = join(WORK, 'plan.sarif');
    writeFileSync(join(WORK, 'plan.json'), readFileSync(PLAN));
    const run = await driftwarden('scan', '--terraform', 'plan.json', '--format', 'sarif', '--output', output);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`driftwarden: wrote the sarif report to ${output} (8 findings).\n`);
    const sarif = JSON.parse(readFileSync(output, 'utf8'));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    const result = sarif.runs[0].results.find((candidate: { locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) =>
      candidate.locations[0]!.logicalLocations[0]!.fullyQualifiedName === 'module.app.aws_security_group.app',
    );
    expect(result).toMatchObject({ ruleId: 'public-app-ports', level: 'error', locations: [{ physicalLocation: { artifactLocation: { uri: 'plan.json', uriBaseId: '%SRCROOT%' } } }] });
    expect(sarif.runs[0].tool.driver.rules.map((rule: { id: string }) => rule.id)).toEqual(['vpc-flow-logs', 'public-app-ports', 'encryption-at-rest', 'secret-rotation']);
  });

  it('marks exempt resources as suppressed in SARIF, located at a logical artifact naming the resource when there is no file', async () => {
    const sarif = JSON.parse((await driftwarden('scan', '--demo', '--format', 'sarif')).stdout);
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    const vpc = sarif.runs[0].results.find((result: { ruleId: string }) => result.ruleId === 'vpc-flow-logs');
    expect(vpc.locations[0]).toEqual({
      physicalLocation: { artifactLocation: { uri: 'aws/123456789012/eu-west-1/AWS-EC2-VPC/vpc-07d1f9e3a2c58b460', uriBaseId: '%SRCROOT%' }, region: { startLine: 1 } },
      logicalLocations: [{ name: 'vpc-07d1f9e3a2c58b460', fullyQualifiedName: expect.stringMatching(/^arn:aws:ec2:eu-west-1:123456789012:vpc\//), kind: 'resource' }],
      message: { text: 'AWS::EC2::VPC vpc-07d1f9e3a2c58b460' },
    });
    expect(sarif.runs[0].results.filter((result: { suppressions?: unknown }) => result.suppressions)).toEqual([
      expect.objectContaining({ ruleId: 'public-app-ports', suppressions: [{ kind: 'external', justification: expect.stringContaining('break-glass bastion') }] }),
    ]);
  });

  it.each([
    ['batch-get-resource-config output', { baseConfigurationItems: [fixture('config/sg-public-app.json')], unprocessedResourceKeys: [] }],
    ['get-resource-config-history output', { configurationItems: [fixture('config/sg-public-app.json')] }],
    ['an array of items', [fixture('config/sg-public-app.json')]],
    ['one item', fixture('config/sg-public-app.json')],
  ])('reads a snapshot given as %s', async (_form, content) => {
    const run = await driftwarden('scan', '--snapshot', file('snapshot.json', content), '--format', 'json');
    expect(JSON.parse(run.stdout).findings).toEqual([expect.objectContaining({ ruleId: 'public-app-ports', resourceId: 'sg-0f1e2d3c4b5a69788', compliance: 'NON_COMPLIANT' })]);
    expect(run.code).toBe(1);
  });

  describe('an unknown verdict (a snapshot without FlowLog items cannot tell a VPC\'s flow logs)', () => {
    const vpcOnly = () => file('vpc-only.json', [fixture('config/vpc.json')]);

    it('lists it as unknown with its reason in the table and counts it in the summary', async () => {
      const run = await driftwarden('scan', '--snapshot', vpcOnly(), '--fail-on', 'medium');
      expect(run.stdout).toContain('UNKNOWN (1)\n  vpc-flow-logs  vpc-0a1b2c3d4e5f60718\n                 Flow logs of vpc-0a1b2c3d4e5f60718 could not be looked up');
      expect(run.stdout).toContain('0 findings, 1 unknown, 0 compliant');
      expect(run.stdout).not.toContain('No findings.');
      expect(run.code).toBe(0);
    });

    it.each([
      [['--fail-on', 'medium', '--fail-on-unknown'], 1],
      [['--fail-on', 'high', '--fail-on-unknown'], 0],
      [['--fail-on', 'none', '--fail-on-unknown'], 0],
    ])('with %j exits %i', async (flags, code) => {
      expect((await driftwarden('scan', '--snapshot', vpcOnly(), ...flags)).code).toBe(code);
    });

    it('is INSUFFICIENT_DATA in JSON, counted apart from compliant and findings', async () => {
      const report = JSON.parse((await driftwarden('scan', '--snapshot', vpcOnly(), '--format', 'json')).stdout);
      expect(report.summary).toMatchObject({ insufficientData: 1, compliant: 0, nonCompliant: 0, byRule: { 'vpc-flow-logs': expect.objectContaining({ insufficientData: 1 }) } });
      expect(report.findings).toEqual([expect.objectContaining({ resourceId: 'vpc-0a1b2c3d4e5f60718', compliance: 'INSUFFICIENT_DATA', annotation: expect.stringContaining('could not be looked up') })]);
    });

    it('is a SARIF result of level note', async () => {
      const log = JSON.parse((await driftwarden('scan', '--snapshot', vpcOnly(), '--format', 'sarif')).stdout);
      expect(sarifSchemaErrors(log)).toEqual([]);
      expect(log.runs[0].results).toEqual([expect.objectContaining({ ruleId: 'vpc-flow-logs', level: 'note', properties: expect.objectContaining({ compliance: 'INSUFFICIENT_DATA' }) })]);
    });

    it('has its own section and count in the HTML report', async () => {
      const html = (await driftwarden('scan', '--snapshot', vpcOnly(), '--format', 'html')).stdout;
      expect(html).toContain('<h2>Unknown</h2><table id="unknown">');
      expect(html).toContain('0 findings, 1 unknown, 0 exempt');
    });
  });

  it('counts resource types it does not evaluate and goes on', async () => {
    const subnet = { ...fixture('config/vpc.json'), resourceType: 'AWS::EC2::Subnet', resourceId: 'subnet-0a1a2b3b4c5c6d7d8' };
    const run = await driftwarden('scan', '--snapshot', file('subnet.json', [subnet, fixture('config/sg-compliant.json')]));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('Skipped 1 resource of types driftwarden does not evaluate: AWS::EC2::Subnet (1).');
  });

  it('reads rule settings from a YAML --config file', async () => {
    const config = file('settings.yml', 'rules:\n  public-app-ports:\n    parameters:\n      authorizedTcpPorts: "80,443,4000,5173"\n  encryption-at-rest:\n    enabled: false\n');
    const run = await driftwarden('scan', '--demo', '--config', config, '--format', 'json');
    const { summary } = JSON.parse(run.stdout);
    expect(Object.keys(summary.byRule)).toEqual(['vpc-flow-logs', 'public-app-ports', 'secret-rotation']);
    expect(summary.byRule['public-app-ports'].nonCompliant).toBe(0);
  });

  it('writes a self-contained HTML report', async () => {
    const output = join(WORK, 'report.html');
    const run = await driftwarden('scan', '--demo', '--format', 'html', '--output', output);
    expect(run.code).toBe(0);
    const html = readFileSync(output, 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/(src|href)=["']https?:/);
  });

  it.each([
    ['a file that is not JSON', ['--snapshot', 'README.txt'], /^driftwarden: .*README\.txt is not JSON \(.*\); give the output of `terraform show -json` or of `aws configservice`\.\n$/],
    ['JSON that is neither a plan nor Config items', ['--snapshot', 'other.json'], /^driftwarden: .*other\.json is neither AWS Config items .*use --terraform\.\n$/],
    ['JSON that is neither, given as a plan', ['--terraform', 'other.json'], /^driftwarden: .*other\.json is not the JSON of `terraform show -json`.*\n$/],
    ['a plan given as a snapshot', ['--snapshot', PLAN], /^driftwarden: .* is `terraform show -json` output, not AWS Config items; use --terraform .*\n$/],
    ['Config items given as a plan', ['--terraform', 'items.json'], /^driftwarden: .*items\.json holds AWS Config items, not `terraform show -json` output; use --snapshot .*\n$/],
    ['an unsupported format_version', ['--terraform', join(FIXTURES, 'terraform', 'plan-unsupported-version.json')], /^driftwarden: .*format_version 2\.0 is not supported \(driftwarden reads 1\.x\); produce it with a Terraform 1\.x `terraform show -json`, or upgrade driftwarden\.\n$/],
    ['a missing file', ['--terraform', 'missing.json'], /^driftwarden: Cannot read the input missing\.json: no such file\.\n$/],
    ['two sources', ['--demo', '--terraform', PLAN], /^driftwarden: Give one source: .*\n$/],
    ['an unknown rule in --param', ['--demo', '--param', 'open-ports.authorizedTcpPorts=80'], /^driftwarden: No driftwarden rule matches "open-ports" \(known rules: .*\)\n$/],
    ['a bad parameter value', ['--demo', '--param', 'public-app-ports.authorizedTcpPorts=http'], /^driftwarden: Rule public-app-ports: parameter "authorizedTcpPorts": "http" is not a port or port range .*\n$/],
    ['an unknown parameter', ['--demo', '--param', 'secret-rotation.maxAge=30'], /^driftwarden: --param secret-rotation\.maxAge=30: rule secret-rotation has no parameter "maxAge" \(known: maxAgeDays\)\n$/],
    ['a bad settings file', ['--demo', '--config', 'bad-settings.yml'], /^driftwarden: bad-settings\.yml: rules\.public-app-ports: .*\n$/],
    ['an unknown format', ['--demo', '--format', 'xml'], /^driftwarden: option '--format <format>' argument 'xml' is invalid\. Allowed choices are table, json, sarif, html, junit, markdown, github, asff, ocsf\.\n$/],
    ['an unknown option', ['--demo', '--colour'], /^driftwarden: unknown option '--colour'\n$/],
    ['an output file that cannot be written', ['--demo', '--output', 'no-such-folder/report.txt'], /^driftwarden: Cannot write no-such-folder\/report\.txt: its folder does not exist\.\n$/],
    ['a live scan with no region', [], /^driftwarden: No AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile\.\n$/],
    ['a live scan with no credentials', ['--region', 'eu-west-1'], /^driftwarden: No AWS credentials found: run `aws configure` or `aws sso login`, pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\.\n$/],
  ])('rejects %s with one line on stderr and exit code 2', async (_case, args, message) => {
    file('README.txt', '# not json');
    file('other.json', { hello: 'world' });
    file('items.json', [fixture('config/vpc.json')]);
    file('bad-settings.yml', 'rules:\n  public-app-ports:\n    parameters:\n      authorizedTcpPorts: "eighty"\n');
    const run = await driftwarden('scan', ...args);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(message);
  });

  it('prints its version and help with exit code 0', async () => {
    expect(await driftwarden('--version')).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const help = await driftwarden('scan', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--terraform <path>');
  });
});
