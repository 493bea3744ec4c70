import { DynamoDedupStore } from '../../lib/alerts/dedup-store';
import type { Alert } from '../../lib/alerts/alert';
import { fixture } from '../helpers';
import { alertOf } from './alert-fixtures';
import { createTable, startLocalDynamoDb, type LocalDynamoDb } from '../dynalite';

let dynamo: LocalDynamoDb;
const T0 = new Date('2025-06-12T09:45:00Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
let store: DynamoDedupStore;
let table = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
});
afterAll(() => dynamo.stop());
beforeEach(async () => {
  const tableName = `dedup-${++table}`;
  await createTable(dynamo.client, tableName);
  store = new DynamoDedupStore(dynamo.client, { tableName, windowSeconds: 3600, leaseSeconds: 300 });
});

const finding = (): Alert => alertOf(fixture('config/compliance-change-noncompliant.json'));

describe('Alerts: dedup store on DynamoDB', () => {
  it('lets one delivery of an event through and drops its repeats until the window ends', async () => {
    expect(await store.claimEvent('event-1', T0)).toBe(true);
    await store.completeEvent('event-1', later(10));
    expect(await store.claimEvent('event-1', later(20))).toBe(false);
    expect(await store.claimEvent('event-1', later(3000))).toBe(false);
    expect(await store.claimEvent('event-1', later(3611))).toBe(true);
  });

  it('keeps a live claim exclusive and lets a dead one be taken over, so a crash loses nothing', async () => {
    expect(await store.claimEvent('event-2', T0)).toBe(true);
    expect(await store.claimEvent('event-2', later(299))).toBe(false);
    expect(await store.claimEvent('event-2', later(301))).toBe(true);
  });

  it('grants a claim to exactly one of many concurrent deliveries', async () => {
    const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimEvent('event-3', T0)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it.each([
    ['the same state from another event', false, { eventId: 'other' }],
    ['the same event retried', true, {}],
    ['a changed annotation', true, { eventId: 'other', annotation: 'tcp 22 from 0.0.0.0/0' }],
    ['a changed verdict', true, { eventId: 'other', compliance: 'COMPLIANT' as const }],
  ])('after an announced finding, reads %s as news: %p', async (_case, expected, change) => {
    expect(await store.recordFindingState(finding(), T0)).toBe(true);
    expect(await store.recordFindingState({ ...finding(), ...change }, later(60))).toBe(expected);
  });

  it('announces an unchanged finding again once the window has passed', async () => {
    await store.recordFindingState(finding(), T0);
    expect(await store.recordFindingState({ ...finding(), eventId: 'other' }, later(3601))).toBe(true);
  });

  it('tells findings of different resources apart', async () => {
    await store.recordFindingState(finding(), T0);
    expect(await store.recordFindingState({ ...finding(), eventId: 'other', resourceId: 'sg-0aaaaaaaaaaaaaaaa' }, T0)).toBe(true);
  });

  it('passes on errors other than a failed condition', async () => {
    const missing = new DynamoDedupStore(dynamo.client, { tableName: 'no-such-table', windowSeconds: 60, leaseSeconds: 60 });
    await expect(missing.claimEvent('event-4', T0)).rejects.toThrow('Requested resource not found');
  });
});
