import type { UnsuccessfulItem } from '@aws-sdk/client-ec2';
import { errorName } from '../aws/aws-errors';
import type { ApiCall, ApiOperation, ApplyResult, PlannedStep, RemediationClients, StepResult } from './plan';

/** Sends one planned call with the client of its service. */
async function sendCall(call: ApiCall, clients: RemediationClients): Promise<unknown> {
  switch (call.operation) {
    case 'RevokeSecurityGroupIngress': {
      const ec2 = await clients.ec2();
      return ec2.client.send(new ec2.RevokeSecurityGroupIngressCommand(call.input));
    }
    case 'AuthorizeSecurityGroupIngress': {
      const ec2 = await clients.ec2();
      return ec2.client.send(new ec2.AuthorizeSecurityGroupIngressCommand(call.input));
    }
    case 'CreateFlowLogs': {
      const ec2 = await clients.ec2();
      return ec2.client.send(new ec2.CreateFlowLogsCommand(call.input));
    }
    case 'DeleteFlowLogs': {
      const ec2 = await clients.ec2();
      return ec2.client.send(new ec2.DeleteFlowLogsCommand(call.input));
    }
    case 'EnableEbsEncryptionByDefault': {
      const ec2 = await clients.ec2();
      return ec2.client.send(new ec2.EnableEbsEncryptionByDefaultCommand(call.input));
    }
    case 'DisableEbsEncryptionByDefault': {
      const ec2 = await clients.ec2();
      return ec2.client.send(new ec2.DisableEbsEncryptionByDefaultCommand(call.input));
    }
    case 'PutBucketEncryption': {
      const s3 = await clients.s3();
      return s3.client.send(new s3.PutBucketEncryptionCommand(call.input));
    }
    case 'DeleteBucketEncryption': {
      const s3 = await clients.s3();
      return s3.client.send(new s3.DeleteBucketEncryptionCommand(call.input));
    }
    case 'SetTopicAttributes': {
      const sns = await clients.sns();
      return sns.client.send(new sns.SetTopicAttributesCommand(call.input));
    }
    case 'CreateLogGroup': {
      const logs = await clients.logs();
      return logs.client.send(new logs.CreateLogGroupCommand(call.input));
    }
    case 'PutRetentionPolicy': {
      const logs = await clients.logs();
      return logs.client.send(new logs.PutRetentionPolicyCommand(call.input));
    }
    case 'AssociateKmsKey': {
      const logs = await clients.logs();
      return logs.client.send(new logs.AssociateKmsKeyCommand(call.input));
    }
    case 'DisassociateKmsKey': {
      const logs = await clients.logs();
      return logs.client.send(new logs.DisassociateKmsKeyCommand(call.input));
    }
    case 'RotateSecret': {
      const secretsManager = await clients.secretsManager();
      return secretsManager.client.send(new secretsManager.RotateSecretCommand(call.input));
    }
    case 'CancelRotateSecret': {
      const secretsManager = await clients.secretsManager();
      return secretsManager.client.send(new secretsManager.CancelRotateSecretCommand(call.input));
    }
    case 'SetQueueAttributes': {
      const sqs = await clients.sqs();
      return sqs.client.send(new sqs.SetQueueAttributesCommand(call.input));
    }
    case 'UpdateTable': {
      const dynamodb = await clients.dynamodb();
      return dynamodb.client.send(new dynamodb.UpdateTableCommand(call.input));
    }
    case 'StartStreamEncryption': {
      const kinesis = await clients.kinesis();
      return kinesis.client.send(new kinesis.StartStreamEncryptionCommand(call.input));
    }
    case 'StopStreamEncryption': {
      const kinesis = await clients.kinesis();
      return kinesis.client.send(new kinesis.StopStreamEncryptionCommand(call.input));
    }
  }
}

/**
 * Error codes that mean the change is already in place: someone (or an earlier delivery of the same
 * event) got there first. These are success, never failure.
 */
const ALREADY_DONE_CODES: Partial<Record<ApiOperation, readonly string[]>> = {
  RevokeSecurityGroupIngress: ['InvalidPermission.NotFound', 'InvalidSecurityGroupRuleId.NotFound'],
  AuthorizeSecurityGroupIngress: ['InvalidPermission.Duplicate'],
  DeleteFlowLogs: ['InvalidFlowLogId.NotFound'],
  CreateLogGroup: ['ResourceAlreadyExistsException'],
};

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

