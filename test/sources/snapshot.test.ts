import { InputFormatError } from '../../lib/errors';
import { readSnapshot } from '../../lib/sources/snapshot';
import { scan } from '../../lib/scan';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';
import { fixture, NOW } from '../helpers';

const vpc = fixture('config/vpc.json');
const flowLog = fixture('config/flow-log.json');
const group = fixture('config/sg-public-app.json');

/** The API form `aws configservice` prints: `configuration` and supplementary values as JSON strings. */
function apiForm(item: Record<string, unknown>): Record<string, unknown> {
  const { ARN, awsAccountId, configuration, supplementaryConfiguration, ...rest } = item;
  return {
    ...rest,
    arn: ARN,
    accountId: awsAccountId,
    configuration: JSON.stringify(configuration),
    supplementaryConfiguration: Object.fromEntries(Object.entries(supplementaryConfiguration as object).map(([key, value]) => [key, JSON.stringify(value)])),
  };
}

describe('Source: Config snapshot', () => {
  it.each([
    ['batch-get-resource-config output', { baseConfigurationItems: [apiForm(vpc), apiForm(group)], unprocessedResourceKeys: [] }],
    ['get-resource-config-history output', { configurationItems: [apiForm(vpc), apiForm(group)] }],
    ['a plain array of items', [vpc, group]],
  ])('reads %s', (_form, raw) => {
    expect(readSnapshot(raw).resources.map((resource) => resource.id)).toEqual(['vpc-0a1b2c3d4e5f60718', group.resourceId]);
  });

  it('reads a single item', () => {
    expect(readSnapshot(group).resources).toHaveLength(1);
  });

  it('keeps the newest state of a resource that history lists several times', () => {
    const older = { ...apiForm(vpc), configurationItemCaptureTime: '2025-01-01T00:00:00.000Z' };
    expect(readSnapshot({ configurationItems: [apiForm(vpc), older] }).resources[0]!.capturedAt).toBe(vpc.configurationItemCaptureTime);
  });

  it('keeps the newest state whatever the order of the history', () => {
    const older = { ...apiForm(vpc), configurationItemCaptureTime: '2025-01-01T00:00:00.000Z' };
    expect(readSnapshot({ configurationItems: [older, apiForm(vpc)] }).resources[0]!.capturedAt).toBe(vpc.configurationItemCaptureTime);
  });

  it('reports a resource whose newest item is ResourceDeleted as NOT_APPLICABLE, not its older public state', () => {
    const deleted = { ...group, configurationItemStatus: 'ResourceDeleted', configuration: null, configurationItemCaptureTime: '2025-07-01T10:00:00.000Z' };
    const source = readSnapshot({ configurationItems: [apiForm(group), deleted] });
    expect(source.resources).toEqual([]);
    const report = scan(source, { rules: RULES, settings: parseSettings({}, RULES), now: NOW });
    expect(report.evaluations).toEqual([
      expect.objectContaining({ ruleId: 'public-app-ports', resourceId: group.resourceId, compliance: 'NOT_APPLICABLE', annotation: expect.stringContaining('ResourceDeleted'), orderingTimestamp: '2025-07-01T10:00:00.000Z' }),
    ]);
    expect(report.summary).toMatchObject({ notApplicable: 1, nonCompliant: 0 });
  });

  it('looks flow logs up from the FlowLog items of the same file', () => {
    expect(readSnapshot([vpc, flowLog]).lookups.flowLogs('vpc-0a1b2c3d4e5f60718')).toEqual([expect.objectContaining({ flowLogId: 'fl-0a1b2c3d4e5f67890', trafficType: 'ALL' })]);
  });

  it('answers "could not be looked up" for flow logs when the file has no FlowLog items', () => {
    expect(readSnapshot([vpc]).lookups.flowLogs('vpc-0a1b2c3d4e5f60718')).toBeUndefined();
  });

  it('counts items of types it has no model for, and not deleted ones', () => {
    const subnet = { ...vpc, resourceType: 'AWS::EC2::Subnet', resourceId: 'subnet-0a1a2b3b4c5c6d7d8' };
    const snapshot = readSnapshot([subnet, subnet, { ...subnet, resourceId: 'subnet-2' }, fixture('config/sg-deleted.json')]);
    expect(snapshot.skippedTypes).toEqual({ 'AWS::EC2::Subnet': 2 });
    expect(snapshot.resources).toEqual([]);
  });

  it.each([[{ format_version: '1.2' }], [{ items: [] }], [[1, 2]], ['text']])('rejects %j as not Config items', (raw) => {
    expect(() => readSnapshot(raw, { kind: 'snapshot', file: 'x.json' })).toThrow(InputFormatError);
  });

  it('names the item that cannot be read', () => {
    expect(() => readSnapshot([vpc, { resourceType: 'AWS::EC2::VPC', resourceId: 3 }], { kind: 'snapshot', file: 'x.json' })).toThrow('x.json: item 1: A configuration item needs resourceType and resourceId');
  });
});
