import type { RotateSecretCommandInput } from '@aws-sdk/client-secrets-manager';
import type { SecretProperties } from '../lib/model';
import { applySteps } from '../lib/remediation/execute';
import { defineRemediation, planFor, type ApiCall, type PlannedStep } from '../lib/remediation/plan';
import type secretRotation from '../rules/secret-rotation';

/** Tag on a secret naming its rotation function, for secrets whose function is not the deployment default. */
export const ROTATION_LAMBDA_TAG = 'driftwarden:rotation-lambda';
/** Tag that lets the remediation role name a function as a rotation function (lambda:InvokeFunction is conditioned on it). */
export const ROTATION_FUNCTION_TAG = 'driftwarden:rotation-function';
const DAY_MS = 86_400_000;

function rotate(input: RotateSecretCommandInput): ApiCall {
  return { service: 'secretsmanager', operation: 'RotateSecret', input };
}

/** The rotation settings as they are, so undo can put them back without rotating again. */
function restoreSchedule(secretId: string, before: SecretProperties): ApiCall[] {
  const rules = before.automaticallyAfterDays !== undefined ? { AutomaticallyAfterDays: before.automaticallyAfterDays } : before.scheduleExpression ? { ScheduleExpression: before.scheduleExpression } : undefined;
  if (!rules) return [];
  return [rotate({ SecretId: secretId, ...(before.rotationLambdaArn && { RotationLambdaARN: before.rotationLambdaArn }), RotationRules: rules, RotateImmediately: false })];
}

/** The last rotation is older than allowed, or Secrets Manager says the scheduled one did not happen. */
function isStale(secret: SecretProperties, maxAgeDays: number, now: Date): boolean {
  if (secret.rotationOccurringAsScheduled === false) return true;
  const since = secret.lastRotatedDate ?? secret.createdDate;
  return since !== undefined && now.getTime() - Date.parse(since) > maxAgeDays * DAY_MS;
}

export default defineRemediation<typeof secretRotation>({
  id: 'rotate-secret',
  title: 'Start a stale rotation, or configure rotation where the secret has a rotation function or an owning service',
  resourceTypes: ['AWS::SecretsManager::Secret'],
  permissions: [
    {
      actions: ['secretsmanager:RotateSecret'],
      resources: ['arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*'],
      reason: 'start or configure rotation',
    },
    {
      actions: ['lambda:InvokeFunction'],
      resources: ['arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*'],
      condition: { StringEquals: { [`aws:ResourceTag/${ROTATION_FUNCTION_TAG}`]: 'true' } },
      reason: `Secrets Manager checks that whoever configures rotation may invoke the rotation function: only functions tagged ${ROTATION_FUNCTION_TAG}=true (the deployment default is granted by name)`,
    },
  ],
  undoPermissions: [
    {
      actions: ['secretsmanager:RotateSecret', 'secretsmanager:CancelRotateSecret'],
      resources: ['arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*'],
      reason: 'restore the schedule, or turn rotation off',
    },
    {
      actions: ['lambda:InvokeFunction'],
      resources: ['arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*'],
      reason: 'restoring a schedule names the rotation function the secret had before',
    },
  ],
  plan(input) {
    const secret = input.resource;
    const props = secret.properties;
    const { maxAgeDays } = input.parameters;
    const name = secret.name ?? secret.id;
    const base = {
      ...planFor('rotate-secret', input),
      keeps: ['the secret value is changed only by its own rotation function; undo restores the schedule, not the old value'],
      beforeState: {
        rotationEnabled: props.rotationEnabled ?? false,
        rotationLambdaArn: props.rotationLambdaArn ?? null,
        automaticallyAfterDays: props.automaticallyAfterDays ?? null,
        scheduleExpression: props.scheduleExpression ?? null,
        lastRotatedDate: props.lastRotatedDate ?? null,
        owningService: props.owningService ?? null,
      },
    };
    if (props.pendingDeletion) {
      return { ...base, summary: `Secret ${name} is scheduled for deletion: nothing to rotate.`, steps: [] };
    }
    const rules = { AutomaticallyAfterDays: maxAgeDays };
    if (props.rotationEnabled) {
      const stale = isStale(props, maxAgeDays, new Date(input.evaluation.orderingTimestamp));
      const intervalTooLong =
        props.automaticallyAfterDays !== undefined ? props.automaticallyAfterDays > maxAgeDays : props.scheduleExpression !== undefined && !stale;
      if (intervalTooLong) {
        const step: PlannedStep = {
          description: `Rotate ${name} every ${maxAgeDays} days${stale ? ', and rotate it now' : ''}`,
          call: rotate({ SecretId: secret.id, ...(props.rotationLambdaArn && { RotationLambdaARN: props.rotationLambdaArn }), RotationRules: rules, RotateImmediately: stale }),
          undo: restoreSchedule(secret.id, props),
        };
        return { ...base, summary: `Shorten the rotation schedule of ${name} to every ${maxAgeDays} days${stale ? ' and rotate it now' : ''}.`, steps: [step] };
      }
      return {
        ...base,
        summary: `Start a rotation of ${name} now: its configured rotation has not happened in time.`,
        steps: [{ description: `Rotate ${name} now with its configured rotation`, call: rotate({ SecretId: secret.id }), undo: [] }],
      };
    }
    const cancel: ApiCall = { service: 'secretsmanager', operation: 'CancelRotateSecret', input: { SecretId: secret.id } };
    if (props.owningService) {
      return {
        ...base,
        summary: `Turn on ${props.owningService}-managed rotation of ${name} every ${maxAgeDays} days and rotate it now.`,
        steps: [{ description: `Turn on managed rotation of ${name} every ${maxAgeDays} days`, call: rotate({ SecretId: secret.id, RotationRules: rules }), undo: [cancel] }],
      };
    }
    const lambdaArn = secret.tags[ROTATION_LAMBDA_TAG] ?? input.settings.rotationLambdaArn;
    if (lambdaArn) {
      return {
        ...base,
        summary: `Configure rotation of ${name} with ${lambdaArn} every ${maxAgeDays} days and rotate it now.`,
        steps: [
          {
            description: `Rotate ${name} with ${lambdaArn} every ${maxAgeDays} days, starting now`,
            call: rotate({ SecretId: secret.id, RotationLambdaARN: lambdaArn, RotationRules: rules }),
            undo: [cancel],
          },
        ],
      };
    }
    return {
      ...base,
      summary: `Cannot turn on rotation of ${name}: it has no rotation function and no owning service.`,
      steps: [],
      manual: {
        reason: `No rotation function is known for ${name}: tag the secret ${ROTATION_LAMBDA_TAG}=<function ARN>, or set remediation.rotationLambdaArn, or configure rotation yourself.`,
        commands: [
          `aws secretsmanager rotate-secret --secret-id ${secret.id} --rotation-lambda-arn <rotation-function-arn> --rotation-rules AutomaticallyAfterDays=${maxAgeDays}${secret.region ? ` --region ${secret.region}` : ''}`,
        ],
      },
    };
  },
  apply: (plan, clients) => applySteps(plan.steps, clients),
});
