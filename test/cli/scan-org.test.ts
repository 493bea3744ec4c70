import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListAccountsCommand, ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../cli/main';
import { fixture, NOW } from '../helpers';
import { Capture } from './run';

/**
 * `scan --org` against a simulated organization: three active accounts and a suspended one under
 * the root and one child OU; the role is missing in one account. Each account owns the security
 * group of the fixture under its own id.
 */
const ACCOUNTS = [
  { Id: '333333333333', Name: 'payments-prod', Status: 'ACTIVE' as const, parent: 'ou-a1b2-workload1' },
  { Id: '444444444444', Name: 'payments-dev', Status: 'ACTIVE' as const, parent: 'ou-a1b2-workload1' },
  { Id: '555555555555', Name: 'legacy', Status: 'ACTIVE' as const, parent: 'r-a1b2' },
  { Id: '666666666666', Name: 'closed', Status: 'SUSPENDED' as const, parent: 'r-a1b2' },
];
const NO_ROLE = '444444444444';

const organizations = mockClient(OrganizationsClient);
const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
let directory: string;
let settingsPath: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'driftwarden-org-scan-'));
  settingsPath = join(directory, 'settings.json');
  // One rule, so the simulated accounts answer one listing each.
  writeFileSync(settingsPath, JSON.stringify({ rules: { 'vpc-flow-logs': { enabled: false }, 'encryption-at-rest': { enabled: false }, 'secret-rotation': { enabled: false } } }));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

