import type { AssociateKmsKeyCommandInput, CreateLogGroupCommandInput, DisassociateKmsKeyCommandInput, PutRetentionPolicyCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import type {
  AuthorizeSecurityGroupIngressCommandInput,
  CreateFlowLogsCommandInput,
  DeleteFlowLogsCommandInput,
  DisableEbsEncryptionByDefaultCommandInput,
  EnableEbsEncryptionByDefaultCommandInput,
  RevokeSecurityGroupIngressCommandInput,
} from '@aws-sdk/client-ec2';
import type { DeleteBucketEncryptionCommandInput, PutBucketEncryptionCommandInput } from '@aws-sdk/client-s3';
import type { CancelRotateSecretCommandInput, RotateSecretCommandInput } from '@aws-sdk/client-secrets-manager';
import type { SetTopicAttributesCommandInput } from '@aws-sdk/client-sns';
import type { UpdateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { StartStreamEncryptionCommandInput, StopStreamEncryptionCommandInput } from '@aws-sdk/client-kinesis';
import type { SetQueueAttributesCommandInput } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../aws/clients';
import type { Evaluation } from '../evaluate';
import type { ResourceOf, ResourceType } from '../model';
import type { AnyRule, MatchOf, ParametersOf, ResourceTypeOf } from '../rule';
import type { RemediationSettings } from '../settings';

/**
 * One AWS API call, as data: a plan is a list of these, so it can be shown, stored in the audit
 * table, and replayed by `undo` long after the process that planned it is gone.
 */
export type ApiCall =
  | { service: 'ec2'; operation: 'RevokeSecurityGroupIngress'; input: RevokeSecurityGroupIngressCommandInput }
  | { service: 'ec2'; operation: 'AuthorizeSecurityGroupIngress'; input: AuthorizeSecurityGroupIngressCommandInput }
  | { service: 'ec2'; operation: 'CreateFlowLogs'; input: CreateFlowLogsCommandInput }
  | { service: 'ec2'; operation: 'DeleteFlowLogs'; input: DeleteFlowLogsCommandInput }
  | { service: 'ec2'; operation: 'EnableEbsEncryptionByDefault'; input: EnableEbsEncryptionByDefaultCommandInput }
  | { service: 'ec2'; operation: 'DisableEbsEncryptionByDefault'; input: DisableEbsEncryptionByDefaultCommandInput }
  | { service: 's3'; operation: 'PutBucketEncryption'; input: PutBucketEncryptionCommandInput }
  | { service: 's3'; operation: 'DeleteBucketEncryption'; input: DeleteBucketEncryptionCommandInput }
  | { service: 'sns'; operation: 'SetTopicAttributes'; input: SetTopicAttributesCommandInput }
  | { service: 'logs'; operation: 'CreateLogGroup'; input: CreateLogGroupCommandInput }
  | { service: 'logs'; operation: 'PutRetentionPolicy'; input: PutRetentionPolicyCommandInput }
  | { service: 'logs'; operation: 'AssociateKmsKey'; input: AssociateKmsKeyCommandInput }
  | { service: 'logs'; operation: 'DisassociateKmsKey'; input: DisassociateKmsKeyCommandInput }
  | { service: 'secretsmanager'; operation: 'RotateSecret'; input: RotateSecretCommandInput }
  | { service: 'secretsmanager'; operation: 'CancelRotateSecret'; input: CancelRotateSecretCommandInput }
  | { service: 'sqs'; operation: 'SetQueueAttributes'; input: SetQueueAttributesCommandInput }
  | { service: 'dynamodb'; operation: 'UpdateTable'; input: UpdateTableCommandInput }
  | { service: 'kinesis'; operation: 'StartStreamEncryption'; input: StartStreamEncryptionCommandInput }
  | { service: 'kinesis'; operation: 'StopStreamEncryption'; input: StopStreamEncryptionCommandInput };

export type ApiOperation = ApiCall['operation'];

/** The services remediations change, each loaded on its first call. */
export type RemediationClients = Pick<AwsClients, 'ec2' | 's3' | 'sns' | 'logs' | 'secretsManager' | 'sqs' | 'dynamodb' | 'kinesis'>;

/** One change: the call that makes it and the calls that take it back. */
export interface PlannedStep {
  /** What the call does, in words a reviewer checks against the console. */
  description: string;
  call: ApiCall;
  /** Restores the before-state of this step; empty when the step cannot be taken back. */
  undo: ApiCall[];
}

export interface ManualRunbook {
  /** Why driftwarden does not do this itself. */
  reason: string;
  /** Shell commands (AWS CLI) with the resource's real ids, in order, each with a comment line. */
  commands: string[];
}

export interface RemediationPlan {
  remediation: string;
  ruleId: string;
  resourceType: string;
  resourceId: string;
  region?: string;
  /** One sentence: what will change, or why nothing will. */
  summary: string;
  /** Performed in order by `apply`; empty when nothing can or needs to change automatically. */
  steps: PlannedStep[];
  /** What the remediation deliberately leaves as it is (the 443 rule, the failing flow log…). */
  keeps: string[];
  /** The state the steps change, as read before planning; what `undo` restores. */
  beforeState: Record<string, unknown>;
  /** What a person must do instead (encrypting an RDS instance, adding a rotation function). */
  manual?: ManualRunbook;
  /** How long `apply` waits to confirm the change works (a new flow log becoming ACTIVE and delivering). */
  verifyWithinSeconds?: number;
}

export type StepStatus = 'done' | 'already-done' | 'failed' | 'not-run';

export interface StepResult {
  description: string;
  operation: ApiOperation;
  status: StepStatus;
  /** AWS's error code and message for `already-done` and `failed`. */
  errorCode?: string;
  errorMessage?: string;
}

export type ApplyOutcome = 'applied' | 'already-fixed' | 'failed';

export interface ApplyResult {
  outcome: ApplyOutcome;
  message: string;
  steps: StepResult[];
  /** The calls that restore what this run changed, in the order to run them (latest change first). */
  undo: ApiCall[];
  /** True when the failure is worth another delivery (throttling, a 5xx). */
  retryable?: boolean;
}

/** What the deployed stack provides (environment of the remediation Lambda, or CLI flags). */
export interface StackResources {
  /** The stack's KMS key, whose key policy lets CloudWatch Logs and SNS use it. */
  kmsKeyArn?: string;
  /** The role VPC flow logs assume to deliver to CloudWatch Logs. */
  flowLogRoleArn?: string;
}

export interface PlanInput<T extends ResourceType = ResourceType, Params = unknown, Match = unknown> {
  /** The live resource, re-read just now. */
  resource: ResourceOf<T>;
  /** The rule's verdict on that live resource, with its `matches`. */
  evaluation: Evaluation<Match>;
  /** The rule's validated parameters (the same the rule evaluated with). */
  parameters: Params;
  settings: RemediationSettings;
  stack: StackResources;
}

export interface ApplyOptions {
  /** Waits between polls (flow-log verification); injected so tests do not sleep. */
  sleep(ms: number): Promise<void>;
  /** A token unique to this remediation run, for APIs with client-side idempotency (CreateFlowLogs). */
  clientToken: string;
}

/** An IAM grant a remediation needs. Resources are CloudFormation `Fn::Sub` templates. */
export interface PermissionGrant {
  actions: readonly string[];
  resources: readonly string[];
  /** Why the grant is needed, kept next to it so the policy can be reviewed. */
  reason: string;
  /** An IAM condition narrowing the grant where the resource ARN cannot (a tag on the function, the group). */
  condition?: Record<string, Record<string, string>>;
}

/** What a remediation of `Rule`'s findings plans from. */
export type PlanInputOf<Rule> = PlanInput<ResourceTypeOf<Rule>, ParametersOf<Rule>, MatchOf<Rule>>;

/** A remediation of the findings of one rule: it plans with that rule's parameters and matches, as the rule typed them. */
export interface RemediationDefinition<T extends ResourceType = ResourceType, Params = unknown, Match = unknown> {
  id: string;
  title: string;
  resourceTypes: readonly T[];
  /** Everything `apply` calls; the remediation role gets exactly these. */
  permissions: readonly PermissionGrant[];
  /** What only `driftwarden undo` calls: the operator's policy (an unattached managed policy in the stack), never the function's. */
  undoPermissions: readonly PermissionGrant[];
  plan(input: PlanInput<T, Params, Match>): RemediationPlan;
  apply(plan: RemediationPlan, clients: RemediationClients, options: ApplyOptions): Promise<ApplyResult>;
}

export type AnyRemediation = RemediationDefinition<ResourceType>;

/** A remediation for `Rule`'s findings (`defineRemediation<typeof rule>({…})`): `plan` gets that rule's resource type, parameters and matches. */
export function defineRemediation<Rule extends AnyRule>(
  remediation: RemediationDefinition<ResourceTypeOf<Rule>, ParametersOf<Rule>, MatchOf<Rule>>,
): RemediationDefinition<ResourceTypeOf<Rule>, ParametersOf<Rule>, MatchOf<Rule>> {
  return remediation;
}

/** The base of every plan, from the input. */
export function planFor(remediation: string, input: PlanInput): Pick<RemediationPlan, 'remediation' | 'ruleId' | 'resourceType' | 'resourceId' | 'region'> {
  return {
    remediation,
    ruleId: input.evaluation.ruleId,
    resourceType: input.resource.type,
    resourceId: input.resource.id,
    ...(input.resource.region !== undefined && { region: input.resource.region }),
  };
}
