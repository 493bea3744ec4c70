import 'aws-sdk-client-mock-jest';
import { AuthorizeSecurityGroupIngressCommand, DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../lib/aws/clients';
import { DynamoDbAuditLog } from '../../lib/remediation/dynamodb-audit';
import { undoRemediation } from '../../lib/remediation/undo';
import { fixture } from '../helpers';
import { createTable, startLocalDynamoDb, type LocalDynamoDb } from '../dynalite';

const context = {
  functionName: 'driftwarden-test-remediate',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:driftwarden-test-remediate',
  memoryLimitInMB: '256',
  awsRequestId: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  getRemainingTimeInMillis: () => 600_000,
} as unknown as Context;
const EVENT_ID = '8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14';
const GROUP = 'sg-0f1e2d3c4b5a69788';

let local: LocalDynamoDb;
let tables = 0;
const saved = { ...process.env };

beforeAll(async () => {
  local = await startLocalDynamoDb();
});
afterAll(async () => {
  await local.stop();
});
beforeEach(() => {
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  process.env = { ...saved };
  jest.restoreAllMocks();
});

type Stub = AwsStub<any, any, any>;

/** The compliance change of this stage's public-app-ports rule (the fixture names stage dev). */
function complianceChange(change: (event: any) => void = () => undefined) {
  const text = JSON.stringify(fixture('config/compliance-change-noncompliant.json')).replaceAll('driftwarden-dev-', 'driftwarden-test-');
  const event = JSON.parse(text);
  change(event);
  return event;
}

/**
 * The handler as deployed with `mode` for public-app-ports, its audit table in dynalite. It is loaded
 * in its own module registry (it reads its settings at load); the SDK modules it loads on first use
 * come from this file's registry, where they are mocked.
 */
async function deployedHandler(mode: string) {
  const tableName = `handler-${++tables}`;
  await createTable(local.client, tableName);
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
    AUDIT_TABLE_NAME: tableName,
    DRIFTWARDEN_STAGE: 'test',
    DRIFTWARDEN_KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a',
    FLOW_LOG_ROLE_ARN: 'arn:aws:iam::123456789012:role/driftwarden-test-FlowLogDeliveryRole-1A2B3C4D',
    DRIFTWARDEN_SETTINGS: JSON.stringify({ rules: { 'public-app-ports': { mode, parameters: { authorizedTcpPorts: '80,443' } } } }),
  });
  const ec2: Stub = mockClient(EC2Client);
  ec2.on(DescribeSecurityGroupsCommand).resolves(fixture('config/api-describe-security-groups.json'));
  ec2.on(DescribeSecurityGroupRulesCommand).resolves(fixture('config/api-describe-security-group-rules.json'));
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  const eventBridge: Stub = mockClient(EventBridgeClient);
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e7a1b2c3-d4e5-4f60-8a9b-0c1d2e3f4a5b' }] });
  let handler!: (event: unknown, context: Context) => Promise<unknown>;
  await jest.isolateModulesAsync(async () => {
    handler = (await import('../../handlers/remediate')).handler;
  });
  const sent = (stub: Stub, operation: string) => stub.calls().map((call) => call.args[0]).filter((command) => command.constructor.name === `${operation}Command`).map((command) => command.input);
  const published = () => sent(eventBridge, 'PutEvents').flatMap((input: PutEventsCommandInput) => input.Entries ?? []);
  return { handler, audit: new DynamoDbAuditLog(local.client, tableName), sent: (operation: string) => sent(ec2, operation), published };
}

describe('Handler: remediate', () => {
  it('in auto mode closes tcp 5173 to the world, keeps 443 and private rules, audits it, and one undo restores it', async () => {
    const { handler, audit, sent, published } = await deployedHandler('auto');
    const run = await handler(complianceChange(), context);
    expect(run).toMatchObject({ auditId: EVENT_ID, outcome: 'applied' });
    expect(sent('RevokeSecurityGroupIngress')).toEqual([
      { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-0a11b22c33d44e551'] },
      { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-0a11b22c33d44e552'] },
      { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-0a11b22c33d44e553'] },
    ]);
    expect(published().map((entry) => `${entry.Source}: ${entry.DetailType}`)).toEqual(['driftwarden: Remediation Planned', 'driftwarden: Remediation Applied']);
    const record = await audit.get(EVENT_ID);
    expect(record?.result?.steps.map((step) => step.description)).toContain('Revoke tcp 5173 from 0.0.0.0/0 (sgr-0a11b22c33d44e551)');
    expect(record?.plan?.keeps).toEqual(expect.arrayContaining(['tcp 443 from 0.0.0.0/0 (sgr-0a11b22c33d44e554)', 'tcp 5432 from 10.0.0.0/16 (sgr-0a11b22c33d44e556)']));

    const ec2 = mockClient(EC2Client);
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    await undoRemediation(EVENT_ID, { audit, clients: createAwsClients({ region: 'eu-west-1' }), now: () => new Date() });
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: GROUP,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5173, ToPort: 5173, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'vite dev server (temporary)' }] }],
    });
    ec2.restore();
  });

  it('in dry-run mode yields a plan and a notification event, and changes nothing', async () => {
    const { handler, sent, published } = await deployedHandler('dry-run');
    expect(await handler(complianceChange(), context)).toMatchObject({ outcome: 'planned' });
    expect(sent('RevokeSecurityGroupIngress')).toEqual([]);
    const entries = published();
    expect(entries.map((entry) => entry.DetailType)).toEqual(['Remediation Planned']);
    expect(entries[0]).toMatchObject({ Source: 'driftwarden', EventBusName: 'default', Resources: [`arn:aws:ec2:eu-west-1:123456789012:security-group/${GROUP}`] });
    expect(JSON.parse(entries[0]!.Detail!)).toMatchObject({ auditId: EVENT_ID, mode: 'dry-run', outcome: 'planned', resourceId: GROUP, stage: 'test' });
  });

  it('fails a malformed event after logging it, so Lambda retries and dead-letters it', async () => {
    const { handler, sent } = await deployedHandler('auto');
    await expect(handler({ 'detail-type': 'Config Rules Compliance Change' }, context)).rejects.toThrow('Not a "Config Rules Compliance Change" event');
    expect(sent('DescribeSecurityGroups')).toEqual([]);
  });

  it.each([
    ['another account', (event: any) => Object.assign(event, { account: '999999999999' }, { detail: { ...event.detail, awsAccountId: '999999999999' } }), /names account 999999999999 region eu-west-1; this function acts only in 123456789012 eu-west-1/],
    ['another region', (event: any) => Object.assign(event, { region: 'ap-south-1' }, { detail: { ...event.detail, awsRegion: 'ap-south-1' } }), /region ap-south-1; this function acts only in/],
    ['a stage whose name starts with this one', (event: any) => (event.detail.configRuleName = 'driftwarden-test-eu-public-app-ports'), /Config rule driftwarden-test-eu-public-app-ports, which is not one of this stage's rules/],
    ['a resource type the rule does not cover', (event: any) => (event.detail.resourceType = 'AWS::EC2::VPC'), /AWS::EC2::VPC, which rule public-app-ports does not cover/],
  ])('refuses an event naming %s and touches nothing', async (_case, change, message) => {
    const { handler, sent, audit } = await deployedHandler('auto');
    await expect(handler(complianceChange(change), context)).rejects.toThrow(message);
    expect(sent('DescribeSecurityGroups')).toEqual([]);
    expect(sent('RevokeSecurityGroupIngress')).toEqual([]);
    expect(await audit.get(EVENT_ID)).toBeUndefined();
  });
});
