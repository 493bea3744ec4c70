import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { validateXML } from 'xmllint-wasm';
import { runCli } from '../../cli/main';
import { findSettingsFile } from '../../cli/settings';
import { FIXTURES, fixture, NOW } from '../helpers';
import { runInProcess, runSubprocess } from './run';

const WORK = mkdtempSync(join(tmpdir(), 'driftwarden-ci-'));
const PLAN = join(FIXTURES, 'terraform', 'plan-web.json');

function file(name: string, content: string): string {
  const path = join(WORK, name);
  writeFileSync(path, content);
  return path;
}

function findingIds(stdout: string): string[] {
  return JSON.parse(stdout)
    .findings.filter((finding: { compliance: string; exemption?: unknown; baselined?: boolean }) => finding.compliance === 'NON_COMPLIANT' && !finding.exemption && !finding.baselined)
    .map((finding: { ruleId: string; resourceName?: string; resourceId: string }) => `${finding.ruleId} ${finding.resourceName ?? finding.resourceId}`)
    .sort();
}

describe('CLI: choosing what runs', () => {
  it.each([
    [['--rule', 'public-app-ports'], ['public-app-ports']],
    [['--rule', 'encryption-*', '--rule', 'vpc-*'], ['encryption-at-rest', 'vpc-flow-logs']],
    [['--skip-rule', 'secret-rotation', '--skip-rule', 'vpc-*'], ['encryption-at-rest', 'public-app-ports']],
    [['--severity', 'high'], ['encryption-at-rest', 'public-app-ports']],
  ])('runs only the rules %j selects', async (flags, expected) => {
    const run = await runInProcess('scan', '--demo', '--format', 'json', ...flags);
    expect(Object.keys(JSON.parse(run.stdout).summary.byRule).sort()).toEqual(expected);
  });

  it('rejects a rule pattern that matches nothing, naming the known rules', async () => {
    const run = await runInProcess('scan', '--demo', '--rule', 'open-ports');
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'driftwarden: --rule open-ports: no rule matches (known rules: vpc-flow-logs, public-app-ports, encryption-at-rest, secret-rotation)\n' });
  });

  it('takes the same choices from the settings file', async () => {
    const config = file('select.yml', 'scan:\n  skipRule: [secret-rotation]\n  severity: medium\n  rule: ["*"]\n');
    const run = await runInProcess('scan', '--demo', '--format', 'json', '--config', config);
    expect(Object.keys(JSON.parse(run.stdout).summary.byRule).sort()).toEqual(['encryption-at-rest', 'public-app-ports', 'vpc-flow-logs']);
  });

  it('finds .driftwarden.yml in the working folder, else at the repository root', () => {
    const repository = join(WORK, 'repository');
    mkdirSync(join(repository, '.git', 'objects'), { recursive: true });
    mkdirSync(join(repository, 'infra', 'prod'), { recursive: true });
    expect(findSettingsFile(join(repository, 'infra', 'prod'))).toBeUndefined();
    writeFileSync(join(repository, '.driftwarden.yml'), 'scan:\n  severity: high\n');
    expect(findSettingsFile(join(repository, 'infra', 'prod'))).toBe(join(repository, '.driftwarden.yml'));
    writeFileSync(join(repository, 'infra', 'prod', '.driftwarden.yml'), 'scan:\n  severity: low\n');
    expect(findSettingsFile(join(repository, 'infra', 'prod'))).toBe(join(repository, 'infra', 'prod', '.driftwarden.yml'));
  });

  it('uses a discovered .driftwarden.yml without --config', async () => {
    const repository = mkdtempSync(join(tmpdir(), 'driftwarden-repo-'));
    mkdirSync(join(repository, '.git'));
    mkdirSync(join(repository, 'infra'));
    writeFileSync(join(repository, '.driftwarden.yml'), 'scan:\n  rule: [vpc-flow-logs]\n');
    const run = await runSubprocess(['scan', '--demo', '--format', 'json'], { cwd: join(repository, 'infra') });
    expect(Object.keys(JSON.parse(run.stdout).summary.byRule)).toEqual(['vpc-flow-logs']);
  });
});

