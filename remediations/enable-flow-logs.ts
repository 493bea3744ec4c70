import type { FlowLog as Ec2FlowLog } from '@aws-sdk/client-ec2';
import { isDeliveryFailing } from '../lib/model';
import { applyResultOf, errorCode, isRetryable, performSteps } from '../lib/remediation/execute';
import {
  defineRemediation,
  planFor,
  type ApplyOptions,
  type ApplyResult,
  type PlannedStep,
  type RemediationClients,
  type RemediationPlan,
} from '../lib/remediation/plan';
import type vpcFlowLogs from '../rules/vpc-flow-logs';

const POLL_INTERVAL_MS = 5_000;
const CREATED_BY_TAG = { Key: 'driftwarden:remediation', Value: 'enable-flow-logs' };

function isCreateFlowLogs(step: PlannedStep): boolean {
  return step.call.operation === 'CreateFlowLogs';
}

type Verification = { ok: true; message: string } | { ok: false; message: string; retryable: boolean };

/**
 * A flow log can be created and still record nothing: its role cannot write, or the bucket policy
 * refuses it. Wait until EC2 says it is ACTIVE and delivering, and fail with AWS's own message if not.
 */
async function verifyFlowLog(flowLogId: string, waitSeconds: number, clients: RemediationClients, options: ApplyOptions): Promise<Verification> {
  const polls = Math.max(1, Math.ceil((waitSeconds * 1000) / POLL_INTERVAL_MS) + 1);
  let last: Ec2FlowLog | undefined;
  for (let poll = 1; poll <= polls; poll++) {
    try {
      const ec2 = await clients.ec2();
      const response = await ec2.client.send(new ec2.DescribeFlowLogsCommand({ FlowLogIds: [flowLogId] }));
      last = response.FlowLogs?.find((flowLog) => flowLog.FlowLogId === flowLogId);
    } catch (error) {
      return { ok: false, message: `Flow log ${flowLogId} was created, but checking it failed: ${errorCode(error)}: ${(error as Error).message}`, retryable: isRetryable(error) };
    }
    if (last && isDeliveryFailing({ deliverLogsStatus: last.DeliverLogsStatus, deliverLogsErrorMessage: last.DeliverLogsErrorMessage })) {
      return { ok: false, message: `Flow log ${flowLogId} was created but cannot deliver logs: ${last.DeliverLogsErrorMessage ?? 'no reason given'}`, retryable: false };
    }
    if (last?.FlowLogStatus === 'ACTIVE' && last.DeliverLogsStatus === 'SUCCESS') {
      return { ok: true, message: `Flow log ${flowLogId} is ACTIVE and delivering.` };
    }
    if (poll < polls) await options.sleep(POLL_INTERVAL_MS);
  }
  if (last?.FlowLogStatus === 'ACTIVE') {
    return { ok: true, message: `Flow log ${flowLogId} is ACTIVE; no delivery has been attempted yet, and none has failed.` };
  }
  return { ok: false, message: `Flow log ${flowLogId} did not become ACTIVE within ${waitSeconds} s (status: ${last?.FlowLogStatus ?? 'not found'}).`, retryable: false };
}

async function apply(plan: RemediationPlan, clients: RemediationClients, options: ApplyOptions): Promise<ApplyResult> {
  // The client token makes a re-delivered event return the flow log the first delivery created.
  const steps = plan.steps.map((step) =>
    step.call.operation === 'CreateFlowLogs' ? { ...step, call: { ...step.call, input: { ...step.call.input, ClientToken: options.clientToken } } } : step,
  );
  const run = await performSteps(steps, clients);
  const createIndex = steps.findIndex(isCreateFlowLogs);
  const created = (run.outputs[createIndex] as { FlowLogIds?: string[] } | undefined)?.FlowLogIds?.[0];
  const withUndo = steps.map((step, index) =>
    index === createIndex && created ? { ...step, undo: [{ service: 'ec2' as const, operation: 'DeleteFlowLogs' as const, input: { FlowLogIds: [created] } }] } : step,
  );
  const result = applyResultOf(withUndo, run);
  if (result.outcome === 'failed' || !created) return result;
  const verification = await verifyFlowLog(created, plan.verifyWithinSeconds ?? 0, clients, options);
  if (!verification.ok) return { ...result, outcome: 'failed', message: verification.message, retryable: verification.retryable };
  return { ...result, message: `${result.message} ${verification.message}` };
}

