import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { OrganizationAccount } from '../lib/organization/accounts';
import { scanOrganization } from '../lib/organization/org-scan';
import { parseSettings } from '../lib/settings';
import { RULES } from '../rules';

/**
 * `npm run bench -- --org`: an organization scan of 1,000 accounts × 2 regions. Every AWS answer
 * (AssumeRole, the security-group listings) arrives after a fixed latency, from an in-process
 * stand-in of the APIs; the figures are the calls made against the minimum and the wall time
 * against the latency bound at the configured concurrency.
 */
const ACCOUNTS = 1000;
const REGIONS = ['eu-west-1', 'us-east-1'];
const LATENCY_MS = 20;
const ACCOUNT_CONCURRENCY = 16;
const PER_ACCOUNT_CONCURRENCY = 8;
const GROUPS_PER_REGION = 5;

const wait = () => new Promise((resolve) => setTimeout(resolve, LATENCY_MS));

function groupsOf(account: string, region: string) {
  return Array.from({ length: GROUPS_PER_REGION }, (_, index) => ({
    GroupId: `sg-${account.slice(-6)}${region === REGIONS[0] ? 'a' : 'b'}${String(index).padStart(9, '0')}`,
    GroupName: `app-${index}`,
    OwnerId: account,
    VpcId: 'vpc-0a1b2c3d4e5f60718',
    IpPermissions: [],
    Tags: [],
  }));
}

async function main(): Promise<void> {
  const sts = mockClient(STSClient);
  const ec2 = mockClient(EC2Client);
  sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string }) => {
    await wait();
    const account = input.RoleArn.split(':')[4]!;
    return { Credentials: { AccessKeyId: `AKIA${account}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) } };
  });
  ec2.on(DescribeSecurityGroupsCommand).callsFake(async (input: { MaxResults?: number }, getClient: () => EC2Client) => {
    await wait();
    if (input.MaxResults !== undefined && input.MaxResults !== 1000) throw new Error(`DescribeSecurityGroups asked for ${input.MaxResults} a page, not the maximum 1000`);
    const client = getClient();
    const account = (await client.config.credentials()).accessKeyId.replace('AKIA', '');
    return { SecurityGroups: groupsOf(account, await client.config.region()) };
  });
  ec2.on(DescribeSecurityGroupRulesCommand).callsFake(async () => {
    await wait();
    return { SecurityGroupRules: [] };
  });

  const accounts: OrganizationAccount[] = Array.from({ length: ACCOUNTS }, (_, index) => ({ id: String(100000000000 + index), name: `account-${index}` }));
  const settings = parseSettings({ rules: { 'vpc-flow-logs': { enabled: false }, 'encryption-at-rest': { enabled: false }, 'secret-rotation': { enabled: false } } }, RULES);
  const started = performance.now();
  const report = await scanOrganization({
    rules: RULES,
    settings,
    now: new Date(),
    accounts,
    regions: REGIONS,
    roleName: 'driftwarden-read-eu-west-1',
    sts: new STSClient({ region: 'eu-west-1' }),
    accountConcurrency: ACCOUNT_CONCURRENCY,
    concurrency: PER_ACCOUNT_CONCURRENCY,
  });
  const wallMs = performance.now() - started;

  const calls = {
    'STS:AssumeRole': sts.commandCalls(AssumeRoleCommand).length,
    'EC2:DescribeSecurityGroups': ec2.commandCalls(DescribeSecurityGroupsCommand).length,
    'EC2:DescribeSecurityGroupRules': ec2.commandCalls(DescribeSecurityGroupRulesCommand).length,
  };
  // One AssumeRole per account; per account and region one page of groups (≤ 1000) and one of their rules.
  const minimum = { 'STS:AssumeRole': ACCOUNTS, 'EC2:DescribeSecurityGroups': ACCOUNTS * REGIONS.length, 'EC2:DescribeSecurityGroupRules': ACCOUNTS * REGIONS.length };
  // Per account: AssumeRole, then the regions side by side, each a chain of two calls; accounts in waves.
  const latencyBoundMs = Math.ceil(ACCOUNTS / ACCOUNT_CONCURRENCY) * (1 + 2) * LATENCY_MS;
  const result = {
    accounts: ACCOUNTS,
    regions: REGIONS.length,
    latencyMs: LATENCY_MS,
    accountConcurrency: ACCOUNT_CONCURRENCY,
    perAccountConcurrency: PER_ACCOUNT_CONCURRENCY,
    scanned: report.summary.accounts.filter((account) => account.scanned).length,
    incomplete: report.summary.incomplete.length,
    evaluations: report.summary.evaluations,
    calls,
    minimum,
    callsAtMinimum: JSON.stringify(calls) === JSON.stringify(minimum),
    wallMs: Math.round(wallMs),
    latencyBoundMs,
    ratio: Number((wallMs / latencyBoundMs).toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!result.callsAtMinimum || result.scanned !== ACCOUNTS) process.exitCode = 1;
}

void main();