describe('CLI: suppressions and baselines', () => {
  it('lists a suppressed finding as exempt with its reason, and stops applying an expired entry', async () => {
    const suppressions = file(
      'suppressions.yml',
      [
        'suppressions:',
        '  - resource: web-prod-db',
        '    rule: encryption-at-rest',
        '    reason: migrating to an encrypted copy, CHG-118',
        '    expires: 2025-07-01',
        '  - resource: vpc-07d1f9e3a2c58b460',
        '    rule: "vpc-*"',
        '    reason: expired entry',
        '    expires: 2025-06-01',
      ].join('\n'),
    );
    const run = await runInProcess('scan', '--demo', '--format', 'json', '--suppressions', suppressions);
    const findings = JSON.parse(run.stdout).findings;
    expect(findings.find((finding: { resourceName?: string; ruleId: string }) => finding.resourceName === 'web-prod-db' && finding.ruleId === 'encryption-at-rest').exemption).toEqual({
      reason: 'migrating to an encrypted copy, CHG-118',
      until: '2025-07-01',
    });
    expect(findingIds(run.stdout)).toContain('vpc-flow-logs vpc-07d1f9e3a2c58b460');
    expect(JSON.parse(run.stdout).summary).toMatchObject({ nonCompliant: 3, exempt: 2 });
    const table = await runInProcess('scan', '--demo', '--all', '--suppressions', suppressions);
    expect(table.stdout).toContain('[exempt: migrating to an encrypted copy, CHG-118 until 2025-07-01]');
  });

  it('rejects a suppression whose end date cannot be read', async () => {
    const suppressions = file('bad-suppressions.yml', 'suppressions:\n  - resource: web-prod-db\n    reason: later\n    expires: 01/07/2025\n');
    const run = await runInProcess('scan', '--demo', '--suppressions', suppressions);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad-suppressions\.yml: suppressions\.0\.expires: expected an ISO date/);
  });

  it('records a baseline of stable fingerprints, then reports only findings that are new', async () => {
    const baseline = join(WORK, 'baseline.json');
    const created = await runInProcess('scan', '--terraform', PLAN, '--create-baseline', baseline, '--format', 'json');
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(/recorded \d+ findings? in the baseline/);
    const first = readFileSync(baseline, 'utf8');
    await runInProcess('scan', '--terraform', PLAN, '--create-baseline', baseline);
    expect(readFileSync(baseline, 'utf8')).toBe(first);
    const recorded = JSON.parse(first).findings.length;
    expect(recorded).toBe(findingIds(created.stdout).length);

    const again = await runInProcess('scan', '--terraform', PLAN, '--baseline', baseline, '--format', 'json');
    expect(again.code).toBe(0);
    expect(findingIds(again.stdout)).toEqual([]);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ nonCompliant: 0, baselined: recorded });

    const partial = JSON.parse(first);
    partial.findings = partial.findings.slice(1);
    const shorter = file('shorter-baseline.json', JSON.stringify(partial));
    const newer = await runInProcess('scan', '--terraform', PLAN, '--baseline', shorter, '--format', 'json');
    expect(findingIds(newer.stdout)).toHaveLength(1);
    expect(newer.code).toBe(findingIds(newer.stdout).length > 0 && /high|critical/.test(newer.stdout) ? newer.code : 0);
  });

  it('says when a baseline file is not one', async () => {
    const run = await runInProcess('scan', '--demo', '--baseline', file('not-baseline.json', '{"findings": []}'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not-baseline\.json is not a driftwarden baseline .*create one with --create-baseline/);
  });
});

// The official SARIF schema's `language` pattern has a stray `]`, legal only without the `u` flag.
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(fixture('sarif/sarif-schema-2.1.0.json'));