beforeEach(() => {
  for (const stub of [organizations, sts, ec2]) stub.reset();
  const strip = ({ parent: _parent, ...account }: (typeof ACCOUNTS)[number]) => account;
  organizations.on(ListAccountsCommand).resolves({ Accounts: ACCOUNTS.map(strip) });
  organizations.on(ListAccountsForParentCommand).callsFake((input: { ParentId: string }) => ({ Accounts: ACCOUNTS.filter((account) => account.parent === input.ParentId).map(strip) }));
  organizations.on(ListOrganizationalUnitsForParentCommand).callsFake((input: { ParentId: string }) => ({ OrganizationalUnits: input.ParentId === 'r-a1b2' ? [{ Id: 'ou-a1b2-workload1', Name: 'Workloads' }] : [] }));
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => {
    const account = input.RoleArn.split(':')[4]!;
    if (account === NO_ROLE) throw Object.assign(new Error(`User: arn:aws:iam::111111111111:user/auditor is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`), { name: 'AccessDenied' });
    return { Credentials: { AccessKeyId: `AKIA${account}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) } };
  });
  ec2.on(DescribeSecurityGroupsCommand).callsFake(async (_input, getClient: () => EC2Client) => {
    const account = (await getClient().config.credentials()).accessKeyId.replace('AKIA', '');
    const answer = fixture('config/api-describe-security-groups.json');
    for (const group of answer.SecurityGroups) group.OwnerId = account;
    return answer;
  });
  ec2.on(DescribeSecurityGroupRulesCommand).resolves(fixture('config/api-describe-security-group-rules.json'));
});

async function scanOrg(args: string[]) {
  const stdout = new Capture(false);
  const stderr = new Capture(true);
  const code = await runCli(['scan', '--org', '--role-name', 'driftwarden-read-eu-west-1', '--region', 'eu-west-1', '--config', settingsPath, ...args], { stdout, stderr, now: () => NOW });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('CLI: driftwarden scan --org', () => {
  it('scans every active account through its role, reports the one whose role is denied as not scanned, and exits 2', async () => {
    const run = await scanOrg(['--format', 'json']);
    const { summary, findings } = JSON.parse(run.stdout);
    expect(summary.source).toEqual({ kind: 'organization' });
    expect(summary.accounts).toEqual([
      { accountId: '333333333333', accountName: 'payments-prod', scanned: true, resources: 1, evaluations: 1, findings: 1, incomplete: 0 },
      { accountId: '444444444444', accountName: 'payments-dev', scanned: false, resources: 0, evaluations: 0, findings: 0, incomplete: 1 },
      { accountId: '555555555555', accountName: 'legacy', scanned: true, resources: 1, evaluations: 1, findings: 1, incomplete: 0 },
    ]);
    expect(summary.incomplete).toEqual([{ resourceType: '*', accountId: NO_ROLE, reason: expect.stringMatching(/^account 444444444444 \(payments-dev\) not scanned: Cannot assume arn:aws:iam::444444444444:role\/driftwarden-read-eu-west-1: AccessDenied/) }]);
    expect(findings.map((finding: { accountId: string }) => finding.accountId)).toEqual(['333333333333', '555555555555']);
    expect(summary.nonCompliant).toBe(2);
    expect(sts.calls().map((call) => (call.args[0].input as { RoleArn: string }).RoleArn)).toEqual(expect.arrayContaining(ACCOUNTS.slice(0, 3).map((account) => `arn:aws:iam::${account.Id}:role/driftwarden-read-eu-west-1`)));
    expect(sts.calls()).toHaveLength(3);
    expect(run.stderr).toContain('driftwarden: [3/3]');
    expect(run.stderr).toContain('444444444444 payments-dev: not scanned');
    expect(run.code).toBe(2);
  });

  it('exits by the findings with --allow-partial, and shows the account breakdown in the table', async () => {
    const run = await scanOrg(['--allow-partial']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ACCOUNTS \(3, 1 not scanned\)/);
    expect(run.stdout).toMatch(/444444444444 {2}payments-dev +0 +0 {2}not scanned/);
    expect(run.stdout).toMatch(/333333333333 {2}payments-prod +1 +1 {2}scanned/);
  });

  it('lists the accounts under an OU and its children, less the excluded ones', async () => {
    const run = await scanOrg(['--ou', 'r-a1b2', '--exclude-account', NO_ROLE, '--format', 'json']);
    expect(JSON.parse(run.stdout).summary.accounts.map((account: { accountId: string }) => account.accountId)).toEqual(['333333333333', '555555555555']);
    expect(organizations.commandCalls(ListAccountsCommand)).toHaveLength(0);
    expect(run.code).toBe(1);
  });

  it('scans only the accounts named with --account', async () => {
    const run = await scanOrg(['--account', '555555555555', '--format', 'json']);
    expect(JSON.parse(run.stdout).summary.accounts.map((account: { accountId: string }) => account.accountId)).toEqual(['555555555555']);
  });

  it('exits 2 even with --allow-partial when no account could be read', async () => {
    const run = await scanOrg(['--account', NO_ROLE, '--allow-partial', '--format', 'json']);
    expect(run.code).toBe(2);
  });

  it('puts the account breakdown in the HTML report', async () => {
    const run = await scanOrg(['--format', 'html', '--allow-partial']);
    expect(run.stdout).toContain('<h2>By account</h2>');
    expect(run.stdout).toContain('<tr data-account="444444444444"><td><code>444444444444</code></td><td>payments-dev</td>');
  });

  it('writes the merged report in every format asked for, each finding naming its account', async () => {
    const sarifPath = join(directory, 'org.sarif');
    const run = await scanOrg(['--format', 'markdown', '--output', sarifPath, '--allow-partial']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('public-app-ports');
    const sarif = JSON.parse(readFileSync(sarifPath, 'utf8'));
    expect(sarif.runs[0].results).toHaveLength(2);
    expect(run.stderr).toContain(`wrote the sarif report to ${sarifPath} (2 findings)`);
  });

  it('asks for --role-name', async () => {
    const stderr = new Capture(false);
    const code = await runCli(['scan', '--org', '--region', 'eu-west-1'], { stdout: new Capture(false), stderr, now: () => NOW });
    expect(code).toBe(2);
    expect(stderr.text).toContain('--org needs --role-name NAME');
  });
});
