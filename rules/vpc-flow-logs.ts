import { z } from 'zod';
import { isDeliveryFailing, type FlowLog, type FlowLogTrafficType } from '../lib/model';
import { defineRule } from '../lib/rule';

function capturesTraffic(flowLog: FlowLog, required: FlowLogTrafficType): boolean {
  return flowLog.trafficType === 'ALL' || flowLog.trafficType === required;
}

/** A source that cannot observe a flow log's runtime state (a plan) leaves `status` unset. */
function isRunning(flowLog: FlowLog): boolean {
  return (flowLog.status === undefined || flowLog.status === 'ACTIVE') && !isDeliveryFailing(flowLog);
}

export default defineRule({
  id: 'vpc-flow-logs',
  title: 'VPCs have an active flow log that captures the required traffic and delivers it',
  severity: 'medium',
  resourceTypes: ['AWS::EC2::VPC'],
  // Deleting a flow log changes no VPC configuration item: only a periodic sweep notices.
  triggers: ['change', 'periodic'],
  parameters: z.object({ trafficType: z.enum(['ALL', 'ACCEPT', 'REJECT']).default('ALL') }),
  references: { configManagedRule: 'vpc-flow-logs-enabled', securityHub: ['EC2.6'] },
  remediation: 'enable-flow-logs',
  lookups: ['flowLogs'],
  evaluate(vpc, params, context) {
    const flowLogs = context.flowLogs(vpc.id);
    if (flowLogs === undefined) {
      return {
        compliance: 'INSUFFICIENT_DATA',
        annotation: `Flow logs of ${vpc.id} could not be looked up, so ${params.trafficType} traffic capture is unverified.`,
      };
    }
    const capturing = flowLogs.filter((flowLog) => capturesTraffic(flowLog, params.trafficType));
    const working = capturing.find(isRunning);
    if (working) {
      return {
        compliance: 'COMPLIANT',
        annotation: `Flow log ${working.flowLogId} captures ${working.trafficType} traffic of ${vpc.id}.`,
      };
    }
    const failing = capturing.find(isDeliveryFailing);
    if (failing) {
      const reason = failing.deliverLogsErrorMessage ?? 'no reason given';
      return {
        compliance: 'NON_COMPLIANT',
        annotation: `Flow log ${failing.flowLogId} of ${vpc.id} exists but cannot deliver logs (${reason}); fix its destination or IAM role.`,
        matches: [failing],
      };
    }
    const inactive = capturing[0];
    if (inactive) {
      return {
        compliance: 'NON_COMPLIANT',
        annotation: `Flow log ${inactive.flowLogId} of ${vpc.id} is ${inactive.status}, not ACTIVE.`,
        matches: [inactive],
      };
    }
    if (flowLogs.length > 0) {
      const types = [...new Set(flowLogs.map((flowLog) => flowLog.trafficType ?? 'unknown'))].join(', ');
      return {
        compliance: 'NON_COMPLIANT',
        annotation: `${vpc.id} has flow logs for ${types} traffic only; ${params.trafficType} is required.`,
      };
    }
    return { compliance: 'NON_COMPLIANT', annotation: `${vpc.id} has no flow log: its network traffic is not recorded.` };
  },
});
