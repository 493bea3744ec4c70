import { evaluateResource, findRule, notApplicable, type Evaluation } from '../evaluate';
import { DeadlineExceededError } from '../errors';
import { createLookups, type LookupData, type Lookups } from '../lookups';
import type { Resource, ResourceType } from '../model';
import { parseRuleParameters, type AnyRule, type Compliance } from '../rule';
import { isGone, readConfigurationItem, resourceFromItem, type ConfigurationItem } from '../sources/config-item';
import type { InvokingEvent, RuleInvocation } from './invocation';

/** A verdict AWS Config already holds for this rule, from GetComplianceDetailsByConfigRule. */
export interface RecordedResult {
  resourceType: string;
  resourceId: string;
  compliance: Compliance;
  annotation?: string;
}

/** What a rule run needs from AWS, injected so the run itself is testable without it. */
export interface RuleRunSources {
  /** The latest recorded item, for oversized notifications; undefined when Config has none. */
  fetchItem(resourceType: string, resourceId: string): Promise<ConfigurationItem | undefined>;
  /**
   * The lookups the rule declares for these resources, asked for only when the rule consults one.
   * In a sweep it is called once per page, so a source loads what covers the whole account (every
   * flow log) once and the rest per page.
   */
  loadLookups(rule: AnyRule, resources: readonly Resource[], sweep: boolean): Promise<LookupData>;
  /** Every resource of a type, a page at a time. */
  listResources(resourceType: ResourceType): AsyncIterable<readonly Resource[]>;
  /** Every verdict Config holds for the rule, a page at a time. */
  recordedResults(configRuleName: string): AsyncIterable<readonly RecordedResult[]>;
}

export interface RuleRunOptions {
  now: Date;
  /** Skip re-reporting verdicts Config already holds unchanged (periodic sweeps only). */
  costAwareReporting: boolean;
  /** True once too little time is left to start another page (from the Lambda context); no page is started after. */
  outOfTime?: () => boolean;
  /**
   * Takes the evaluations to report as soon as they are decided: in a sweep, a page at a time while
   * the next pages are read, so delivering verdicts overlaps reading the account. Every evaluation
   * of `RuleRun.evaluations` passes through it exactly once.
   */
  report?: (evaluations: readonly Evaluation[]) => void;
}

export interface RuleRun {
  rule: AnyRule;
  /** The evaluations to report with PutEvaluations. */
  evaluations: Evaluation[];
  /**
   * Resources whose verdict could not be decided (`INSUFFICIENT_DATA`): AWS Config takes no such
   * verdict, so they are not reported, their previous verdicts stand, and the run must fail loudly.
   */
  undecided: Evaluation[];
  /** Verdicts evaluated but not re-reported because Config already holds them unchanged. */
  unchanged: number;
  /** Resource types a sweep could not list: their earlier verdicts stand, and the run must fail loudly. */
  failedTypes: { resourceType: string; error: Error }[];
  /**
   * Why a sweep could not read the verdicts Config holds (GetComplianceDetailsByConfigRule): every
   * fresh verdict is still reported, only the clean-up of vanished resources is skipped, and the run
   * must fail loudly naming that step.
   */
  recordedResultsError?: Error;
}

/**
 * Resource types a sweep lists at once. A listing makes up to 16 per-resource calls at a time
 * (lib/aws/inventory.ts), so this bounds a sweep at 128 calls in flight, inside the per-account
 * request rates of the APIs it calls (the clients' adaptive retries slow down if AWS throttles).
 * A type waits for a free slot only behind types listed before it, so a rule's slowest listings
 * (S3 and SNS, one call per resource) start at once.
 */
export const TYPES_LISTED_AT_ONCE = 8;

const resultKey = (resourceType: string, resourceId: string) => `${resourceType}\u0000${resourceId}`;

/**
 * Evaluates resources with lookups only if the rule asks for them. A first pass answers every
 * lookup with nothing and notes whether the rule asked: `evaluate()` is pure, so a rule that never
 * asked (encryption-at-rest when no customer managed key is required) gave the verdict it would give
 * with them, and no lookup call is made. If it asked, the rule's lookups are loaded as before and
 * the resources evaluated again. The first pass stops at the first resource that asks: what it
 * evaluated so far is thrown away anyway.
 */
async function evaluateWithLookups(rule: AnyRule, params: unknown, resources: readonly Resource[], load: () => Promise<LookupData>, now: Date): Promise<Evaluation[]> {
  let asked = false;
  const nothing = () => {
    asked = true;
    return undefined;
  };
  const unanswered: Lookups = { flowLogs: nothing, secretRotation: nothing, keyManager: nothing };
  const evaluations: Evaluation[] = [];
  for (const resource of resources) {
    const evaluation = evaluateResource(rule, params, resource, unanswered, now);
    if (asked) break;
    evaluations.push(evaluation);
  }
  if (!asked) return evaluations;
  const lookups = createLookups(await load());
  return resources.map((resource) => evaluateResource(rule, params, resource, lookups, now));
}

