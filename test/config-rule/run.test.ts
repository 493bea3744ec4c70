import { readRuleInvocation } from '../../lib/config-rule/invocation';
import { PAGES_READ_AHEAD, runRuleInvocation, TYPES_LISTED_AT_ONCE, type RecordedResult, type RuleRunSources } from '../../lib/config-rule/run';
import { InvalidEventError, InvalidParameterError, UnknownRuleError } from '../../lib/errors';
import type { LookupData } from '../../lib/lookups';
import type { Resource, ResourceType } from '../../lib/model';
import { readConfigurationItem } from '../../lib/sources/config-item';
import { RULES } from '../../rules';
import { fixture, itemResource, NOW } from '../helpers';

function sources(overrides: Partial<RuleRunSources> = {}): RuleRunSources {
  return {
    fetchItem: async () => undefined,
    loadLookups: async () => ({}),
    listResources: async function* () {},
    recordedResults: async function* () {},
    ...overrides,
  };
}

const options = { now: NOW, costAwareReporting: true };

function withInvokingEvent(base: string, change: (invoking: any) => void, extra: Record<string, unknown> = {}) {
  const event = fixture(`config/${base}.json`);
  const invoking = JSON.parse(event.invokingEvent);
  change(invoking);
  return { ...event, invokingEvent: JSON.stringify(invoking), ...extra };
}