describe('CLI: several outputs in one run', () => {
  it('writes FORMAT=FILE and FILE-by-extension reports beside the table on stdout', async () => {
    const sarif = join(WORK, 'out', 'report.sarif');
    mkdirSync(join(WORK, 'out'), { recursive: true });
    const junit = join(WORK, 'out', 'junit.xml');
    const summary = join(WORK, 'out', 'summary');
    const run = await runInProcess('scan', '--demo', '--output', sarif, '--output', `junit=${junit}`, '--output', `markdown=${summary}`);
    expect(run.stdout).toContain('HIGH (2)');
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([
      `driftwarden: wrote the sarif report to ${sarif} (4 findings).`,
      `driftwarden: wrote the junit report to ${junit} (4 findings).`,
      `driftwarden: wrote the markdown report to ${summary} (4 findings).`,
    ]);
    expect(JSON.parse(readFileSync(sarif, 'utf8')).version).toBe('2.1.0');
    expect(readFileSync(junit, 'utf8')).toContain('<testsuites name="driftwarden"');
    expect(readFileSync(summary, 'utf8')).toContain('## driftwarden: 4 findings (2 high, 2 medium)');
  });

  it('asks for FORMAT=FILE when the extension says nothing', async () => {
    const run = await runInProcess('scan', '--demo', '--output', 'report.out');
    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot tell the format from the file name; write FORMAT=FILE') });
  });

  it('reads the source from standard input when the file is -', async () => {
    const run = await runSubprocess(['scan', '--terraform', '-', '--format', 'json'], { input: readFileSync(PLAN) });
    expect(JSON.parse(run.stdout).summary.source).toEqual({ kind: 'terraform', file: '-' });
    expect(JSON.parse(run.stdout).summary.evaluations).toBeGreaterThan(0);
  });

  it('honours NO_COLOR on a terminal', async () => {
    const out: string[] = [];
    const previous = process.env.NO_COLOR;
    process.env.NO_COLOR = '1';
    try {
      await runCli(['scan', '--demo'], { stdout: { write: (text: string) => out.push(text), isTTY: true }, stderr: { write: () => true }, now: () => NOW });
    } finally {
      if (previous === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = previous;
    }
    expect(out.join('')).toContain('HIGH (2)');
    expect(out.join('')).not.toContain('\u001b[');
  });

  it('validates SARIF against the 2.1.0 schema with what GitHub code scanning requires', async () => {
    const run = await runInProcess('scan', '--terraform', PLAN, '--format', 'sarif');
    const log = JSON.parse(run.stdout);
    expect(validateSarif(log) ? [] : validateSarif.errors).toEqual([]);
    const { driver } = log.runs[0].tool;
    expect(driver.informationUri).toMatch(/^https:\/\//);
    for (const rule of driver.rules) {
      expect(rule.fullDescription.text.length).toBeGreaterThan(20);
      expect(rule.help.text).toContain(rule.helpUri);
      expect(rule.help.markdown).toContain(`(${rule.helpUri})`);
      expect(rule.helpUri).toMatch(new RegExp(`/docs/rules/${rule.id}\\.md$`));
      expect(Number(rule.properties['security-severity'])).toBeGreaterThan(0);
    }
    expect(log.runs[0].results.length).toBeGreaterThan(0);
    for (const result of log.runs[0].results) {
      expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe(PLAN.startsWith('/') ? `file://${PLAN}` : PLAN);
      expect(result.partialFingerprints['driftwarden/finding/v1']).toMatch(/^[0-9a-f]{32}$/);
    }
    const again = JSON.parse((await runInProcess('scan', '--terraform', PLAN, '--format', 'sarif')).stdout);
    expect(again.runs[0].results.map((result: { partialFingerprints: unknown }) => result.partialFingerprints)).toEqual(log.runs[0].results.map((result: { partialFingerprints: unknown }) => result.partialFingerprints));
  });

  it('validates JUnit XML against the Jenkins JUnit schema: a failure per finding, skipped for exempt', async () => {
    const run = await runInProcess('scan', '--demo', '--format', 'junit');
    const validation = await validateXML({ xml: [{ fileName: 'report.xml', contents: run.stdout }], schema: [readFileSync(join(FIXTURES, 'junit', 'junit-10.xsd'), 'utf8')] });
    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);
    expect(run.stdout.match(/<failure /g)).toHaveLength(4);
    expect(run.stdout).toContain('<testsuites name="driftwarden" tests="14" failures="4" errors="0">');
    expect(run.stdout).toContain('skipped message="exempt: break-glass bastion');
    expect(run.stdout).toContain('<property name="aws-mapping" value="vpc-sg-open-only-to-authorized-ports · EC2.18, EC2.19"/>');
  });

  it('prints GitHub workflow commands, one annotation per finding with its mapping', async () => {
    const run = await runInProcess('scan', '--demo', '--format', 'github');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(
      '::error title=driftwarden public-app-ports (high)%3A web-prod-app::Open to the internet: tcp 4000 from 0.0.0.0/0; tcp 5173 from 0.0.0.0/0%0AAWS::EC2::SecurityGroup sg-0a93f6c2e7b15d048 · vpc-sg-open-only-to-authorized-ports · EC2.18, EC2.19%0Ahttps://github.com/driftwarden/driftwarden/blob/main/docs/rules/public-app-ports.md',
    );
    const plan = await runInProcess('scan', '--terraform', PLAN, '--format', 'github');
    expect(plan.stdout).toMatch(new RegExp(`^::error file=${PLAN.replace(/[/.]/g, '\\$&')},title=`, 'm'));
  });
});

describe('CLI: asff and ocsf', () => {
  const ASFF_REQUIRED = ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'Types', 'CreatedAt', 'UpdatedAt', 'Severity', 'Title', 'Description', 'Resources'];
  const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  const TYPE_NAMESPACES = ['Software and Configuration Checks', 'TTPs', 'Effects', 'Unusual Behaviors', 'Sensitive Data Identifications'];

  it('prints ASFF findings that satisfy BatchImportFindings field rules', async () => {
    const run = await runInProcess('scan', '--demo', '--format', 'asff');
    const findings = JSON.parse(run.stdout);
    expect(findings).toHaveLength(14);
    for (const finding of findings) {
      for (const field of ASFF_REQUIRED) expect(finding[field]).toBeDefined();
      expect(finding.SchemaVersion).toBe('2018-10-08');
      expect(finding.Id.length).toBeLessThanOrEqual(512);
      expect(finding.ProductArn).toMatch(/^arn:aws:securityhub:[a-z0-9-]+:\d{12}:product\/\d{12}\/default$/);
      expect(finding.AwsAccountId).toMatch(/^\d{12}$/);
      expect(finding.CreatedAt).toMatch(RFC3339);
      expect(finding.UpdatedAt).toMatch(RFC3339);
      for (const type of finding.Types) expect(TYPE_NAMESPACES).toContain(type.split('/')[0]);
      expect(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']).toContain(finding.Severity.Label);
      expect(finding.Title.length).toBeLessThanOrEqual(256);
      expect(finding.Description.length).toBeLessThanOrEqual(1024);
      expect(finding.Resources.length).toBeGreaterThanOrEqual(1);
      for (const resource of finding.Resources) expect(resource).toMatchObject({ Type: expect.any(String), Id: expect.any(String), Partition: 'aws' });
      expect(['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE']).toContain(finding.Compliance.Status);
      expect(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']).toContain(finding.Workflow.Status);
      expect(Object.keys(finding.ProductFields).length).toBeLessThanOrEqual(50);
      expect(finding.Remediation.Recommendation.Text.length).toBeLessThanOrEqual(512);
    }
    const bastion = findings.find((finding: { Title: string }) => finding.Title.endsWith('web-prod-bastion'));
    expect(bastion).toMatchObject({ Compliance: { Status: 'FAILED', RelatedRequirements: ['AWS Foundational Security Best Practices EC2.18', 'AWS Foundational Security Best Practices EC2.19'] }, Workflow: { Status: 'SUPPRESSED' } });
    expect(bastion.ProductFields['driftwarden/ConfigManagedRules']).toBe('vpc-sg-open-only-to-authorized-ports');
  });

  it('needs an account for a Terraform plan in ASFF, and takes it from --account-id', async () => {
    const missing = await runInProcess('scan', '--terraform', PLAN, '--format', 'asff', '--region', 'eu-west-1');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs the 12-digit AWS account .* pass --account-id\./);
    const given = await runInProcess('scan', '--terraform', PLAN, '--format', 'asff', '--region', 'eu-west-1', '--account-id', '210987654321');
    const accounts = JSON.parse(given.stdout).map((finding: { AwsAccountId: string }) => finding.AwsAccountId);
    // Resources whose plan names their ARN keep its account; the others take --account-id.
    expect(accounts).toContain('210987654321');
  });

  it('prints OCSF Detection Findings (class 2004) with every required attribute', async () => {
    const run = await runInProcess('scan', '--demo', '--format', 'ocsf');
    const events = JSON.parse(run.stdout);
    expect(events).toHaveLength(5);
    for (const event of events) {
      expect(event).toMatchObject({ class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401, metadata: { version: expect.stringMatching(/^1\.\d+\.\d+$/), product: { name: 'driftwarden' } } });
      expect([1, 2, 3, 4, 5]).toContain(event.severity_id);
      expect(Number.isInteger(event.time)).toBe(true);
      expect(event.finding_info).toMatchObject({ uid: expect.any(String), title: expect.any(String) });
      expect(event.unmapped.aws_config_managed_rules.length).toBeGreaterThan(0);
    }
    expect(events.filter((event: { status_id: number }) => event.status_id === 3)).toHaveLength(1);
  });
});
