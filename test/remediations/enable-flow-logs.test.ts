import 'aws-sdk-client-mock-jest';
import { CloudWatchLogsClient, CreateLogGroupCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateFlowLogsCommand, DescribeFlowLogsCommand, EC2Client, type FlowLog as Ec2FlowLog } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { groupFlowLogsByVpc } from '../../lib/lookups';
import type { FlowLog } from '../../lib/model';
import type { AnyRemediation } from '../../lib/remediation/plan';
import enableFlowLogs from '../../remediations/enable-flow-logs';
import { itemResource } from '../helpers';
import { applyOptions, awsError, clients, planInput, STACK } from './support';

/** Fed what the registry feeds it: any resource, parameters and matches. */
const remediation: AnyRemediation = enableFlowLogs;

const ec2 = mockClient(EC2Client);
const logs = mockClient(CloudWatchLogsClient);
beforeEach(() => {
  ec2.reset();
  logs.reset();
});

const VPC = 'vpc-0a1b2c3d4e5f60718';
const LOG_GROUP = `/driftwarden/vpc-flow-logs/${VPC}`;
const NEW_FLOW_LOG = 'fl-0123456789abcdef0';

const failing: FlowLog = {
  flowLogId: 'fl-0f9e8d7c6b5a43210',
  resourceId: VPC,
  trafficType: 'ALL',
  status: 'ACTIVE',
  deliverLogsStatus: 'FAILED',
  deliverLogsErrorMessage: 'Access error',
};

function plan(options: Parameters<typeof planInput>[2] = {}) {
  return remediation.plan(planInput('vpc-flow-logs', itemResource('vpc'), { lookupData: { flowLogsByVpc: new Map() }, ...options }));
}

function described(flowLog: Partial<Ec2FlowLog>): { FlowLogs: Ec2FlowLog[] } {
  return { FlowLogs: [{ FlowLogId: NEW_FLOW_LOG, ResourceId: VPC, TrafficType: 'ALL', LogGroupName: LOG_GROUP, ...flowLog }] };
}