interface AwsErrorLike {
  name?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

export function errorCode(error: unknown): string {
  return errorName(error) ?? 'Error';
}

/** Another delivery may succeed: AWS throttled us or failed on its side. */
export function isRetryable(error: unknown): boolean {
  const candidate = error as AwsErrorLike;
  return (
    THROTTLING_CODES.has(errorCode(error)) ||
    candidate?.$fault === 'server' ||
    (candidate?.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

/** Responses that report, with HTTP 200, that something was not changed. */
function responseProblem(call: ApiCall, output: unknown): { alreadyDone: boolean; code: string; message: string } | undefined {
  if (call.operation === 'RevokeSecurityGroupIngress') {
    const unknown = (output as { UnknownIpPermissions?: unknown[] } | undefined)?.UnknownIpPermissions ?? [];
    // Default VPCs answer a revoke of a missing rule with 200 and the rule in UnknownIpPermissions.
    if (unknown.length > 0) return { alreadyDone: true, code: 'UnknownIpPermissions', message: 'The rule no longer exists.' };
  }
  if (call.operation === 'CreateFlowLogs' || call.operation === 'DeleteFlowLogs') {
    const first = ((output as { Unsuccessful?: UnsuccessfulItem[] } | undefined)?.Unsuccessful ?? [])[0];
    if (first) {
      const code = first.Error?.Code ?? 'Unsuccessful';
      const alreadyDone = (ALREADY_DONE_CODES[call.operation] ?? []).includes(code);
      return { alreadyDone, code, message: [first.ResourceId, first.Error?.Message ?? code].filter(Boolean).join(': ') };
    }
  }
  return undefined;
}

export interface StepsRun {
  results: StepResult[];
  /** The response of each step that ran (undefined for the rest), for remediations that read ids from it. */
  outputs: unknown[];
  retryable: boolean;
}

async function performStep(step: PlannedStep, clients: RemediationClients): Promise<{ result: StepResult; output?: unknown; retryable: boolean }> {
  const base = { description: step.description, operation: step.call.operation };
  let output: unknown;
  try {
    output = await sendCall(step.call, clients);
  } catch (error) {
    const errorCodeValue = errorCode(error);
    const errorMessage = (error as Error)?.message ?? String(error);
    const alreadyDone = (ALREADY_DONE_CODES[step.call.operation] ?? []).includes(errorCodeValue);
    return {
      result: { ...base, status: alreadyDone ? 'already-done' : 'failed', errorCode: errorCodeValue, errorMessage },
      retryable: !alreadyDone && isRetryable(error),
    };
  }
  const problem = responseProblem(step.call, output);
  if (problem) {
    return {
      result: { ...base, status: problem.alreadyDone ? 'already-done' : 'failed', errorCode: problem.code, errorMessage: problem.message },
      output,
      retryable: false,
    };
  }
  return { result: { ...base, status: 'done' }, output, retryable: false };
}

/** Runs the steps in order and stops at the first failure; later steps are reported `not-run`. */
export async function performSteps(steps: readonly PlannedStep[], clients: RemediationClients): Promise<StepsRun> {
  const run: StepsRun = { results: [], outputs: [], retryable: false };
  for (const step of steps) {
    if (run.results.some((result) => result.status === 'failed')) {
      run.results.push({ description: step.description, operation: step.call.operation, status: 'not-run' });
      run.outputs.push(undefined);
      continue;
    }
    const { result, output, retryable } = await performStep(step, clients);
    run.results.push(result);
    run.outputs.push(output);
    run.retryable = retryable;
  }
  return run;
}

/** The undo of every step this run changed, latest change first. */
function undoOf(steps: readonly PlannedStep[], results: readonly StepResult[]): ApiCall[] {
  return steps.flatMap((step, index) => (results[index]?.status === 'done' ? [step.undo] : [])).reverse().flat();
}

/** The result of a run of steps, with a message that names the failing call and AWS's words. */
export function applyResultOf(steps: readonly PlannedStep[], run: StepsRun): ApplyResult {
  const failure = run.results.find((result) => result.status === 'failed');
  const done = run.results.filter((result) => result.status === 'done').length;
  const undo = undoOf(steps, run.results);
  if (failure) {
    return {
      outcome: 'failed',
      message: `${failure.operation} failed: ${failure.errorCode}: ${failure.errorMessage} (${done} of ${steps.length} steps done before it)`,
      steps: run.results,
      undo,
      retryable: run.retryable,
    };
  }
  if (done === 0) {
    return { outcome: 'already-fixed', message: 'Nothing to change: every step was already in place.', steps: run.results, undo };
  }
  const already = run.results.length - done;
  return {
    outcome: 'applied',
    message: `${done} change${done === 1 ? '' : 's'} made${already > 0 ? `, ${already} already in place` : ''}.`,
    steps: run.results,
    undo,
  };
}

/** The common `apply`: run the plan's steps and report. */
export async function applySteps(steps: readonly PlannedStep[], clients: RemediationClients): Promise<ApplyResult> {
  return applyResultOf(steps, await performSteps(steps, clients));
}
