import 'aws-sdk-client-mock-jest';
import { AuthorizeSecurityGroupIngressCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { findingFromComplianceChange } from '../../../lib/finding';
import { createLookups } from '../../../lib/lookups';
import { DynamoDbAuditLog } from '../../../lib/remediation/dynamodb-audit';
import { remediateFinding } from '../../../lib/remediation/remediate';
import { undoRemediation } from '../../../lib/remediation/undo';
import { parseSettings } from '../../../lib/settings';
import { REMEDIATIONS } from '../../../remediations';
import { RULES } from '../../../rules';
import { fixture } from '../../helpers';
import { awsError, clients, liveAppGroup, STACK } from '../../remediations/support';
import { RecordingPublisher } from './fakes';
import { createTable, startLocalDynamoDb, type LocalDynamoDb } from '../../dynalite';

const ec2 = mockClient(EC2Client);
const NOW = new Date('2025-06-12T09:41:40.000Z');
const EVENT_ID = '8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14';
let local: LocalDynamoDb;
let tables = 0;

beforeAll(async () => {
  local = await startLocalDynamoDb();
});
afterAll(async () => {
  await local.stop();
});
beforeEach(() => ec2.reset());

/** An audit table holding one run of public-app-ports in the given mode. */
async function remediated(mode: 'auto' | 'dry-run'): Promise<DynamoDbAuditLog> {
  const tableName = `undo-${++tables}`;
  await createTable(local.client, tableName);
  const audit = new DynamoDbAuditLog(local.client, tableName);
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  await remediateFinding(findingFromComplianceChange(fixture('config/compliance-change-noncompliant.json'), RULES), {
    rules: RULES,
    remediations: REMEDIATIONS,
    settings: parseSettings({ rules: { 'public-app-ports': { mode } } }, RULES),
    stack: STACK,
    audit,
    events: new RecordingPublisher(),
    clients: clients(),
    readLiveResource: async () => liveAppGroup(),
    loadLookups: async () => createLookups({}),
    now: () => NOW,
    sleep: async () => undefined,
  });
  ec2.reset();
  return audit;
}

describe('undoRemediation', () => {
  it('re-creates every revoked rule, with its description, from the audit record, and marks the run undone', async () => {
    const audit = await remediated('auto');
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    const { result } = await undoRemediation(EVENT_ID, { audit, clients: clients(), now: () => NOW });
    expect(result.outcome).toBe('applied');
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand).map((call) => call.args[0].input)).toEqual([
      { GroupId: 'sg-0f1e2d3c4b5a69788', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] },
      { GroupId: 'sg-0f1e2d3c4b5a69788', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 4000, ToPort: 4000, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
      { GroupId: 'sg-0f1e2d3c4b5a69788', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5173, ToPort: 5173, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'vite dev server (temporary)' }] }] },
    ]);
    expect((await audit.get(EVENT_ID))?.undone?.at).toBe(NOW.toISOString());
    await expect(undoRemediation(EVENT_ID, { audit, clients: clients(), now: () => NOW })).rejects.toThrow(`${EVENT_ID} was already undone at 2025-06-12T09:41:40.000Z.`);
  });

  it('counts a rule someone already put back as restored', async () => {
    const audit = await remediated('auto');
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('InvalidPermission.Duplicate', 'the specified rule already exists'));
    expect((await undoRemediation(EVENT_ID, { audit, clients: clients(), now: () => NOW })).result.outcome).toBe('already-fixed');
  });

  it('leaves a failed undo unmarked so it can be run again', async () => {
    const audit = await remediated('auto');
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('RulesPerSecurityGroupLimitExceeded', 'The maximum number of rules per security group has been reached.'));
    expect((await undoRemediation(EVENT_ID, { audit, clients: clients(), now: () => NOW })).result.outcome).toBe('failed');
    expect((await audit.get(EVENT_ID))?.undone).toBeUndefined();
  });

  it.each([
    ['an unknown run', 'no-such-run', 'No remediation run "no-such-run" in the audit table.'],
    ['a dry run', EVENT_ID, `Nothing to undo for ${EVENT_ID}: it was not applied (outcome planned).`],
  ])('refuses %s', async (_case, auditId, message) => {
    const audit = await remediated('dry-run');
    await expect(undoRemediation(auditId, { audit, clients: clients(), now: () => NOW })).rejects.toThrow(message);
    expect(ec2).not.toHaveReceivedAnyCommand();
  });
});
