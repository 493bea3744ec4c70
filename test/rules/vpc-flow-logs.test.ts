import { evaluateResource } from '../../lib/evaluate';
import { groupFlowLogsByVpc } from '../../lib/lookups';
import type { FlowLog, ResourceOf } from '../../lib/model';
import { parseRuleParameters, type AnyRule } from '../../lib/rule';
import { flowLogFromItem, readConfigurationItem } from '../../lib/sources/config-item';
import vpcFlowLogs from '../../rules/vpc-flow-logs';
import { fixture, itemResource, lookups, NOW } from '../helpers';

/** Run as the registry runs it: on any resource, with parameters parsed from settings. */
const rule: AnyRule = vpcFlowLogs;

const VPC_ID = 'vpc-0a1b2c3d4e5f60718';

function recordedFlowLog(name: string): FlowLog {
  const flowLog = flowLogFromItem(readConfigurationItem(fixture(`config/${name}.json`)));
  if (!flowLog) throw new Error(`fixture ${name} is not a flow log`);
  return flowLog;
}

function flowLog(overrides: Partial<FlowLog>): FlowLog {
  return { ...recordedFlowLog('flow-log'), ...overrides };
}

const vpc = itemResource('vpc') as ResourceOf<'AWS::EC2::VPC'>;

function run(flowLogs: FlowLog[] | undefined, parameters: unknown = {}) {
  const data = flowLogs === undefined ? {} : { flowLogsByVpc: groupFlowLogsByVpc(flowLogs) };
  return rule.evaluate(vpc, parseRuleParameters(rule, parameters), { ...lookups(data), now: NOW });
}

describe('Rule: vpc-flow-logs', () => {
  it('passes the real VPC item with its real ACTIVE, ALL-traffic flow log item', () => {
    expect(run([recordedFlowLog('flow-log')])).toEqual({
      compliance: 'COMPLIANT',
      annotation: `Flow log fl-0a1b2c3d4e5f67890 captures ALL traffic of ${VPC_ID}.`,
    });
  });

  it.each([
    ['ALL', 'ALL'],
    ['ALL', 'ACCEPT'],
    ['ALL', 'REJECT'],
    ['ACCEPT', 'ACCEPT'],
    ['REJECT', 'REJECT'],
  ] as const)('counts an ACTIVE %s flow log when %s traffic is required', (captured, required) => {
    expect(run([flowLog({ trafficType: captured })], { trafficType: required }).compliance).toBe('COMPLIANT');
  });

  it.each([
    ['ACCEPT', 'ALL'],
    ['REJECT', 'ALL'],
    ['ACCEPT', 'REJECT'],
    ['REJECT', 'ACCEPT'],
  ] as const)('flags a VPC whose only flow log captures %s when %s is required', (captured, required) => {
    expect(run([flowLog({ trafficType: captured })], { trafficType: required })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `${VPC_ID} has flow logs for ${captured} traffic only; ${required} is required.`,
    });
  });

  it('does not count a flow log whose delivery fails, and names the AWS error', () => {
    const failing = recordedFlowLog('flow-log-delivery-failed');
    expect(failing).toMatchObject({ status: 'ACTIVE', deliverLogsStatus: 'FAILED', deliverLogsErrorMessage: 'Access error' });
    expect(run([failing])).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `Flow log fl-0f9e8d7c6b5a43210 of ${VPC_ID} exists but cannot deliver logs (Access error); fix its destination or IAM role.`,
      matches: [failing],
    });
  });

  it('passes when a working flow log sits beside a failing one', () => {
    expect(run([recordedFlowLog('flow-log-delivery-failed'), recordedFlowLog('flow-log')]).compliance).toBe('COMPLIANT');
  });

  it('says so when a failing flow log gives no error message', () => {
    const failing = flowLog({ deliverLogsStatus: 'FAILED', deliverLogsErrorMessage: undefined });
    expect(run([failing]).annotation).toContain('cannot deliver logs (no reason given)');
  });

  it('flags a flow log that is not ACTIVE', () => {
    const inactive = flowLog({ status: 'INACTIVE' });
    expect(run([inactive])).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `Flow log fl-0a1b2c3d4e5f67890 of ${VPC_ID} is INACTIVE, not ACTIVE.`,
      matches: [inactive],
    });
  });

  it('counts a planned flow log whose status the source cannot observe', () => {
    expect(run([flowLog({ status: undefined, deliverLogsStatus: undefined })]).compliance).toBe('COMPLIANT');
  });

  it('flags a flow log whose delivery error is set even when DeliverLogsStatus is absent', () => {
    const { deliverLogsStatus: _status, ...withoutStatus } = recordedFlowLog('flow-log');
    expect(run([{ ...withoutStatus, deliverLogsErrorMessage: 'Access error' }])).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `Flow log fl-0a1b2c3d4e5f67890 of ${VPC_ID} exists but cannot deliver logs (Access error); fix its destination or IAM role.`,
      matches: [expect.objectContaining({ deliverLogsErrorMessage: 'Access error' })],
    });
  });

  it('flags a VPC with no flow log, when the listing loaded and holds none for it', () => {
    const otherVpc = flowLog({ resourceId: 'vpc-0ffffffffffffffff' });
    expect(run([otherVpc])).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `${VPC_ID} has no flow log: its network traffic is not recorded.`,
    });
  });

  it('gives an unknown verdict when the flow logs could not be looked up, instead of guessing', () => {
    expect(run(undefined)).toEqual({
      compliance: 'INSUFFICIENT_DATA',
      annotation: `Flow logs of ${VPC_ID} could not be looked up, so ALL traffic capture is unverified.`,
    });
  });

  it('is not applicable to a resource that is not a VPC', () => {
    const evaluation = evaluateResource(rule, parseRuleParameters(rule, {}), itemResource('sg-compliant'), lookups(), NOW);
    expect(evaluation).toMatchObject({ compliance: 'NOT_APPLICABLE', annotation: 'Rule vpc-flow-logs does not evaluate AWS::EC2::SecurityGroup.' });
  });

  it('reads a deleted flow log item as no flow log', () => {
    const deleted = { ...fixture('config/flow-log.json'), configuration: null, configurationItemStatus: 'ResourceDeleted' };
    expect(flowLogFromItem(readConfigurationItem(deleted))).toBeUndefined();
  });

  it.each([
    [{ trafficType: 'all' }, /parameter "trafficType"/],
    [{ trafficType: 'BOTH' }, /parameter "trafficType"/],
    [{ traffic: 'ALL' }, /unknown parameter "traffic"/],
  ])('rejects bad parameters %j with an error naming the parameter', (parameters, message) => {
    expect(() => parseRuleParameters(rule, parameters)).toThrow(message);
  });
});
