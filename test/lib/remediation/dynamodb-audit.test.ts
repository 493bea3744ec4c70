import type { AuditRecord } from '../../../lib/remediation/audit';
import { DynamoDbAuditLog, hourOf } from '../../../lib/remediation/dynamodb-audit';
import { createTable, startLocalDynamoDb, type LocalDynamoDb } from '../../dynalite';

const NOW = new Date('2025-06-12T09:41:40.000Z');
let local: LocalDynamoDb;
let tableCount = 0;

beforeAll(async () => {
  local = await startLocalDynamoDb();
});
afterAll(async () => {
  await local.stop();
});

async function freshLog(): Promise<DynamoDbAuditLog> {
  const tableName = `audit-${++tableCount}`;
  await createTable(local.client, tableName);
  return new DynamoDbAuditLog(local.client, tableName);
}

function record(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    auditId: '8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14',
    eventId: '8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14',
    origin: 'lambda',
    ruleId: 'public-app-ports',
    remediation: 'revoke-public-ingress',
    resourceType: 'AWS::EC2::SecurityGroup',
    resourceId: 'sg-0f1e2d3c4b5a69788',
    accountId: '123456789012',
    region: 'eu-west-1',
    mode: 'auto',
    outcome: 'in-progress',
    summary: 'Remediation started.',
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    ...overrides,
  };
}

describe('DynamoDbAuditLog (against dynalite)', () => {
  it('stores a record with its plan, result and undo calls and reads it back unchanged', async () => {
    const log = await freshLog();
    const undo = [{ service: 'sns' as const, operation: 'SetTopicAttributes' as const, input: { TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', AttributeName: 'KmsMasterKeyId', AttributeValue: '' } }];
    const full = record({
      outcome: 'applied',
      undo,
      result: { outcome: 'applied', message: '1 change made.', steps: [{ description: 'Encrypt topic', operation: 'SetTopicAttributes', status: 'done' }], undo },
      exemption: undefined,
    });
    expect(await log.claim(full, NOW)).toBe(true);
    expect(await log.get(full.auditId)).toEqual(JSON.parse(JSON.stringify(full)));
  });

  it('returns nothing for an unknown audit id', async () => {
    expect(await (await freshLog()).get('no-such-run')).toBeUndefined();
  });

  it('lets exactly one of many concurrent deliveries of the same event claim it', async () => {
    const log = await freshLog();
    const claims = await Promise.all(Array.from({ length: 12 }, () => log.claim(record(), NOW)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it.each([
    ['a finished run', { outcome: 'applied' as const }, NOW, false],
    ['a run still in progress', { outcome: 'in-progress' as const }, new Date(NOW.getTime() + 60_000), false],
    ['a run that died holding the claim', { outcome: 'in-progress' as const }, new Date(NOW.getTime() + 16 * 60_000), true],
    ['a failure marked retryable', { outcome: 'failed' as const, retryable: true }, NOW, true],
    ['a failure retrying cannot fix', { outcome: 'failed' as const, retryable: false }, NOW, false],
  ])('decides whether a re-delivery may claim the event after %s', async (_case, state, redeliveredAt, claimable) => {
    const log = await freshLog();
    await log.claim(record(state), NOW);
    expect(await log.claim(record({ createdAt: redeliveredAt.toISOString(), updatedAt: redeliveredAt.toISOString() }), redeliveredAt)).toBe(claimable);
  });

  it('records an undo once, even when two undos race', async () => {
    const log = await freshLog();
    await log.claim(record({ outcome: 'applied' }), NOW);
    const undone = { at: NOW.toISOString(), result: { outcome: 'applied' as const, message: '1 change made.', steps: [], undo: [] } };
    const marks = await Promise.all([log.markUndone(record().auditId, undone), log.markUndone(record().auditId, undone)]);
    expect(marks.sort()).toEqual([false, true]);
    expect((await log.get(record().auditId))?.undone).toEqual(undone);
  });

  it('refuses to mark an unknown record undone', async () => {
    expect(await (await freshLog()).markUndone('no-such-run', { at: NOW.toISOString(), result: { outcome: 'applied', message: '', steps: [], undo: [] } })).toBe(false);
  });

  it('allows the configured number of changes per clock hour, even when they race, and opens the next hour afresh', async () => {
    const log = await freshLog();
    const reservations = await Promise.all(Array.from({ length: 15 }, () => log.reserveChange(NOW, 10)));
    expect(reservations.filter(Boolean)).toHaveLength(10);
    expect(await log.reserveChange(new Date('2025-06-12T09:59:59.999Z'), 10)).toBe(false);
    expect(await log.reserveChange(new Date('2025-06-12T10:00:00.000Z'), 10)).toBe(true);
    expect(hourOf(NOW)).toBe('2025-06-12T09');
  });

  it('reports a table that does not exist as an audit store error', async () => {
    const log = new DynamoDbAuditLog(local.client, 'missing-table');
    await expect(log.claim(record(), NOW)).rejects.toThrow(/Cannot write audit record 8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14 to missing-table: .*(not found|non-existent)/i);
  });
});
