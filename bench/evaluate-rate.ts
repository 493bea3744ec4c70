import { evaluateResource } from '../lib/evaluate';
import { createLookups } from '../lib/lookups';
import { parseRuleParameters, type AnyRule } from '../lib/rule';
import { RULES } from '../rules';
import { median } from './stats';
import { BENCH_NOW, ruleAccount } from './synthetic';

export interface EvaluateRate {
  ruleId: string;
  /** `rule.evaluate()` alone, on a varied set of resources of its types. */
  evaluatePerSecond: number;
  /** The same through `evaluateResource()`: scope check, exemption tags, annotation cut, the evaluation object. */
  runnerPerSecond: number;
}

const ROUNDS = 5;
const ROUND_MS = 150;

/** Evaluations per second of `evaluate` over `count` calls repeated until a round lasts ROUND_MS; the median round. */
function rate(evaluateAt: (index: number) => unknown, count: number): number {
  const rounds: number[] = [];
  let sink = 0;
  for (let round = 0; round < ROUNDS + 1; round++) {
    let done = 0;
    const start = process.hrtime.bigint();
    let elapsedNs = 0n;
    while (elapsedNs < BigInt(ROUND_MS) * 1_000_000n) {
      for (let i = 0; i < count; i++) if (evaluateAt(i) !== undefined) sink++;
      done += count;
      elapsedNs = process.hrtime.bigint() - start;
    }
    // The first round warms the JIT up and is not counted.
    if (round > 0) rounds.push(done / (Number(elapsedNs) / 1e9));
  }
  if (sink === 0) throw new Error('no evaluation returned a result');
  return median(rounds);
}

function measureRule(rule: AnyRule): EvaluateRate {
  const { resources, lookupData } = ruleAccount(rule.id, 2_000, 7);
  const params = parseRuleParameters(rule, {});
  const lookups = createLookups(lookupData);
  const context = { ...lookups, now: BENCH_NOW };
  return {
    ruleId: rule.id,
    evaluatePerSecond: rate((i) => rule.evaluate(resources[i]!, params, context), resources.length),
    runnerPerSecond: rate((i) => evaluateResource(rule, params, resources[i]!, lookups, BENCH_NOW), resources.length),
  };
}

export function measureEvaluateRates(): EvaluateRate[] {
  return RULES.map(measureRule);
}
