import { alertChaos, evaluationChaos, FULL, REDUCED, remediationChaos } from './scenarios';
import { startLocalDynamoDb, type LocalDynamoDb } from '../dynalite';

// `npm run chaos` sets CHAOS=full for the larger run and prints the figures (BENCHMARKS.md).
const scale = process.env.CHAOS === 'full' ? FULL : REDUCED;
let dynamo: LocalDynamoDb;
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
});
afterAll(async () => {
  await dynamo.stop();
  if (process.env.CHAOS) process.stdout.write(`\nchaos figures (seed ${scale.seed}):\n${JSON.stringify(figures, null, 2)}\n`);
});

describe('Fault injection', () => {
  it('loses no evaluation silently under throttling, 5xx, resets, stalls and partial failures', async () => {
    const result = await evaluationChaos(scale);
    figures.evaluations = result;
    expect(result.lost).toBe(0);
    expect(result.delivered + result.failedLoudly).toBe(result.sent);
    expect(result.injectedFaults).toBeGreaterThan(0);
  }, 600_000);

  it('delivers every alert once or dead-letters it, under duplicates, a flaky Slack and a refusing queue', async () => {
    const result = await alertChaos(scale, dynamo.client);
    figures.alerts = result;
    expect(result.doubled).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.delivered + result.deadLettered).toBe(result.events);
  }, 600_000);

  it('applies one remediation per resource however many distinct events arrive at once, through a throttling EC2', async () => {
    const result = await remediationChaos(scale, dynamo.client);
    figures.remediations = result;
    expect(result.appliedPerResource).toEqual(Array(scale.resources).fill(1));
    expect(result.nowCompliantSkips).toBe(result.events - scale.resources);
  }, 600_000);
});
