import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { runCli } from '../../cli/main';
import { parseSettings } from '../../lib/settings';
import { scan } from '../../lib/scan';
import type { SourceResult } from '../../lib/sources/source';
import { readTerraform } from '../../lib/sources/terraform';
import { locateInSource, readTerraformSource } from '../../lib/sources/terraform-source';
import { RULES } from '../../rules';
import { fixture, FIXTURES, NOW } from '../helpers';

// The official schema's `language` pattern has a stray `]`, legal only without the `u` flag.
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(fixture('sarif/sarif-schema-2.1.0.json'));

const SOURCE_FIXTURES = join(FIXTURES, 'terraform-source');
const FOLDERS = readdirSync(SOURCE_FIXTURES, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);

function verdicts(source: SourceResult): Record<string, string> {
  const report = scan(source, { rules: RULES, settings: parseSettings({}, RULES), now: NOW });
  return Object.fromEntries(
    report.evaluations.map((evaluation) => [`${evaluation.ruleId} ${evaluation.address}`, `${evaluation.compliance}${evaluation.exemption ? ' exempt' : ''}`]),
  );
}

function resourceAt(source: SourceResult, address: string) {
  const resource = source.resources.find((candidate) => candidate.address === address);
  if (!resource) throw new Error(`no resource ${address}`);
  return resource;
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'driftwarden-tf-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function writeFiles(files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(scratch, name, '..'), { recursive: true });
    writeFileSync(join(scratch, name), text);
  }
  return scratch;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(args, { stdout: { write: (text: string) => stdout.push(text) }, stderr: { write: (text: string) => stderr.push(text) }, now: () => NOW });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('Terraform source', () => {
  it.each(FOLDERS)('gives the verdicts of the real plan of the same code, per address (%s)', async (folder) => {
    const fromSource = await readTerraformSource(join(SOURCE_FIXTURES, folder));
    const fromPlan = readTerraform(fixture(`terraform-source/${folder}/plan.json`));
    const sourceVerdicts = verdicts(fromSource);
    // Inline exemption comments exist only in source: compare the verdicts, then the exemptions apart.
    const withoutExemption = Object.fromEntries(Object.entries(sourceVerdicts).map(([key, verdict]) => [key, verdict.replace(' exempt', '')]));
    const planWithoutExemption = Object.fromEntries(Object.entries(verdicts(fromPlan)).map(([key, verdict]) => [key, verdict.replace(' exempt', '')]));
    expect(withoutExemption).toEqual(planWithoutExemption);
    const byAddress = (a: { address?: string }, b: { address?: string }) => a.address!.localeCompare(b.address!);
    expect(fromSource.resources.map((resource) => ({ ...resource, capturedAt: undefined, file: undefined, line: undefined, ruleExemptions: undefined, attributeLines: undefined, unknownReasons: undefined })).sort(byAddress)).toEqual(
      fromPlan.resources.map((resource) => ({ ...resource, capturedAt: undefined })).sort(byAddress),
    );
  });

  it('expands count, count = 0, for_each over a map and dynamic blocks into the addresses a plan has', async () => {
    const source = await readTerraformSource(join(SOURCE_FIXTURES, 'web'));
    const addresses = source.resources.map((resource) => resource.address);
    expect(addresses).toEqual(expect.arrayContaining(['aws_ebs_volume.data[0]', 'aws_ebs_volume.data[1]', 'aws_security_group.service["admin"]', 'aws_security_group.service["api"]']));
    expect(addresses.filter((address) => address?.startsWith('aws_security_group.debug'))).toEqual([]);
    expect(resourceAt(source, 'aws_security_group.web').properties).toMatchObject({
      ingress: [
        { protocol: 'tcp', fromPort: 80, toPort: 80, description: 'http', source: { kind: 'cidr', cidr: '0.0.0.0/0' } },
        { protocol: 'tcp', fromPort: 443, toPort: 443, description: 'https', source: { kind: 'cidr', cidr: '0.0.0.0/0' } },
      ],
    });
  });

  it('puts the file and line of the declaration on every resource, in modules too', async () => {
    const web = await readTerraformSource(join(SOURCE_FIXTURES, 'web'));
    expect(resourceAt(web, 'aws_security_group.service["api"]')).toMatchObject({ file: 'network.tf', line: 44 });
    expect(web.resources.every((resource) => resource.file !== undefined && resource.line !== undefined)).toBe(true);
    const modules = await readTerraformSource(join(SOURCE_FIXTURES, 'modules'));
    expect(resourceAt(modules, 'module.worker[0].module.logs.aws_cloudwatch_log_group.this')).toMatchObject({ file: 'modules/service/modules/logs/main.tf', line: 5 });
    const json = await readTerraformSource(join(SOURCE_FIXTURES, 'json'));
    expect(resourceAt(json, 'aws_sns_topic.events')).toMatchObject({ file: 'main.tf.json', line: 35 });
  });

  it('reads a module called twice, and a rule outside the module on a group inside it, as the plan does', async () => {
    const source = await readTerraformSource(join(SOURCE_FIXTURES, 'modules'));
    expect(resourceAt(source, 'module.api.aws_security_group.this').name).toBe('svc-api');
    expect(resourceAt(source, 'module.worker[0].aws_security_group.this').name).toBe('svc-worker');
    // `security_group_id = module.api.security_group_id` is unknown until apply, but the configuration's
    // output references place the rule on module.api's group, as in the plan: the worker keeps only its own.
    expect(resourceAt(source, 'module.api.aws_security_group.this').properties).toMatchObject({ ingress: expect.arrayContaining([expect.objectContaining({ fromPort: 5432, toPort: 5432 })]) });
    expect(resourceAt(source, 'module.worker[0].aws_security_group.this').properties).toMatchObject({ ingress: [expect.objectContaining({ fromPort: 9000 })] });
  });

  it('honours an inline driftwarden:exempt comment for the rule it names, with its reason', async () => {
    const report = scan(await readTerraformSource(join(SOURCE_FIXTURES, 'web')), { rules: RULES, settings: parseSettings({}, RULES), now: NOW });
    const legacy = report.evaluations.find((evaluation) => evaluation.address === 'aws_security_group.legacy')!;
    expect(legacy).toMatchObject({ compliance: 'NON_COMPLIANT', exemption: { reason: 'the legacy dashboard is retired in Q3' }, file: 'network.tf', line: 63 });
  });

  it('makes a variable without a value unknown, never a guess, and takes --var and --var-file values', async () => {
    const dir = writeFiles({
      'main.tf': 'variable "encrypted" {\n  type = bool\n}\n\nresource "aws_ebs_volume" "data" {\n  availability_zone = "eu-west-1a"\n  size              = 8\n  encrypted         = var.encrypted\n}\n',
      'prod.tfvars': 'encrypted = true\n',
    });
    expect(resourceAt(await readTerraformSource(dir), 'aws_ebs_volume.data')).toMatchObject({ properties: {}, unknown: ['kmsKeyId', 'encrypted'] });
    expect(resourceAt(await readTerraformSource(dir, { varFiles: [join(dir, 'prod.tfvars')] }), 'aws_ebs_volume.data').properties).toEqual({ encrypted: true });
    expect(resourceAt(await readTerraformSource(dir, { varFiles: [join(dir, 'prod.tfvars')], vars: ['encrypted=false'] }), 'aws_ebs_volume.data').properties).toEqual({ encrypted: false });
  });

  it('marks data sources and unsupported functions unknown', async () => {
    const dir = writeFiles({
      'main.tf': [
        'data "aws_kms_key" "shared" {\n  key_id = "alias/shared"\n}',
        'resource "aws_sns_topic" "a" {\n  name              = "a"\n  kms_master_key_id = data.aws_kms_key.shared.arn\n}',
        'resource "aws_sns_topic" "b" {\n  name              = "b"\n  kms_master_key_id = cidrhost("10.0.0.0/8", 2)\n}',
      ].join('\n'),
    });
    const source = await readTerraformSource(dir);
    // A key that is set but unknown still means encrypted; only whose key it is stays unknown.
    expect(resourceAt(source, 'aws_sns_topic.a').unknown).toEqual(['kmsKeyId']);
    expect(resourceAt(source, 'aws_sns_topic.b').unknown).toEqual(['kmsKeyId']);
  });

  it('names why an unknown could not be evaluated, at the attribute it comes from', async () => {
    const dir = writeFiles({
      'main.tf': [
        'data "aws_kms_key" "shared" {\n  key_id = "alias/shared"\n}',
        'variable "encrypted" {\n  type = bool\n}',
        'resource "aws_sns_topic" "a" {\n  name              = "a"\n  kms_master_key_id = data.aws_kms_key.shared.arn\n}',
        'resource "aws_ebs_volume" "b" {\n  availability_zone = "eu-west-1a"\n  size              = 8\n  encrypted         = var.encrypted\n}',
        'resource "aws_ebs_volume" "c" {\n  availability_zone = "eu-west-1a"\n  size              = 8\n  encrypted         = false\n}',
      ].join('\n'),
    });
    const settings = parseSettings({ rules: { 'encryption-at-rest': { parameters: { requireCustomerManagedKey: 'true' } } } }, RULES);
    const report = scan(await readTerraformSource(dir), { rules: RULES, settings, now: NOW });
    const at = (address: string) => report.evaluations.find((evaluation) => evaluation.address === address)!;
    expect(at('aws_sns_topic.a')).toMatchObject({ compliance: 'INSUFFICIENT_DATA', file: 'main.tf', line: 9 });
    expect(at('aws_sns_topic.a').annotation).toContain('kms_master_key_id (data.aws_kms_key.shared.arn): data.aws_kms_key is a data source, read from AWS only at plan time');
    expect(at('aws_ebs_volume.b')).toMatchObject({ compliance: 'INSUFFICIENT_DATA', line: 14 });
    expect(at('aws_ebs_volume.b').annotation).toContain('encrypted (var.encrypted): variable "encrypted" has no value');
    // A finding that is not unknown points at the attribute judged; the plan scan, without source lines, at none.
    expect(at('aws_ebs_volume.c')).toMatchObject({ compliance: 'NON_COMPLIANT', line: 19 });
    expect(at('aws_ebs_volume.c').annotation).not.toContain('(');
  });

  it('names a registry module it cannot read as incomplete, and the scan exits 2 unless --allow-partial', async () => {
    const dir = writeFiles({
      'main.tf': 'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.0.0"\n}\n\nresource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n',
    });
    const source = await readTerraformSource(dir);
    expect(source.incomplete).toEqual([{ resourceType: 'Terraform module', reason: 'module.vpc (source "terraform-aws-modules/vpc/aws") is not a local folder, so its resources were not read' }]);
    const strict = await cli(['scan', '--terraform', dir, '--format', 'json', '--fail-on', 'none']);
    expect(strict.code).toBe(2);
    expect(JSON.parse(strict.stdout).summary.incomplete).toHaveLength(1);
    expect((await cli(['scan', '--terraform', dir, '--fail-on', 'none', '--allow-partial'])).code).toBe(0);
  });

  it('stops at a syntax error with one line naming the file and line (exit 2)', async () => {
    const dir = writeFiles({ 'ok.tf': 'resource "aws_vpc" "a" {\n  cidr_block = "10.0.0.0/16"\n}\n', 'broken.tf': 'resource "aws_vpc" "b" {\n  cidr_block = "10.1.0.0/16"\n  tags = {\n' });
    const result = await cli(['scan', '--terraform', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/broken\.tf:\d+: Terraform syntax error/);
  });

  it('reads one .tf file on its own', async () => {
    const source = await readTerraformSource(join(SOURCE_FIXTURES, 'modules', 'main.tf'));
    expect(source.resources.map((resource) => resource.address).sort()).toEqual(['aws_vpc.shared', 'module.api.aws_security_group.this', 'module.api.module.logs.aws_cloudwatch_log_group.this', 'module.worker[0].aws_security_group.this', 'module.worker[0].module.logs.aws_cloudwatch_log_group.this']);
  });

  it('locates the resources of a plan in its configuration with --source-root', async () => {
    const plan = readTerraform(fixture('terraform-source/modules/plan.json'));
    const located = await locateInSource(plan, join(SOURCE_FIXTURES, 'modules'));
    expect(resourceAt(located, 'module.worker[0].aws_security_group.this')).toMatchObject({ file: 'modules/service/main.tf', line: 14 });
  });
});

describe('CLI: scan --terraform DIR', () => {
  it('writes SARIF results with the file and line of each finding, from where the scan ran', async () => {
    const dir = relative(process.cwd(), join(SOURCE_FIXTURES, 'web'));
    const { stdout } = await cli(['scan', '--terraform', dir, '--format', 'sarif']);
    const log = JSON.parse(stdout);
    expect(validateSarif(log) ? [] : validateSarif.errors).toEqual([]);
    expect(log.runs[0].tool.driver.rules.every((rule: any) => rule.help.text.length > 0)).toBe(true);
    const results = log.runs[0].results as any[];
    const api = results.find((result) => result.locations[0].logicalLocations[0].fullyQualifiedName === 'aws_security_group.service["api"]');
    expect(api.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: `${dir}/network.tf`, uriBaseId: '%SRCROOT%' }, region: { startLine: 50 } });
  });

  it('shows file:line in the table and file and line in JSON', async () => {
    const dir = join(SOURCE_FIXTURES, 'web');
    const table = await cli(['scan', '--terraform', dir]);
    expect(table.stdout).toContain('aws_vpc.sandbox  network.tf:7');
    const json = JSON.parse((await cli(['scan', '--terraform', dir, '--format', 'json'])).stdout);
    expect(json.findings.find((finding: any) => finding.address === 'aws_vpc.sandbox')).toMatchObject({ file: 'network.tf', line: 7 });
  });
});
