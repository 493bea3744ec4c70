import 'aws-sdk-client-mock-jest';
import { AuthorizeSecurityGroupIngressCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { registerRemediateCommand, type CommandIO, type RemediateDependencies } from '../../cli/commands/remediate';
import { registerUndoCommand } from '../../cli/commands/undo';
import type { RemediationAccount } from '../../cli/remediation-account';
import { createAwsClients } from '../../lib/aws/clients';
import { createLookups } from '../../lib/lookups';
import { DynamoDbAuditLog } from '../../lib/remediation/dynamodb-audit';
import type { Resource } from '../../lib/model';
import { itemResource, NOW } from '../helpers';
import { createTable, startLocalDynamoDb, type LocalDynamoDb } from '../dynalite';
import { liveAppGroup } from '../remediations/support';

const ec2 = mockClient(EC2Client);
let local: LocalDynamoDb;
let tables = 0;
beforeAll(async () => {
  local = await startLocalDynamoDb();
});
afterAll(async () => {
  await local.stop();
});
beforeEach(() => ec2.reset());

const SOURCE = {
  resources: [itemResource('sg-public-app'), itemResource('sg-compliant'), itemResource('vpc'), { ...itemResource('s3-bucket-no-encryption-config'), properties: { encrypted: false } } as Resource, itemResource('rds-instance-unencrypted')],
  lookups: createLookups({ flowLogsByVpc: new Map() }),
};

async function cli(answer = false) {
  const tableName = `cli-${++tables}`;
  await createTable(local.client, tableName);
  const audit = new DynamoDbAuditLog(local.client, tableName);
  const out: string[] = [];
  const io: CommandIO = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => out.push(text) }, now: () => NOW, exitCode: 0 };
  const account: RemediationAccount = {
    audit,
    clients: (region) => createAwsClients({ region: region || 'eu-west-1' }),
    readLiveResource: async () => liveAppGroup(),
    loadLookups: async () => createLookups({}),
  };
  const connect = jest.fn(async (_options: { region?: string; auditTable: string }) => account);
  const confirm = jest.fn(async (_question: string) => answer);
  let runs = 0;
  const deps: RemediateDependencies = { readSource: jest.fn(async () => SOURCE), confirm, connect, newRunId: () => `cli-run-${++runs}`, sleep: async () => undefined };
  const run = async (...argv: string[]) => {
    const program = new Command('driftwarden').exitOverride().configureOutput({ writeErr: (text) => out.push(text), writeOut: (text) => out.push(text) });
    registerRemediateCommand(program, io, deps);
    registerUndoCommand(program, io, deps);
    for (const command of program.commands) command.exitOverride();
    out.length = 0;
    await program.parseAsync(argv, { from: 'user' });
    return out.join('');
  };
  return { run, io, audit, confirm, connect, deps };
}

