import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { alertFromEvent } from '../lib/alerts/alert';
import { eventsFromQueue } from '../lib/alerts/deployed';
import { handleRuleInvocation } from '../lib/config-rule/handle';
import { DriftwardenError } from '../lib/errors';
import { findingFromComplianceChange } from '../lib/finding';
import { checkFindingScope } from '../lib/remediation/scope';
import { parseSettings } from '../lib/settings';
import { readConfigurationItem, resourceFromItem } from '../lib/sources/config-item';
import { RULES } from '../rules';
import { REMEDIATIONS } from '../remediations';
import { alertContext } from './alerts/alert-fixtures';
import { fixture, NOW } from './helpers';

/**
 * Every handler's input, mutated at random: each path of a real-shaped fixture replaced by values
 * AWS never sends (huge numbers, markup, empty, wrong types). Whatever comes in, the only errors
 * are the project's own typed ones: nothing crashes with a TypeError or a RangeError.
 */
const CASES = Number(process.env.FUZZ_CASES ?? 150);
const HOSTILE: unknown[] = [null, 1e308, -1, 0, '', 'x'.repeat(3000), {}, [], true, '<!channel>', '1e308', '+275760-09-13T00:00:00.000Z', 'NON_COMPLIANT', [{}], { a: 1 }];

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  return [prefix, ...Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => paths(child, [...prefix, key]))];
}

function mutate<T>(original: T, random: () => number): T {
  const copy = JSON.parse(JSON.stringify(original));
  const all = paths(copy).filter((path) => path.length > 0);
  for (let changes = 1 + Math.floor(random() * 3); changes > 0; changes -= 1) {
    const path = all[Math.floor(random() * all.length)]!;
    let parent = copy;
    for (const key of path.slice(0, -1)) parent = parent?.[key];
    if (parent === null || typeof parent !== 'object') continue;
    const roll = random();
    if (roll < 0.15) delete parent[path.at(-1)!];
    else parent[path.at(-1)!] = HOSTILE[Math.floor(random() * HOSTILE.length)];
  }
  // Inputs arrive as JSON: a deleted array element becomes null, as it would on the wire.
  return JSON.parse(JSON.stringify(copy));
}

/** A Config rule event whose invoking event (JSON in a string) is mutated inside too. */
function mutateRuleEvent(event: { invokingEvent: string }, random: () => number): unknown {
  const inner = random() < 0.7 ? JSON.stringify(mutate(JSON.parse(event.invokingEvent), random)) : event.invokingEvent;
  return mutate({ ...event, invokingEvent: inner }, random);
}

async function expectOnlyTypedErrors(run: () => unknown): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof DriftwardenError)) throw new Error(`untyped ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
  }
}

const config = mockClient(ConfigServiceClient);
beforeAll(() => config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] }));
afterAll(() => config.restore());

const offlineSources = {
  fetchItem: async () => readConfigurationItem(fixture('config/sg-public-app.json')),
  loadLookups: async () => ({ flowLogsByVpc: new Map() }),
  listResources: async function* () {},
  recordedResults: async function* () {},
};

describe('Fuzz: every handler input', () => {
  it.each(['config/event-change-sg.json', 'config/event-oversized-sg.json', 'config/event-scheduled-vpc.json'])('Config rule invocations like %s', async (name) => {
    const random = seeded(1);
    for (let index = 0; index < CASES; index += 1) {
      const event = mutateRuleEvent(fixture(name), random);
      await expectOnlyTypedErrors(() =>
        handleRuleInvocation(event, { rules: RULES, settings: parseSettings({}, RULES), config: new ConfigServiceClient({ region: 'eu-west-1' }), sources: offlineSources, now: () => NOW }),
      );
    }
  });

  it.each(['config/compliance-change-noncompliant.json', 'config/compliance-change-compliant.json'])('compliance changes like %s, through the remediation checks', async (name) => {
    const random = seeded(2);
    const scope = { accountId: '123456789012', region: 'eu-west-1', configRuleNames: RULES.map((rule) => `driftwarden-dev-${rule.id}`) };
    for (let index = 0; index < CASES; index += 1) {
      const event = mutate(fixture(name), random);
      await expectOnlyTypedErrors(() => checkFindingScope(findingFromComplianceChange(event, RULES), RULES, scope));
    }
  });

  it.each(['config/compliance-change-noncompliant.json', 'alerts/remediation-applied.json', 'alerts/remediation-failed.json', 'alerts/remediation-planned-manual.json'])(
    'SQS records carrying events like %s, through the notifier',
    async (name) => {
      const random = seeded(3);
      for (let index = 0; index < CASES; index += 1) {
        const body = random() < 0.1 ? '{not json' : JSON.stringify(mutate(fixture(name), random));
        for (const { event } of eventsFromQueue([{ messageId: `m-${index}`, body }])) await expectOnlyTypedErrors(() => alertFromEvent(event, alertContext()));
      }
    },
  );

  it.each(['sg-public-app', 'vpc', 'secret-never-rotated', 's3-bucket-sse-kms', 'rds-instance-unencrypted', 'ebs-volume-unencrypted'])('configuration items like %s', async (name) => {
    const random = seeded(4);
    for (let index = 0; index < CASES; index += 1) {
      const item = mutate(fixture(`config/${name}.json`), random);
      await expectOnlyTypedErrors(() => resourceFromItem(readConfigurationItem(item)));
    }
  });

  it('remediation plans from mutated resources', async () => {
    const random = seeded(5);
    const settings = parseSettings({}, RULES);
    for (let index = 0; index < CASES; index += 1) {
      for (const name of ['sg-public-app', 'secret-never-rotated', 's3-bucket-no-encryption-config', 'vpc']) {
        await expectOnlyTypedErrors(() => {
          const resource = resourceFromItem(readConfigurationItem(mutate(fixture(`config/${name}.json`), random)));
          if (!resource) return;
          for (const rule of RULES.filter((candidate) => (candidate.resourceTypes as readonly string[]).includes(resource.type))) {
            const remediation = REMEDIATIONS.find((candidate) => candidate.id === rule.remediation);
            if (!remediation) continue;
            const parameters = rule.parameters.parse({});
            const evaluation = { ruleId: rule.id, severity: rule.severity, resourceType: resource.type, resourceId: resource.id, compliance: 'NON_COMPLIANT' as const, annotation: 'fuzz', orderingTimestamp: NOW.toISOString() };
            remediation.plan({ resource, evaluation, parameters, settings: settings.remediation, stack: {} } as never);
          }
        });
      }
    }
  });
});