export default defineRemediation<typeof vpcFlowLogs>({
  id: 'enable-flow-logs',
  title: 'Create a VPC flow log to an encrypted log group with retention (or an S3 bucket) and confirm it delivers',
  resourceTypes: ['AWS::EC2::VPC'],
  permissions: [
    {
      actions: ['ec2:CreateFlowLogs', 'ec2:CreateTags'],
      resources: [
        'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc/*',
        'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*',
      ],
      reason: 'create the flow log, tagged as driftwarden made it',
    },
    { actions: ['ec2:DescribeFlowLogs'], resources: ['*'], reason: 'confirm the new flow log is ACTIVE and delivering (Describe* has no resource scope)' },
    {
      actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource'],
      resources: ['arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*'],
      reason: 'create the flow-log group with its retention and KMS key',
    },
    {
      actions: ['iam:PassRole'],
      resources: ['${FlowLogDeliveryRole.Arn}'],
      reason: 'hand the stack\'s delivery role, and only that role, to the new flow log',
    },
    {
      actions: ['logs:CreateLogDelivery', 'logs:DeleteLogDelivery'],
      resources: ['*'],
      reason: 'flow logs to CloudWatch Logs and S3 are set up through log deliveries (no resource scope)',
    },
  ],
  undoPermissions: [
    {
      actions: ['ec2:DeleteFlowLogs'],
      resources: ['arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*'],
      condition: { StringEquals: { [`aws:ResourceTag/${CREATED_BY_TAG.Key}`]: CREATED_BY_TAG.Value } },
      reason: 'delete the flow log driftwarden created (tagged when it was created)',
    },
  ],
  plan(input) {
    const vpc = input.resource;
    const { trafficType } = input.parameters;
    const { flowLogs } = input.settings;
    const existing = input.evaluation.matches ?? [];
    const keeps = existing.map(
      (flowLog) => `flow log ${flowLog.flowLogId} (${isDeliveryFailing(flowLog) ? `failing: ${flowLog.deliverLogsErrorMessage ?? 'no reason given'}` : flowLog.status ?? 'not active'}); delete it once the new one delivers`,
    );
    const base = { ...planFor('enable-flow-logs', input), keeps, beforeState: { vpcId: vpc.id, flowLogs: existing }, verifyWithinSeconds: flowLogs.verifySeconds };
    const flowLogBase = {
      ResourceIds: [vpc.id],
      ResourceType: 'VPC' as const,
      TrafficType: trafficType,
      TagSpecifications: [{ ResourceType: 'vpc-flow-log' as const, Tags: [CREATED_BY_TAG] }],
    };
    if (flowLogs.s3BucketArn) {
      return {
        ...base,
        summary: `Create a flow log of ${trafficType} traffic of ${vpc.id} to ${flowLogs.s3BucketArn}, then confirm it delivers.`,
        steps: [
          {
            description: `Create a flow log of ${trafficType} traffic of ${vpc.id} delivering to ${flowLogs.s3BucketArn}`,
            call: { service: 'ec2', operation: 'CreateFlowLogs', input: { ...flowLogBase, LogDestinationType: 's3', LogDestination: flowLogs.s3BucketArn } },
            undo: [],
          },
        ],
      };
    }
    const kmsKeyId = input.settings.kmsKeyArn ?? input.stack.kmsKeyArn;
    const roleArn = input.stack.flowLogRoleArn;
    const logGroupName = `${flowLogs.logGroupPrefix}/${vpc.id}`;
    const missing = [!roleArn && "the flow-log delivery role (the stack's FlowLogDeliveryRole, --flow-log-role-arn)", !kmsKeyId && "a KMS key for the log group (the stack's RemediationKey, --kms-key-arn, or remediation.kmsKeyArn)"].filter(
      (item): item is string => typeof item === 'string',
    );
    if (missing.length > 0 || !roleArn || !kmsKeyId) {
      return {
        ...base,
        summary: `Cannot create a flow log for ${vpc.id}: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not known.`,
        steps: [],
        manual: {
          reason: `Missing ${missing.join(' and ')}; or set remediation.flowLogs.s3BucketArn to deliver to S3.`,
          commands: [
            `# Create the flow log yourself, with a role that vpc-flow-logs.amazonaws.com can assume:`,
            `aws ec2 create-flow-logs --resource-type VPC --resource-ids ${vpc.id} --traffic-type ${trafficType} --log-destination-type cloud-watch-logs --log-group-name ${logGroupName} --deliver-logs-permission-arn <role-arn>${vpc.region ? ` --region ${vpc.region}` : ''}`,
          ],
        },
      };
    }
    return {
      ...base,
      summary: `Create a flow log of ${trafficType} traffic of ${vpc.id} to log group ${logGroupName} (KMS-encrypted, ${flowLogs.retentionDays} days), then confirm it delivers.`,
      steps: [
        {
          description: `Create log group ${logGroupName} encrypted with ${kmsKeyId} (kept on undo: it holds the logs)`,
          call: { service: 'logs', operation: 'CreateLogGroup', input: { logGroupName, kmsKeyId, tags: { [CREATED_BY_TAG.Key]: CREATED_BY_TAG.Value } } },
          undo: [],
        },
        {
          description: `Keep its logs ${flowLogs.retentionDays} days`,
          call: { service: 'logs', operation: 'PutRetentionPolicy', input: { logGroupName, retentionInDays: flowLogs.retentionDays } },
          undo: [],
        },
        {
          description: `Create a flow log of ${trafficType} traffic of ${vpc.id} delivering to ${logGroupName} as ${roleArn}`,
          call: {
            service: 'ec2',
            operation: 'CreateFlowLogs',
            input: { ...flowLogBase, LogDestinationType: 'cloud-watch-logs', LogGroupName: logGroupName, DeliverLogsPermissionArn: roleArn },
          },
          undo: [],
        },
      ],
    };
  },
  apply,
});