describe('CLI: remediate and undo', () => {
  it('shows each finding\'s plan with the exact calls, what stays, and the runbooks, and changes nothing', async () => {
    const { run, connect } = await cli();
    const output = await run('remediate', '--flow-log-role-arn', 'arn:aws:iam::123456789012:role/flow', '--kms-key-arn', 'arn:aws:kms:eu-west-1:123456789012:key/0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a');
    expect(output).toContain('HIGH  public-app-ports  AWS::EC2::SecurityGroup sg-0f1e2d3c4b5a69788 (driftwarden-dev-app)');
    expect(output).toContain('    1. Revoke tcp 5173 from 0.0.0.0/0\n       ec2 RevokeSecurityGroupIngress {"GroupId":"sg-0f1e2d3c4b5a69788","IpPermissions":[{"IpProtocol":"tcp","FromPort":5173,"ToPort":5173,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"vite dev server (temporary)"}]}]}');
    expect(output).toContain('    keeps: tcp 443 from 0.0.0.0/0');
    expect(output).toContain('logs CreateLogGroup {"logGroupName":"/driftwarden/vpc-flow-logs/vpc-0a1b2c3d4e5f60718"');
    expect(output).toContain('    $ aws rds create-db-snapshot --db-instance-identifier driftwarden-dev-pg --db-snapshot-identifier driftwarden-dev-pg-pre-encryption --region eu-west-1');
    expect(output).toContain('4 findings: 3 with an automatic fix (7 changes), 1 needing a person, 0 exempt.');
    expect(output).toMatch(/Dry run: nothing was changed\. Run with --apply to make these changes\.\n$/);
    expect(connect).not.toHaveBeenCalled();
    expect(ec2).not.toHaveReceivedAnyCommand();
  });

  it('prints the plans as one JSON object', async () => {
    const { run } = await cli();
    const parsed = JSON.parse(await run('remediate', '--format', 'json'));
    expect(parsed.summary).toEqual({ findings: 4, changes: 4 });
    expect(parsed.plans.map((plan: { ruleId: string; resourceId: string }) => `${plan.ruleId} ${plan.resourceId}`)).toEqual([
      'vpc-flow-logs vpc-0a1b2c3d4e5f60718',
      'public-app-ports sg-0f1e2d3c4b5a69788',
      'encryption-at-rest driftwarden-dev-legacy-123456789012',
      'encryption-at-rest db-7HX3KQ2ZP4N6WLM5R8TBVYC2DA',
    ]);
  });

  it('changes nothing when the person does not confirm', async () => {
    const { run, confirm } = await cli(false);
    const output = await run('remediate', '--apply');
    expect(confirm).toHaveBeenCalledWith('Apply 4 changes to 2 resource(s)? Each is re-read and re-checked first. [y/N] ');
    expect(output).toMatch(/Nothing was changed\.\n$/);
    expect(ec2).not.toHaveReceivedAnyCommand();
  });

  it('applies after re-reading each resource, prints the audit ids, and one undo restores the security group', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const { run, audit, io } = await cli();
    const settingsOnlyPorts = ['--config', `${__dirname}/../fixtures/remediation/ports-only.yml`];
    const output = await run('remediate', '--apply', '--yes', ...settingsOnlyPorts);
    expect(output).toContain('applied       public-app-ports  sg-0f1e2d3c4b5a69788  Revoke tcp 5173 from 0.0.0.0/0, tcp 4000 from 0.0.0.0/0, tcp 22 from ::/0');
    expect(output).toContain('(audit id: cli-run-1)');
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 3);
    expect((await audit.get('cli-run-1'))?.origin).toBe('cli');
    expect(io.exitCode).toBe(0);

    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    const undone = await run('undo', 'cli-run-1', '--yes');
    expect(undone).toContain('Undo runs:\n  1. ec2 AuthorizeSecurityGroupIngress {"GroupId":"sg-0f1e2d3c4b5a69788","IpPermissions":[{"IpProtocol":"tcp","FromPort":22');
    expect(undone).toMatch(/Undone: 3 changes made\.\n$/);
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 3);
    await expect(run('undo', 'cli-run-1', '--yes')).rejects.toThrow('cli-run-1 was already undone at 2025-06-15T12:00:00.000Z.');
  });

  it.each([
    [['remediate', '--demo', '--apply'], /option '--demo' cannot be used with option '--apply'/],
    [['remediate', '--dry-run', '--apply'], /option '--dry-run' cannot be used with option '--apply'/],
    [['remediate', '--format', 'xml'], /argument 'xml' is invalid/],
  ])('rejects %j as a usage error', async (argv, message) => {
    const { run } = await cli();
    await expect(run(...argv)).rejects.toThrow(message);
  });

  it('refuses to undo a run it has no record of', async () => {
    const { run } = await cli();
    await expect(run('undo', 'no-such-run', '--yes')).rejects.toThrow('No remediation run "no-such-run" in the audit table.');
  });
});

describe('CLI: driftwarden remediate --demo', () => {
  it('prints the plans for the demo account\'s drift and exits 0', async () => {
    const { runCli } = await import('../../cli/main');
    const out: string[] = [];
    const code = await runCli(['remediate', '--demo'], { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => out.push(text) }, now: () => NOW });
    const output = out.join('');
    expect(code).toBe(0);
    expect(output).toContain('plan (revoke-public-ingress): Revoke tcp 4000 from 0.0.0.0/0, tcp 5173 from 0.0.0.0/0 on sg-0a93f6c2e7b15d048 (web-prod-app).');
    expect(output).toContain('exempt: break-glass bastion, stopped unless an incident is open (INC-2291); nothing will be changed.');
    expect(output).toContain('Dry run: nothing was changed.');
    expect(ec2).not.toHaveReceivedAnyCommand();
  });
});

describe('CLI: driftwarden remediate on the live account', () => {
  it('plans from what the live collector lists in the region asked for', async () => {
    const { runCli } = await import('../../cli/main');
    const out: string[] = [];
    const collect = jest.fn(async () => ({ resources: [liveAppGroup()], lookups: createLookups({}), errors: [{ resourceType: 'AWS::S3::Bucket', region: 'eu-west-1', message: 'AccessDenied' }], listed: 9 }));
    const code = await runCli(['remediate', '--region', 'eu-west-1'], {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => out.push(text) },
      now: () => NOW,
      liveCollector: { collect },
    });
    expect(code).toBe(0);
    expect(collect).toHaveBeenCalledWith(expect.objectContaining({ regions: ['eu-west-1'] }));
    const output = out.join('');
    expect(output).toContain('driftwarden: warning: could not list AWS::S3::Bucket in eu-west-1: AccessDenied');
    expect(output).toContain('    1. Revoke tcp 5173 from 0.0.0.0/0 (sgr-0a11b22c33d44e551)\n       ec2 RevokeSecurityGroupIngress {"GroupId":"sg-0f1e2d3c4b5a69788","SecurityGroupRuleIds":["sgr-0a11b22c33d44e551"]}');
  });
});
