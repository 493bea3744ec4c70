import type { Context } from 'aws-lambda';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { DynamoDbAuditLog } from '../../lib/remediation/dynamodb-audit';
import { fixture } from '../helpers';
import { createTable, startLocalDynamoDb, type LocalDynamoDb } from '../dynalite';

/**
 * The central functions of organization mode against a simulated organization: Organizations knows
 * four accounts, STS hands out credentials that name the account they are for, and every call to
 * Config or EC2 is checked for the credentials it was signed with.
 */
const CENTRAL = '111111111111';
const MEMBER_B = '333333333333';
const EXCLUDED = '222222222222';
const OUTSIDE_OU = '444444444444';
const ORGANIZATION = {
  organizationId: 'o-a1b2c3d4e5',
  delegatedAdministratorAccountId: CENTRAL,
  include: { organizationalUnits: ['ou-a1b2-workload1'] },
  exclude: { accounts: [EXCLUDED] },
  regions: ['eu-west-1'],
};
/** Account → [name, parent chain up to the root]: B sits in a child OU of the included one. */
const ACCOUNTS: Record<string, [string, { Id: string; Type: 'ORGANIZATIONAL_UNIT' | 'ROOT' }[]]> = {
  [MEMBER_B]: ['payments-prod', [{ Id: 'ou-a1b2-payments1', Type: 'ORGANIZATIONAL_UNIT' }, { Id: 'ou-a1b2-workload1', Type: 'ORGANIZATIONAL_UNIT' }, { Id: 'r-a1b2', Type: 'ROOT' }]],
  [EXCLUDED]: ['sandbox', [{ Id: 'ou-a1b2-workload1', Type: 'ORGANIZATIONAL_UNIT' }, { Id: 'r-a1b2', Type: 'ROOT' }]],
  [OUTSIDE_OU]: ['log-archive', [{ Id: 'ou-a1b2-security1', Type: 'ORGANIZATIONAL_UNIT' }, { Id: 'r-a1b2', Type: 'ROOT' }]],
};
const GROUP = 'sg-0f1e2d3c4b5a69788';

type Stub = AwsStub<any, any, any>;

const context = (functionName: string) =>
  ({
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:${CENTRAL}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: '6f1d2c3b-0a9e-4d8c-b7a6-5e4f3d2c1b0a',
    getRemainingTimeInMillis: () => 600_000,
  }) as unknown as Context;

let local: LocalDynamoDb;
let tables = 0;
const saved = { ...process.env };
let output: string[];

beforeAll(async () => {
  local = await startLocalDynamoDb();
});
afterAll(async () => {
  await local.stop();
});
beforeEach(() => {
  output = [];
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk) => {
      output.push(String(chunk));
      return true;
    });
  }
});
afterEach(() => {
  process.env = { ...saved };
  jest.restoreAllMocks();
});

/** The account whose credentials signed a mocked call: STS issued `AKIA<account>` for each role. */
async function signerOf(stub: Stub, index: number): Promise<string> {
  const client = stub.call(index).thisValue as { config: { credentials: () => Promise<{ accessKeyId: string }> } };
  return (await client.config.credentials()).accessKeyId.replace(/^AKIA/, '');
}