async function evaluateItem(rule: AnyRule, params: unknown, item: ConfigurationItem, leftScope: boolean, sources: RuleRunSources, now: Date): Promise<Evaluation> {
  const orderingTimestamp = item.captureTime ?? now.toISOString();
  if (leftScope) return notApplicable(rule, item, 'The resource left the rule\'s scope.', orderingTimestamp);
  if (isGone(item)) {
    return notApplicable(rule, item, `The resource is ${item.status === 'ResourceNotRecorded' ? 'not recorded by AWS Config' : 'deleted'}; nothing to evaluate.`, orderingTimestamp);
  }
  const resource = resourceFromItem(item);
  if (!resource) return notApplicable(rule, item, `driftwarden does not evaluate ${item.resourceType}.`, orderingTimestamp);
  const [evaluation] = await evaluateWithLookups(rule, params, [resource], () => sources.loadLookups(rule, [resource], false), now);
  return evaluation!;
}

type ChangeEvent = Exclude<InvokingEvent, { messageType: 'ScheduledNotification' }>;

async function evaluateChange(rule: AnyRule, params: unknown, event: ChangeEvent, leftScope: boolean, sources: RuleRunSources, now: Date): Promise<Evaluation> {
  if (event.messageType === 'ConfigurationItemChangeNotification') {
    return evaluateItem(rule, params, readConfigurationItem(event.configurationItem), leftScope, sources, now);
  }
  const summary = event.configurationItemSummary;
  const item = await sources.fetchItem(summary.resourceType, summary.resourceId);
  if (!item) {
    return notApplicable(rule, summary, 'AWS Config holds no configuration item for this resource; it is not recorded.', summary.configurationItemCaptureTime ?? now.toISOString());
  }
  return evaluateItem(rule, params, item, leftScope, sources, now);
}

/**
 * Pages a listing reads ahead of the one being evaluated. Evaluating a page can wait on a lookup
 * chain of its own (every flow log of the region, ten 1,000-item pages in a large account); reading
 * on meanwhile keeps the two chains side by side instead of one after the other. Bounded, so a huge
 * account is never held in memory at once (8 pages: at most 8,000 resources of a type).
 */
export const PAGES_READ_AHEAD = 8;

/**
 * The pages of `source`, each next one asked for as soon as the one before arrives, up to `depth`
 * pages ahead of the caller: pages keep coming while the caller evaluates (or waits on a lookup),
 * so evaluation time hides behind the API's latency. A listing is a chain (each page needs the last
 * one's token), so there is only ever one call in flight. No page is asked for once `mayReadOn`
 * says no or the caller stops; `mayReadOn` must be a check the caller also makes after every page
 * (the invocation's deadline), so the caller stops before it would wait for a page never asked for.
 */
async function* readAhead<T>(source: AsyncIterable<T>, depth: number, mayReadOn: () => boolean): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  // Pages asked for and not yet taken by the caller, the one in flight included.
  const unread: Promise<IteratorResult<T>>[] = [];
  let inFlight = false;
  let stopped = false;
  const read = () => {
    inFlight = true;
    const next = iterator.next();
    unread.push(next);
    next.then(
      (result) => {
        inFlight = false;
        if (result.done) stopped = true;
        else readOn();
      },
      () => {
        // The caller meets the failure in its turn.
        inFlight = false;
        stopped = true;
      },
    );
  };
  const readOn = () => {
    if (!inFlight && !stopped && unread.length < depth && mayReadOn()) read();
  };
  // The caller has decided to list: the first page is asked for whatever `mayReadOn` says now.
  read();
  try {
    for (;;) {
      const result = await unread.shift()!;
      if (result.done) return;
      readOn();
      yield result.value;
    }
  } finally {
    // The caller is done, or stopped early (a failure, the deadline): nothing more is read.
    stopped = true;
  }
}

async function readRecorded(sources: RuleRunSources, configRuleName: string): Promise<Map<string, RecordedResult>> {
  const recorded = new Map<string, RecordedResult>();
  for await (const page of sources.recordedResults(configRuleName)) {
    for (const result of page) recorded.set(resultKey(result.resourceType, result.resourceId), result);
  }
  return recorded;
}