describe('Config rule run: change notifications', () => {
  it('evaluates the item carried by the event', async () => {
    const run = await runRuleInvocation(RULES, readRuleInvocation(fixture('config/event-change-sg.json')), sources(), options);
    expect(run.evaluations).toHaveLength(1);
    expect(run.evaluations[0]).toMatchObject({
      ruleId: 'public-app-ports',
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-0f1e2d3c4b5a69788',
      compliance: 'NON_COMPLIANT',
    });
    expect(run.evaluations[0]!.annotation).toContain('tcp 5173 from 0.0.0.0/0');
  });

  it('fetches an oversized item from the configuration history', async () => {
    const item = readConfigurationItem(fixture('config/sg-public-app.json'));
    const fetchItem = jest.fn(async () => item);
    const run = await runRuleInvocation(RULES, readRuleInvocation(fixture('config/event-oversized-sg.json')), sources({ fetchItem }), options);
    expect(fetchItem).toHaveBeenCalledWith('AWS::EC2::SecurityGroup', 'sg-0f1e2d3c4b5a69788');
    expect(run.evaluations[0]!.compliance).toBe('NON_COMPLIANT');
  });

  it('reports NOT_APPLICABLE when an oversized item is not in the history', async () => {
    const run = await runRuleInvocation(RULES, readRuleInvocation(fixture('config/event-oversized-sg.json')), sources(), options);
    expect(run.evaluations[0]).toMatchObject({ resourceId: 'sg-0f1e2d3c4b5a69788', compliance: 'NOT_APPLICABLE' });
    expect(run.evaluations[0]!.annotation).toMatch(/not recorded/);
  });

  it.each([
    ['a deleted resource', (invoking: any) => (invoking.configurationItem.configurationItemStatus = 'ResourceDeleted'), {}, /deleted/],
    ['an unrecorded resource', (invoking: any) => (invoking.configurationItem.configurationItemStatus = 'ResourceNotRecorded'), {}, /not recorded/],
    ['a resource that left the scope', () => undefined, { eventLeftScope: true }, /left the rule's scope/],
    ['a type the rule does not evaluate', (invoking: any) => (invoking.configurationItem.resourceType = 'AWS::EC2::Subnet'), {}, /does not evaluate AWS::EC2::Subnet/],
  ])('reports NOT_APPLICABLE for %s', async (_case, change, extra, annotation) => {
    const event = withInvokingEvent('event-change-sg', change, extra);
    const run = await runRuleInvocation(RULES, readRuleInvocation(event), sources(), options);
    expect(run.evaluations).toEqual([expect.objectContaining({ compliance: 'NOT_APPLICABLE', annotation: expect.stringMatching(annotation) })]);
  });

  it('loads the lookups the rule needs for the one resource', async () => {
    const event = withInvokingEvent('event-change-sg', (invoking) => (invoking.configurationItem = fixture('config/vpc.json')), {
      configRuleName: 'driftwarden-dev-vpc-flow-logs',
      ruleParameters: '{}',
    });
    const loadLookups = jest.fn(async (): Promise<LookupData> => ({ flowLogsByVpc: new Map() }));
    const run = await runRuleInvocation(RULES, readRuleInvocation(event), sources({ loadLookups }), options);
    expect(loadLookups).toHaveBeenCalledWith(expect.objectContaining({ id: 'vpc-flow-logs' }), [expect.objectContaining({ type: 'AWS::EC2::VPC' })], false);
    expect(run.evaluations[0]!.compliance).toBe('NON_COMPLIANT');
  });
});

describe('Config rule run: lookups on change', () => {
  it('makes no lookup call for a rule that does not consult one', async () => {
    const event = withInvokingEvent('event-change-sg', (invoking) => (invoking.configurationItem = fixture('config/ebs-volume-encrypted.json')), {
      configRuleName: 'driftwarden-dev-encryption-at-rest',
      ruleParameters: '{}',
    });
    const loadLookups = jest.fn(async (): Promise<LookupData> => ({}));
    const run = await runRuleInvocation(RULES, readRuleInvocation(event), sources({ loadLookups }), options);
    expect(loadLookups).not.toHaveBeenCalled();
    expect(run.evaluations[0]!.compliance).toBe('COMPLIANT');
  });
});

describe('Config rule run: bad invocations', () => {
  it('names the parameter that is invalid', async () => {
    const event = { ...fixture('config/event-change-sg.json'), ruleParameters: '{"authorizedTcpPorts":"80,http"}' };
    await expect(runRuleInvocation(RULES, readRuleInvocation(event), sources(), options)).rejects.toThrow(InvalidParameterError);
    await expect(runRuleInvocation(RULES, readRuleInvocation(event), sources(), options)).rejects.toThrow(/authorizedTcpPorts/);
  });

  it('rejects a rule it does not know', async () => {
    const event = { ...fixture('config/event-change-sg.json'), configRuleName: 'someone-elses-rule' };
    await expect(runRuleInvocation(RULES, readRuleInvocation(event), sources(), options)).rejects.toThrow(UnknownRuleError);
  });

  it.each([
    ['not an object', 'hello', /Not an AWS Config rule invocation/],
    ['no result token', { ...fixture('config/event-change-sg.json'), resultToken: undefined }, /resultToken/],
    ['invokingEvent that is not JSON', { ...fixture('config/event-change-sg.json'), invokingEvent: '{oops' }, /invokingEvent is not valid JSON/],
    ['ruleParameters that are not JSON', { ...fixture('config/event-change-sg.json'), ruleParameters: '80,443' }, /ruleParameters is not valid JSON/],
    ['an unknown message type', { ...fixture('config/event-change-sg.json'), invokingEvent: '{"messageType":"Surprise"}' }, /messageType/],
  ])('rejects an event with %s', (_case, event, message) => {
    expect(() => readRuleInvocation(event)).toThrow(InvalidEventError);
    expect(() => readRuleInvocation(event)).toThrow(message);
  });
});

function vpc(id: string): Resource {
  return { ...itemResource('vpc'), id, capturedAt: undefined } as Resource;
}

async function* pages<T>(...lists: T[][]): AsyncGenerator<T[]> {
  for (const list of lists) yield list;
}

describe('Config rule run: scheduled sweeps', () => {
  const scheduled = () => readRuleInvocation(fixture('config/event-scheduled-vpc.json'));
  const flowLogsFor = (...vpcIds: string[]): LookupData => ({
    flowLogsByVpc: new Map(vpcIds.map((vpcId) => [vpcId, [{ id: `fl-${vpcId}`, resourceId: vpcId, trafficType: 'ALL', status: 'ACTIVE', deliverLogsStatus: 'SUCCESS' } as any]])),
  });

  it('evaluates every listed resource with lookups loaded for each page', async () => {
    const loadLookups = jest.fn(async (_rule: unknown, _page: readonly Resource[], _sweep: boolean) => flowLogsFor('vpc-1'));
    const run = await runRuleInvocation(
      RULES,
      scheduled(),
      sources({ loadLookups, listResources: () => pages([vpc('vpc-1')], [vpc('vpc-2')]) }),
      { ...options, costAwareReporting: false },
    );
    expect(loadLookups.mock.calls.map(([, page, sweep]) => [page.map((resource: Resource) => resource.id), sweep])).toEqual([
      [['vpc-1'], true],
      [['vpc-2'], true],
    ]);
    expect(run.evaluations.map((evaluation) => [evaluation.resourceId, evaluation.compliance])).toEqual([
      ['vpc-1', 'COMPLIANT'],
      ['vpc-2', 'NON_COMPLIANT'],
    ]);
  });

  it('reports resources Config still holds but that are gone as NOT_APPLICABLE', async () => {
    const recorded: RecordedResult[] = [
      { resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-gone', compliance: 'NON_COMPLIANT', annotation: 'x' },
      { resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-long-gone', compliance: 'NOT_APPLICABLE' },
    ];
    const run = await runRuleInvocation(RULES, scheduled(), sources({ listResources: () => pages([vpc('vpc-1')]), loadLookups: async () => ({ flowLogsByVpc: new Map() }), recordedResults: () => pages(recorded) }), options);
    expect(run.evaluations.map((evaluation) => [evaluation.resourceId, evaluation.compliance])).toEqual([
      ['vpc-1', 'NON_COMPLIANT'],
      ['vpc-gone', 'NOT_APPLICABLE'],
    ]);
  });

  it('does not re-report a verdict Config already holds unchanged when cost-aware', async () => {
    const listResources = () => pages([vpc('vpc-1'), vpc('vpc-2')]);
    const loadLookups = async () => flowLogsFor('vpc-1');
    const first = await runRuleInvocation(RULES, scheduled(), sources({ listResources, loadLookups }), options);
    const recorded = first.evaluations.map(({ resourceType, resourceId, compliance, annotation }) => ({ resourceType, resourceId, compliance, annotation }));
    recorded[1] = { ...recorded[1]!, compliance: 'COMPLIANT' };
    const second = await runRuleInvocation(RULES, scheduled(), sources({ listResources, loadLookups, recordedResults: () => pages(recorded) }), options);
    expect(second.unchanged).toBe(1);
    expect(second.evaluations.map((evaluation) => evaluation.resourceId)).toEqual(['vpc-2']);
    const naive = await runRuleInvocation(RULES, scheduled(), sources({ listResources, loadLookups, recordedResults: () => pages(recorded) }), { ...options, costAwareReporting: false });
    expect(naive.evaluations).toHaveLength(2);
  });

  it('reads Config\'s results while it lists the account, not before', async () => {
    const log: string[] = [];
    const logged = <T>(name: string, lists: T[][]) =>
      (async function* () {
        for (const [index, list] of lists.entries()) {
          log.push(`${name} ${index + 1}`);
          yield list;
        }
      })();
    const recorded: RecordedResult[] = [{ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-1', compliance: 'COMPLIANT' }];
    await runRuleInvocation(
      RULES,
      scheduled(),
      sources({ listResources: () => logged('list', [[vpc('vpc-1')], [vpc('vpc-2')]]), recordedResults: () => logged('recorded', [recorded, [], []]) }),
      options,
    );
    expect(log.indexOf('list 1')).toBeLessThan(log.indexOf('recorded 3'));
  });

  it('asks for the next page of resources before it evaluates the one it has', async () => {
    const log: string[] = [];
    const listResources = () =>
      (async function* () {
        for (const id of ['vpc-1', 'vpc-2']) {
          log.push(`page ${id}`);
          yield [vpc(id)];
        }
      })();
    const loadLookups = async (_rule: unknown, page: readonly Resource[]) => {
      log.push(`lookups ${page[0]!.id}`);
      return flowLogsFor('vpc-1');
    };
    const run = await runRuleInvocation(RULES, scheduled(), sources({ listResources, loadLookups }), options);
    expect(log.indexOf('page vpc-2')).toBeLessThan(log.indexOf('lookups vpc-1'));
    expect(run.evaluations.map((evaluation) => evaluation.resourceId)).toEqual(['vpc-1', 'vpc-2']);
  });

  it('hands each page\'s fresh verdicts to the reporter while the next page is still being read', async () => {
    const log: string[] = [];
    const listResources = () =>
      (async function* () {
        for (const id of ['vpc-1', 'vpc-2', 'vpc-3']) {
          // Each page takes a turn of the event loop to arrive, as an API call would.
          if (id !== 'vpc-1') await new Promise((resolve) => setImmediate(resolve));
          log.push(`page ${id}`);
          yield [vpc(id)];
        }
      })();
    const report = (evaluations: readonly { resourceId: string }[]) => log.push(`report ${evaluations.map((evaluation) => evaluation.resourceId).join(',')}`);
    const recorded: RecordedResult[] = [
      { resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-2', compliance: 'NON_COMPLIANT', annotation: 'placeholder' },
      { resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-gone', compliance: 'COMPLIANT' },
    ];
    const run = await runRuleInvocation(RULES, scheduled(), sources({ listResources, loadLookups: async () => flowLogsFor('vpc-1'), recordedResults: () => pages(recorded) }), {
      ...options,
      report,
    });
    expect(log.indexOf('report vpc-1')).toBeGreaterThan(-1);
    expect(log.indexOf('report vpc-1')).toBeLessThan(log.indexOf('page vpc-3'));
    // Everything the run reports passes through the reporter exactly once, vanished resources last.
    const reported = log.filter((line) => line.startsWith('report ')).flatMap((line) => line.slice('report '.length).split(','));
    expect(reported).toEqual(run.evaluations.map((evaluation) => evaluation.resourceId));
    expect(reported.at(-1)).toBe('vpc-gone');
  });

  it('holds verdicts back until Config\'s results are read when cost-aware, and reports only the changed ones', async () => {
    let recordedRead = false;
    const reportedBeforeRecorded: string[] = [];
    const reported: string[] = [];
    const recordedResults = () =>
      (async function* () {
        yield [];
        // The listing runs on meanwhile: its pages must wait for the comparison.
        await new Promise((resolve) => setImmediate(resolve));
        recordedRead = true;
        yield [{ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-1', compliance: 'COMPLIANT' as const, annotation: 'VPC vpc-1 has an active flow log capturing ALL traffic.' }];
      })();
    const run = await runRuleInvocation(
      RULES,
      scheduled(),
      sources({ listResources: () => pages([vpc('vpc-1')], [vpc('vpc-2')]), loadLookups: async () => flowLogsFor('vpc-1'), recordedResults }),
      {
        ...options,
        report: (evaluations) => {
          for (const { resourceId } of evaluations) (recordedRead ? reported : reportedBeforeRecorded).push(resourceId);
        },
      },
    );
    expect(reportedBeforeRecorded).toEqual([]);
    expect(run.unchanged + run.evaluations.length).toBe(2);
    expect(reported).toEqual(run.evaluations.map((evaluation) => evaluation.resourceId));
    expect(reported).toContain('vpc-2');
  });

  it('reads on while a page waits for its lookups, up to PAGES_READ_AHEAD pages ahead', async () => {
    const requested: string[] = [];
    const ids = Array.from({ length: PAGES_READ_AHEAD + 4 }, (_, index) => `vpc-${index + 1}`);
    const listResources = () =>
      (async function* () {
        for (const id of ids) {
          requested.push(id);
          yield [vpc(id)];
        }
      })();
    let lookupsLoaded!: (data: LookupData) => void;
    const lookups = new Promise<LookupData>((resolve) => (lookupsLoaded = resolve));
    const run = runRuleInvocation(RULES, scheduled(), sources({ listResources, loadLookups: () => lookups }), options);
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    // The first page waits on the flow-log lookup; the listing reads on, but not without bound.
    expect(requested).toEqual(ids.slice(0, 1 + PAGES_READ_AHEAD));
    lookupsLoaded(flowLogsFor('vpc-1'));
    expect((await run).evaluations.map((evaluation) => evaluation.resourceId)).toEqual(ids);
  });

  it('asks for no page ahead once the invocation is out of time', async () => {
    const requested: string[] = [];
    const ids = Array.from({ length: 20 }, (_, index) => `vpc-${index + 1}`);
    let lookupsLoaded!: (data: LookupData) => void;
    const lookups = new Promise<LookupData>((resolve) => (lookupsLoaded = resolve));
    let late = false;
    const listResources = () =>
      (async function* () {
        for (const id of ids) {
          await new Promise((resolve) => setImmediate(resolve));
          requested.push(id);
          yield [vpc(id)];
        }
      })();
    const run = runRuleInvocation(RULES, scheduled(), sources({ listResources, loadLookups: () => lookups }), { ...options, outOfTime: () => late });
    while (requested.length < 3) await new Promise((resolve) => setImmediate(resolve));
    late = true;
    const askedWhenLate = requested.length;
    lookupsLoaded(flowLogsFor('vpc-1'));
    const result = await run;
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    // At most the page already on its way when time ran out arrives after.
    expect(requested.length).toBeLessThanOrEqual(askedWhenLate + 1);
    expect(result.failedTypes).toEqual([{ resourceType: 'AWS::EC2::VPC', error: expect.objectContaining({ name: 'DeadlineExceededError' }) }]);
  });

  it('keeps what it evaluated when a later page of a type fails', async () => {
    const listResources = () =>
      (async function* (): AsyncGenerator<Resource[]> {
        yield [vpc('vpc-1')];
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      })();
    const run = await runRuleInvocation(RULES, scheduled(), sources({ listResources, loadLookups: async () => flowLogsFor('vpc-1') }), options);
    expect(run.evaluations.map((evaluation) => evaluation.resourceId)).toEqual(['vpc-1']);
    expect(run.failedTypes).toEqual([{ resourceType: 'AWS::EC2::VPC', error: expect.objectContaining({ name: 'ThrottlingException' }) }]);
  });

  it('reports every fresh verdict when Config\'s results cannot be read, skipping only the clean-up of vanished resources', async () => {
    const recordedResults = () =>
      (async function* (): AsyncGenerator<RecordedResult[]> {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      })();
    const run = await runRuleInvocation(RULES, scheduled(), sources({ listResources: () => pages([vpc('vpc-1')]), recordedResults, loadLookups: async () => flowLogsFor('vpc-1') }), { ...options, costAwareReporting: true });
    expect(run.evaluations.map((evaluation) => evaluation.resourceId)).toEqual(['vpc-1']);
    expect(run.unchanged).toBe(0);
    expect(run.recordedResultsError).toMatchObject({ name: 'ThrottlingException' });
  });

  it.each([
    ['no customer managed key is required', {}, 0, 'COMPLIANT'],
    ['customer managed keys are required', { requireCustomerManagedKey: 'true' }, 1, 'COMPLIANT'],
  ])('loads key lookups only when the rule consults them: %s', async (_case, parameters, loads, compliance) => {
    const invocation = readRuleInvocation({
      ...fixture<Record<string, unknown>>('config/event-scheduled-vpc.json'),
      configRuleName: 'driftwarden-dev-encryption-at-rest',
      ruleParameters: JSON.stringify(parameters),
    });
    const volume = itemResource('ebs-volume-encrypted');
    const keyId = (volume.properties as { kmsKeyId: string }).kmsKeyId;
    const loadLookups = jest.fn(async (): Promise<LookupData> => ({ keyManagers: new Map([[keyId, 'CUSTOMER' as const]]) }));
    const listResources = (type: ResourceType) => (type === 'AWS::EC2::Volume' ? pages([volume]) : pages<Resource>());
    const run = await runRuleInvocation(RULES, invocation, sources({ loadLookups, listResources }), options);
    expect(loadLookups).toHaveBeenCalledTimes(loads);
    expect(run.evaluations.map((evaluation) => evaluation.compliance)).toEqual([compliance]);
  });

  it('lists a rule\'s resource types side by side, a bounded number at once, and reports them in the rule\'s order', async () => {
    const invocation = readRuleInvocation({
      ...fixture<Record<string, unknown>>('config/event-scheduled-vpc.json'),
      configRuleName: 'driftwarden-dev-encryption-at-rest',
    });
    const types = RULES.find((rule) => rule.id === 'encryption-at-rest')!.resourceTypes;
    expect(types.length).toBeGreaterThan(TYPES_LISTED_AT_ONCE);
    const volume = itemResource('ebs-volume-encrypted');
    let open = 0;
    let mostOpen = 0;
    const started: string[] = [];
    // Every listing waits until TYPES_LISTED_AT_ONCE of them are open: one type at a time would never get past the first.
    let release!: () => void;
    const allStarted = new Promise<void>((resolve) => (release = resolve));
    const listResources = (type: ResourceType) =>
      (async function* (): AsyncGenerator<Resource[]> {
        started.push(type);
        open += 1;
        mostOpen = Math.max(mostOpen, open);
        if (open === TYPES_LISTED_AT_ONCE) release();
        await allStarted;
        open -= 1;
        yield [{ ...volume, type, id: `${type}-1` } as Resource];
      })();
    const run = await runRuleInvocation(RULES, invocation, sources({ listResources }), options);
    expect(mostOpen).toBe(TYPES_LISTED_AT_ONCE);
    expect(started.slice(0, TYPES_LISTED_AT_ONCE)).toEqual(types.slice(0, TYPES_LISTED_AT_ONCE));
    expect(run.evaluations.map((evaluation) => evaluation.resourceId)).toEqual(types.map((type) => `${type}-1`));
    expect(run.failedTypes).toEqual([]);
  });

  it('keeps earlier verdicts of a type it could not list and says so', async () => {
    const recorded: RecordedResult[] = [{ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-1', compliance: 'COMPLIANT' }];
    const listResources = (_type: ResourceType) =>
      (async function* (): AsyncGenerator<Resource[]> {
        throw Object.assign(new Error('User is not authorized to perform: ec2:DescribeVpcs'), { name: 'UnauthorizedOperation' });
      })();
    const run = await runRuleInvocation(RULES, scheduled(), sources({ listResources, recordedResults: () => pages(recorded) }), options);
    expect(run.evaluations).toEqual([]);
    expect(run.failedTypes).toEqual([{ resourceType: 'AWS::EC2::VPC', error: expect.objectContaining({ name: 'UnauthorizedOperation' }) }]);
  });

  it('holds back what it cannot decide, so Config keeps the previous verdict, and reports the rest', async () => {
    const recorded: RecordedResult[] = [{ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-2', compliance: 'COMPLIANT', annotation: 'earlier' }];
    const run = await runRuleInvocation(
      RULES,
      scheduled(),
      sources({ listResources: () => pages([vpc('vpc-1'), vpc('vpc-2')]), loadLookups: async () => ({}), recordedResults: () => pages(recorded) }),
      options,
    );
    expect(run.evaluations).toEqual([]);
    expect(run.undecided.map((evaluation) => [evaluation.resourceId, evaluation.compliance])).toEqual([
      ['vpc-1', 'INSUFFICIENT_DATA'],
      ['vpc-2', 'INSUFFICIENT_DATA'],
    ]);
  });
});

describe('Config rule run: undecidable changes', () => {
  it('reports nothing for a change it cannot decide and hands it back as undecided', async () => {
    const event = withInvokingEvent('event-change-sg', (invoking) => (invoking.configurationItem = fixture('config/vpc.json')), {
      configRuleName: 'driftwarden-dev-vpc-flow-logs',
      ruleParameters: '{}',
    });
    const run = await runRuleInvocation(RULES, readRuleInvocation(event), sources({ loadLookups: async () => ({}) }), options);
    expect(run.evaluations).toEqual([]);
    expect(run.undecided).toEqual([expect.objectContaining({ resourceType: 'AWS::EC2::VPC', compliance: 'INSUFFICIENT_DATA', annotation: expect.stringContaining('could not be looked up') })]);
  });
});