describe('Remediation: enable-flow-logs', () => {
  describe('plan', () => {
    it('creates an encrypted log group with retention, then a flow log delivering to it with the stack role', () => {
      expect(plan().steps.map((step) => step.call)).toEqual([
        {
          service: 'logs',
          operation: 'CreateLogGroup',
          input: { logGroupName: LOG_GROUP, kmsKeyId: STACK.kmsKeyArn, tags: { 'driftwarden:remediation': 'enable-flow-logs' } },
        },
        { service: 'logs', operation: 'PutRetentionPolicy', input: { logGroupName: LOG_GROUP, retentionInDays: 365 } },
        {
          service: 'ec2',
          operation: 'CreateFlowLogs',
          input: {
            ResourceIds: [VPC],
            ResourceType: 'VPC',
            TrafficType: 'ALL',
            TagSpecifications: [{ ResourceType: 'vpc-flow-log', Tags: [{ Key: 'driftwarden:remediation', Value: 'enable-flow-logs' }] }],
            LogDestinationType: 'cloud-watch-logs',
            LogGroupName: LOG_GROUP,
            DeliverLogsPermissionArn: STACK.flowLogRoleArn,
          },
        },
      ]);
    });

    it('uses the rule\'s traffic type, the configured retention and prefix', () => {
      const steps = plan({ parameters: { trafficType: 'REJECT' }, remediation: { flowLogs: { retentionDays: 30, logGroupPrefix: '/network/flow' } } }).steps;
      expect(steps[1]!.call.input).toEqual({ logGroupName: `/network/flow/${VPC}`, retentionInDays: 30 });
      expect(steps[2]!.call.input).toMatchObject({ TrafficType: 'REJECT', LogGroupName: `/network/flow/${VPC}` });
    });

    it('delivers to an S3 bucket when one is configured, with no role and no log group', () => {
      const steps = plan({ remediation: { flowLogs: { s3BucketArn: 'arn:aws:s3:::central-flow-logs/dev' } } }).steps;
      expect(steps).toHaveLength(1);
      expect(steps[0]!.call.input).toMatchObject({ LogDestinationType: 's3', LogDestination: 'arn:aws:s3:::central-flow-logs/dev' });
      expect(steps[0]!.call.input).not.toHaveProperty('DeliverLogsPermissionArn');
    });

    it('keeps a failing flow log and says so', () => {
      const withFailing = plan({ lookupData: { flowLogsByVpc: groupFlowLogsByVpc([failing]) } });
      expect(withFailing.keeps).toEqual(['flow log fl-0f9e8d7c6b5a43210 (failing: Access error); delete it once the new one delivers']);
      expect(withFailing.steps.map((step) => step.call.operation)).not.toContain('DeleteFlowLogs');
    });

    it('plans nothing automatic and says what is missing without the delivery role', () => {
      const missing = plan({ stack: { kmsKeyArn: STACK.kmsKeyArn } });
      expect(missing.steps).toEqual([]);
      expect(missing.summary).toBe(`Cannot create a flow log for ${VPC}: the flow-log delivery role (the stack's FlowLogDeliveryRole, --flow-log-role-arn) is not known.`);
      expect(missing.manual?.commands[1]).toContain(`--resource-ids ${VPC} --traffic-type ALL`);
    });
  });

  describe('apply', () => {
    beforeEach(() => {
      logs.on(CreateLogGroupCommand).resolves({});
      logs.on(PutRetentionPolicyCommand).resolves({});
      ec2.on(CreateFlowLogsCommand).resolves({ FlowLogIds: [NEW_FLOW_LOG], Unsuccessful: [] });
    });

    it('creates the flow log with the run\'s client token and succeeds once it is ACTIVE and delivering', async () => {
      ec2.on(DescribeFlowLogsCommand).resolves(described({ FlowLogStatus: 'ACTIVE', DeliverLogsStatus: 'SUCCESS' }));
      const options = applyOptions('evt-8e1f3a52');
      const result = await remediation.apply(plan(), clients(), options);
      expect(ec2).toHaveReceivedCommandWith(CreateFlowLogsCommand, { ClientToken: 'evt-8e1f3a52', LogGroupName: LOG_GROUP });
      expect(ec2).toHaveReceivedCommandWith(DescribeFlowLogsCommand, { FlowLogIds: [NEW_FLOW_LOG] });
      expect(result.outcome).toBe('applied');
      expect(result.message).toBe(`3 changes made. Flow log ${NEW_FLOW_LOG} is ACTIVE and delivering.`);
      expect(result.undo).toEqual([{ service: 'ec2', operation: 'DeleteFlowLogs', input: { FlowLogIds: [NEW_FLOW_LOG] } }]);
      expect(options.sleep).not.toHaveBeenCalled();
    });

    it('polls on the injected clock until delivery is confirmed', async () => {
      ec2
        .on(DescribeFlowLogsCommand)
        .resolvesOnce(described({ FlowLogStatus: 'ACTIVE' }))
        .resolvesOnce(described({ FlowLogStatus: 'ACTIVE' }))
        .resolves(described({ FlowLogStatus: 'ACTIVE', DeliverLogsStatus: 'SUCCESS' }));
      const options = applyOptions();
      const result = await remediation.apply(plan(), clients(), options);
      expect(result.outcome).toBe('applied');
      expect(options.sleep.mock.calls).toEqual([[5000], [5000]]);
    });

    it('fails with AWS\'s message when the new flow log cannot deliver, and can still be undone', async () => {
      ec2.on(DescribeFlowLogsCommand).resolves(described({ FlowLogStatus: 'ACTIVE', DeliverLogsStatus: 'FAILED', DeliverLogsErrorMessage: 'Access error' }));
      const result = await remediation.apply(plan(), clients(), applyOptions());
      expect(result.outcome).toBe('failed');
      expect(result.message).toBe(`Flow log ${NEW_FLOW_LOG} was created but cannot deliver logs: Access error`);
      expect(result.undo).toEqual([{ service: 'ec2', operation: 'DeleteFlowLogs', input: { FlowLogIds: [NEW_FLOW_LOG] } }]);
    });

    it('succeeds when the flow log is ACTIVE at the end of the wait and nothing has failed yet', async () => {
      ec2.on(DescribeFlowLogsCommand).resolves(described({ FlowLogStatus: 'ACTIVE' }));
      const options = applyOptions();
      const result = await remediation.apply(plan({ remediation: { flowLogs: { verifySeconds: 10 } } }), clients(), options);
      expect(result.outcome).toBe('applied');
      expect(result.message).toContain('no delivery has been attempted yet, and none has failed');
      expect(options.sleep).toHaveBeenCalledTimes(2);
    });

    it('fails when the flow log never becomes ACTIVE', async () => {
      ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
      const result = await remediation.apply(plan({ remediation: { flowLogs: { verifySeconds: 5 } } }), clients(), applyOptions());
      expect(result).toMatchObject({ outcome: 'failed', message: `Flow log ${NEW_FLOW_LOG} did not become ACTIVE within 5 s (status: not found).` });
    });

    it('reports an unsuccessful CreateFlowLogs item as a failure with its message', async () => {
      ec2.on(CreateFlowLogsCommand).resolves({
        FlowLogIds: [],
        Unsuccessful: [{ ResourceId: VPC, Error: { Code: 'FlowLogAlreadyExists', Message: 'This flow log already exists for this resource, with the same destination, log format, and traffic type.' } }],
      });
      const result = await remediation.apply(plan(), clients(), applyOptions());
      expect(result.outcome).toBe('failed');
      expect(result.message).toContain(`CreateFlowLogs failed: FlowLogAlreadyExists: ${VPC}: This flow log already exists`);
      expect(ec2).not.toHaveReceivedCommand(DescribeFlowLogsCommand);
    });

    it('goes on when the log group already exists', async () => {
      logs.on(CreateLogGroupCommand).rejects(awsError('ResourceAlreadyExistsException', 'The specified log group already exists'));
      ec2.on(DescribeFlowLogsCommand).resolves(described({ FlowLogStatus: 'ACTIVE', DeliverLogsStatus: 'SUCCESS' }));
      const result = await remediation.apply(plan(), clients(), applyOptions());
      expect(result.steps.map((step) => step.status)).toEqual(['already-done', 'done', 'done']);
      expect(result.outcome).toBe('applied');
    });

    it('fails without creating anything when CloudWatch Logs refuses', async () => {
      logs.on(CreateLogGroupCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: logs:CreateLogGroup'));
      const result = await remediation.apply(plan(), clients(), applyOptions());
      expect(result.outcome).toBe('failed');
      expect(ec2).not.toHaveReceivedCommand(CreateFlowLogsCommand);
    });
  });
});