/** Organizations and STS of the simulated organization, mocked in this file's module registry: the handlers load their SDK modules from it on first use. */
async function simulateOrganization() {
  const sts = await import('@aws-sdk/client-sts');
  const organizations = await import('@aws-sdk/client-organizations');
  const stsStub = mockClient(sts.STSClient);
  stsStub.on(sts.AssumeRoleCommand).callsFake((input: { RoleArn: string }) => {
    const account = /^arn:aws:iam::(\d{12}):role\//.exec(input.RoleArn)![1];
    return { Credentials: { AccessKeyId: `AKIA${account}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) } };
  });
  const organizationsStub = mockClient(organizations.OrganizationsClient);
  organizationsStub.on(organizations.DescribeAccountCommand).callsFake((input: { AccountId: string }) => {
    const known = ACCOUNTS[input.AccountId];
    if (!known) throw Object.assign(new Error('You specified an account that does not exist.'), { name: 'AccountNotFoundException' });
    return { Account: { Id: input.AccountId, Name: known[0], Status: 'ACTIVE' } };
  });
  organizationsStub.on(organizations.ListParentsCommand).callsFake((input: { ChildId: string }) => {
    for (const [account, [, chain]] of Object.entries(ACCOUNTS)) {
      if (input.ChildId === account) return { Parents: [chain[0]] };
      const at = chain.findIndex((parent) => parent.Id === input.ChildId);
      if (at >= 0 && at + 1 < chain.length) return { Parents: [chain[at + 1]] };
    }
    throw Object.assign(new Error(`no parent of ${input.ChildId}`), { name: 'ChildNotFoundException' });
  });
  return { sts: stsStub, organizations: organizationsStub, AssumeRoleCommand: sts.AssumeRoleCommand };
}

function changeEventFrom(account: string) {
  const event = fixture('config/event-change-sg.json');
  const invoking = JSON.parse(event.invokingEvent);
  invoking.configurationItem.awsAccountId = account;
  return { ...event, accountId: account, invokingEvent: JSON.stringify(invoking), configRuleName: 'driftwarden-org-example-public-app-ports' };
}

function complianceChangeFrom(account: string) {
  const event = fixture('config/compliance-change-noncompliant.json');
  event.account = account;
  event.detail.awsAccountId = account;
  event.detail.configRuleName = 'driftwarden-org-example-public-app-ports';
  event.detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier.configRuleName = 'driftwarden-org-example-public-app-ports';
  return event;
}

describe('Organization mode: the central functions', () => {
  describe('the Config rule function', () => {
    async function deployedRuleHandler() {
      Object.assign(process.env, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'central', AWS_SECRET_ACCESS_KEY: 'central', DRIFTWARDEN_STAGE: 'org-example', DRIFTWARDEN_SETTINGS: JSON.stringify({ organization: ORGANIZATION }) });
      const simulated = await simulateOrganization();
      const configModule = await import('@aws-sdk/client-config-service');
      const config: Stub = mockClient(configModule.ConfigServiceClient);
      config.on(configModule.PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
      let handler!: (event: unknown, context: Context) => Promise<any>;
      await jest.isolateModulesAsync(async () => {
        handler = (await import('../../handlers/config-rule')).handler;
      });
      return { handler, config, ...simulated };
    }

    it('reports an evaluation of account B in account B, with B\'s read role of the region', async () => {
      const { handler, config, sts, AssumeRoleCommand } = await deployedRuleHandler();
      const outcome = await handler(changeEventFrom(MEMBER_B), context('driftwarden-org-example-configRule'));
      expect(outcome).toMatchObject({ ruleId: 'public-app-ports', reported: { NON_COMPLIANT: 1 } });
      expect(config.calls()).toHaveLength(1);
      expect(await signerOf(config, 0)).toBe(MEMBER_B);
      expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER_B}:role/driftwarden-read-eu-west-1`, RoleSessionName: 'driftwarden-config-rule' });
      expect(config.call(0).args[0].input.Evaluations[0]).toMatchObject({ ComplianceResourceId: GROUP, ComplianceType: 'NON_COMPLIANT' });
    });

    it('assumes the role once for many invocations of the same account', async () => {
      const { handler, config, sts } = await deployedRuleHandler();
      for (let invocation = 0; invocation < 3; invocation++) await handler(changeEventFrom(MEMBER_B), context('driftwarden-org-example-configRule'));
      for (let index = 0; index < 3; index++) expect(await signerOf(config, index)).toBe(MEMBER_B);
      expect(sts.calls()).toHaveLength(1);
    });

    it.each([
      ['an excluded account', EXCLUDED, 'excluded by organization.exclude.accounts'],
      ['an account outside the included OUs', OUTSIDE_OU, 'is in none of the included organizational units'],
      ['an account outside the organization', '999999999999', 'is not a member of the organization'],
    ])('refuses and logs an invocation from %s, without assuming any role or reporting', async (_case, account, reason) => {
      const { handler, config, sts } = await deployedRuleHandler();
      await expect(handler(changeEventFrom(account), context('driftwarden-org-example-configRule'))).rejects.toThrow(reason);
      expect(sts.calls()).toHaveLength(0);
      expect(config.calls()).toHaveLength(0);
      const logged = output.map((line) => JSON.parse(line)).find((line) => line.level === 'ERROR');
      expect(logged).toMatchObject({ message: 'Config rule invocation failed', errorName: 'EventOutOfScopeError' });
      expect(logged.error.message).toContain(reason);
    });
  });

  describe('the remediation function', () => {
    async function deployedRemediationHandler() {
      const tableName = `organization-${++tables}`;
      await createTable(local.client, tableName);
      Object.assign(process.env, {
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'central',
        AWS_SECRET_ACCESS_KEY: 'central',
        AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
        AUDIT_TABLE_NAME: tableName,
        DRIFTWARDEN_STAGE: 'org-example',
        DRIFTWARDEN_SETTINGS: JSON.stringify({ organization: ORGANIZATION, rules: { 'public-app-ports': { mode: 'auto', parameters: { authorizedTcpPorts: '80,443' } } } }),
      });
      const simulated = await simulateOrganization();
      const ec2Module = await import('@aws-sdk/client-ec2');
      const eventBridgeModule = await import('@aws-sdk/client-eventbridge');
      const ec2: Stub = mockClient(ec2Module.EC2Client);
      ec2.on(ec2Module.DescribeSecurityGroupsCommand).resolves(fixture('config/api-describe-security-groups.json'));
      ec2.on(ec2Module.DescribeSecurityGroupRulesCommand).resolves(fixture('config/api-describe-security-group-rules.json'));
      ec2.on(ec2Module.RevokeSecurityGroupIngressCommand).resolves({ Return: true });
      const eventBridge: Stub = mockClient(eventBridgeModule.EventBridgeClient);
      eventBridge.on(eventBridgeModule.PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e7a1b2c3-d4e5-4f60-8a9b-0c1d2e3f4a5b' }] });
      let handler!: (event: unknown, context: Context) => Promise<any>;
      await jest.isolateModulesAsync(async () => {
        handler = (await import('../../handlers/remediate-organization')).handler;
      });
      return { handler, ec2, eventBridge, audit: new DynamoDbAuditLog(local.client, tableName), ...simulated };
    }

    it('re-reads, fixes and audits account B\'s finding in account B, naming the account', async () => {
      const { handler, ec2, eventBridge, audit, sts, AssumeRoleCommand } = await deployedRemediationHandler();
      const event = complianceChangeFrom(MEMBER_B);
      const run = await handler(event, context('driftwarden-org-example-remediate'));
      expect(run).toMatchObject({ outcome: 'applied' });
      const operations = ec2.calls().map((call) => call.args[0].constructor.name);
      expect(operations).toEqual(expect.arrayContaining(['DescribeSecurityGroupsCommand', 'RevokeSecurityGroupIngressCommand']));
      for (let index = 0; index < ec2.calls().length; index++) expect(await signerOf(ec2, index)).toBe(MEMBER_B);
      expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER_B}:role/driftwarden-remediate-eu-west-1` });
      expect(await audit.get(event.id)).toMatchObject({ accountId: MEMBER_B, accountName: 'payments-prod', region: 'eu-west-1', outcome: 'applied' });
      // The audit table and the remediation events stay in the central account.
      const details = eventBridge.calls().flatMap((call) => call.args[0].input.Entries).map((entry: { Detail: string }) => JSON.parse(entry.Detail));
      expect(details.map((detail: any) => [detail.accountId, detail.accountName])).toEqual([
        [MEMBER_B, 'payments-prod'],
        [MEMBER_B, 'payments-prod'],
      ]);
      for (let index = 0; index < eventBridge.calls().length; index++) expect(await signerOf(eventBridge, index)).toBe('central');
    });

    it.each([
      ['an excluded account', EXCLUDED, 'is excluded by organization.exclude.accounts'],
      ['an account outside the included OUs', OUTSIDE_OU, 'is in none of the included organizational units'],
      ['an account outside the organization', '999999999999', 'is not a member of the organization'],
    ])('refuses a finding of %s: no role assumed, nothing read, changed or audited', async (_case, account, reason) => {
      const { handler, ec2, audit, sts } = await deployedRemediationHandler();
      const event = complianceChangeFrom(account);
      await expect(handler(event, context('driftwarden-org-example-remediate'))).rejects.toThrow(reason);
      expect(sts.calls()).toHaveLength(0);
      expect(ec2.calls()).toHaveLength(0);
      expect(await audit.get(event.id)).toBeUndefined();
      const logged = output.map((line) => JSON.parse(line)).find((line) => line.level === 'ERROR');
      expect(logged).toMatchObject({ message: 'Remediation failed', errorName: 'EventOutOfScopeError' });
    });

    it('refuses a member account\'s finding from another region: each region\'s central stack acts in its own', async () => {
      const { handler, ec2, sts } = await deployedRemediationHandler();
      const event = complianceChangeFrom(MEMBER_B);
      event.region = 'us-east-1';
      event.detail.awsRegion = 'us-east-1';
      await expect(handler(event, context('driftwarden-org-example-remediate'))).rejects.toThrow(
        /names account 333333333333 region us-east-1; this function acts only in the selected accounts of the organization in eu-west-1/,
      );
      expect(sts.calls()).toHaveLength(0);
      expect(ec2.calls()).toHaveLength(0);
    });

    it('refuses a finding of another stage\'s Config rule in a member account', async () => {
      const { handler, sts } = await deployedRemediationHandler();
      const event = complianceChangeFrom(MEMBER_B);
      event.detail.configRuleName = 'driftwarden-org-example-eu-public-app-ports';
      await expect(handler(event, context('driftwarden-org-example-remediate'))).rejects.toThrow("which is not one of this stage's rules");
      expect(sts.calls()).toHaveLength(0);
    });
  });
});