async function sweep(rule: AnyRule, params: unknown, invocation: RuleInvocation, sources: RuleRunSources, options: RuleRunOptions): Promise<RuleRun> {
  const report = options.report ?? (() => undefined);
  const outOfTime = options.outOfTime ?? (() => false);
  // Each type's evaluations, in the rule's order, once decided; undecided ones are kept apart.
  const byType = rule.resourceTypes.map(() => [] as Evaluation[]);
  const undecided: Evaluation[] = [];
  const evaluatedKeys = new Set<string>();
  let unchanged = 0;
  // Cost-aware reporting compares each verdict with the one Config holds, so pages wait until
  // Config's results are read; otherwise every decided verdict is reported at once.
  let comparedWith: Map<string, RecordedResult> | undefined = options.costAwareReporting ? undefined : new Map();
  const waiting: { index: number; evaluations: Evaluation[] }[] = [];
  const decide = (index: number, evaluations: readonly Evaluation[], recorded: Map<string, RecordedResult>) => {
    const fresh: Evaluation[] = [];
    for (const evaluation of evaluations) {
      const key = resultKey(evaluation.resourceType, evaluation.resourceId);
      evaluatedKeys.add(key);
      if (evaluation.compliance === 'INSUFFICIENT_DATA') {
        undecided.push(evaluation);
        continue;
      }
      const previous = options.costAwareReporting ? recorded.get(key) : undefined;
      if (previous?.compliance === evaluation.compliance && (previous.annotation ?? '') === evaluation.annotation) {
        unchanged += 1;
      } else {
        fresh.push(evaluation);
      }
    }
    const decided = byType[index]!;
    for (const evaluation of fresh) decided.push(evaluation);
    if (fresh.length > 0) report(fresh);
  };
  const evaluatedPage = (index: number, evaluations: Evaluation[]) => {
    if (comparedWith) decide(index, evaluations, comparedWith);
    else waiting.push({ index, evaluations });
  };
  // Config's results and the account are both read a page at a time and neither needs the other
  // until the comparison, so the two chains of pages run side by side instead of one after the other.
  let recordedResultsError: Error | undefined;
  const recordedLoad = readRecorded(sources, invocation.configRuleName).catch((error: unknown) => {
    // Without Config's verdicts nothing is "unchanged" and nothing is known to have vanished.
    recordedResultsError = error as Error;
    return new Map<string, RecordedResult>();
  });
  const comparable = recordedLoad.then((recorded) => {
    if (comparedWith) return;
    comparedWith = recorded;
    for (const { index, evaluations } of waiting.splice(0)) decide(index, evaluations, recorded);
  });
  // Each type is its own chain of pages, so the types are listed side by side (a few at a time, each
  // still a page at a time).
  const failures: (Error | undefined)[] = rule.resourceTypes.map(() => undefined);
  const listType = async (index: number) => {
    const resourceType = rule.resourceTypes[index]!;
    let evaluatedOfType = 0;
    try {
      if (outOfTime()) throw new DeadlineExceededError('not listed: the invocation ran out of time');
      for await (const page of readAhead(sources.listResources(resourceType), PAGES_READ_AHEAD, () => !outOfTime())) {
        const evaluations = await evaluateWithLookups(rule, params, page, () => sources.loadLookups(rule, page, true), options.now);
        evaluatedOfType += evaluations.length;
        evaluatedPage(index, evaluations);
        if (outOfTime()) throw new DeadlineExceededError(`listed in part: the invocation ran out of time after ${evaluatedOfType} evaluation(s)`);
      }
    } catch (error) {
      failures[index] = error as Error;
    }
  };
  let nextType = 0;
  const lister = async () => {
    while (nextType < rule.resourceTypes.length) await listType(nextType++);
  };
  await Promise.all(Array.from({ length: Math.min(TYPES_LISTED_AT_ONCE, rule.resourceTypes.length) }, lister));
  const failedTypes: RuleRun['failedTypes'] = [];
  const unlistedTypes = new Set<string>();
  failures.forEach((error, index) => {
    if (!error) return;
    const resourceType = rule.resourceTypes[index]!;
    unlistedTypes.add(resourceType);
    failedTypes.push({ resourceType, error });
  });
  await comparable;
  const recorded = await recordedLoad;
  // What Config still holds a verdict for but no longer exists: without this its old verdict would stand forever.
  const vanished: Evaluation[] = [];
  for (const [key, gone] of recorded) {
    if (evaluatedKeys.has(key) || gone.compliance === 'NOT_APPLICABLE' || unlistedTypes.has(gone.resourceType)) continue;
    vanished.push(notApplicable(rule, gone, 'The resource no longer exists.', options.now.toISOString()));
  }
  if (vanished.length > 0) report(vanished);
  const evaluations = byType.flat();
  for (const evaluation of vanished) evaluations.push(evaluation);
  return { rule, evaluations, undecided, unchanged, failedTypes, ...(recordedResultsError && { recordedResultsError }) };
}

/** Evaluates one Config rule invocation into the evaluations to report. */
export async function runRuleInvocation(rules: readonly AnyRule[], invocation: RuleInvocation, sources: RuleRunSources, options: RuleRunOptions): Promise<RuleRun> {
  const rule = findRule(rules, invocation.configRuleName);
  const params = parseRuleParameters(rule, invocation.ruleParameters);
  const event = invocation.invokingEvent;
  if (event.messageType === 'ScheduledNotification') {
    return sweep(rule, params, invocation, sources, options);
  }
  const evaluation = await evaluateChange(rule, params, event, invocation.eventLeftScope, sources, options.now);
  const decided = evaluation.compliance !== 'INSUFFICIENT_DATA';
  if (decided) options.report?.([evaluation]);
  return { rule, evaluations: decided ? [evaluation] : [], undecided: decided ? [] : [evaluation], unchanged: 0, failedTypes: [] };
}
