import 'aws-sdk-client-mock-jest';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { ResourceOf, SecretProperties } from '../../lib/model';
import type { AnyRemediation } from '../../lib/remediation/plan';
import rotateSecret, { ROTATION_LAMBDA_TAG } from '../../remediations/rotate-secret';
import { NOW } from '../helpers';
import { applyOptions, awsError, clients, planInput } from './support';

/** Fed what the registry feeds it: any resource, parameters and matches. */
const remediation: AnyRemediation = rotateSecret;

const secrets = mockClient(SecretsManagerClient);
beforeEach(() => secrets.reset());

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:driftwarden/dev/slack-webhook-Ab3dEf';
const ROTATOR = 'arn:aws:lambda:eu-west-1:123456789012:function:rotate-webhook';
const DEFAULT_ROTATOR = 'arn:aws:lambda:eu-west-1:123456789012:function:driftwarden-default-rotation';

function secret(properties: SecretProperties, tags: Record<string, string> = {}): ResourceOf<'AWS::SecretsManager::Secret'> {
  return { type: 'AWS::SecretsManager::Secret', id: SECRET_ARN, name: 'driftwarden/dev/slack-webhook', region: 'eu-west-1', tags, capturedAt: NOW.toISOString(), properties };
}

const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

function plan(resource: ResourceOf<'AWS::SecretsManager::Secret'>, remediationSettings: Record<string, unknown> = {}) {
  return remediation.plan(planInput('secret-rotation', resource, { parameters: { maxAgeDays: '30' }, remediation: remediationSettings }));
}

describe('Remediation: rotate-secret', () => {
  it.each([
    [
      'a stale configured rotation: rotate now',
      secret({ rotationEnabled: true, rotationLambdaArn: ROTATOR, automaticallyAfterDays: 30, lastRotatedDate: daysAgo(45) }),
      { SecretId: SECRET_ARN },
      [],
    ],
    [
      'a rotation that stopped happening: rotate now',
      secret({ rotationEnabled: true, rotationLambdaArn: ROTATOR, automaticallyAfterDays: 7, lastRotatedDate: daysAgo(3), rotationOccurringAsScheduled: false }),
      { SecretId: SECRET_ARN },
      [],
    ],
    [
      'too long a schedule: shorten it without rotating, undo puts it back',
      secret({ rotationEnabled: true, rotationLambdaArn: ROTATOR, automaticallyAfterDays: 90, lastRotatedDate: daysAgo(10) }),
      { SecretId: SECRET_ARN, RotationLambdaARN: ROTATOR, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false },
      [{ service: 'secretsmanager', operation: 'RotateSecret', input: { SecretId: SECRET_ARN, RotationLambdaARN: ROTATOR, RotationRules: { AutomaticallyAfterDays: 90 }, RotateImmediately: false } }],
    ],
    [
      'an RDS-managed secret without rotation: turn managed rotation on',
      secret({ rotationEnabled: false, owningService: 'rds' }),
      { SecretId: SECRET_ARN, RotationRules: { AutomaticallyAfterDays: 30 } },
      [{ service: 'secretsmanager', operation: 'CancelRotateSecret', input: { SecretId: SECRET_ARN } }],
    ],
    [
      'a secret tagged with its rotation function',
      secret({ rotationEnabled: false }, { [ROTATION_LAMBDA_TAG]: ROTATOR }),
      { SecretId: SECRET_ARN, RotationLambdaARN: ROTATOR, RotationRules: { AutomaticallyAfterDays: 30 } },
      [{ service: 'secretsmanager', operation: 'CancelRotateSecret', input: { SecretId: SECRET_ARN } }],
    ],
  ])('plans %s', (_case, resource, input, undo) => {
    const result = plan(resource, { rotationLambdaArn: DEFAULT_ROTATOR });
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]!.call).toEqual({ service: 'secretsmanager', operation: 'RotateSecret', input });
    expect(result.steps[0]!.undo).toEqual(undo);
  });

  it('uses the deployment\'s rotation function when the secret names none', () => {
    const result = plan(secret({ rotationEnabled: false }), { rotationLambdaArn: DEFAULT_ROTATOR });
    expect(result.steps[0]!.call.input).toEqual({ SecretId: SECRET_ARN, RotationLambdaARN: DEFAULT_ROTATOR, RotationRules: { AutomaticallyAfterDays: 30 } });
  });

  it('says exactly what is missing when there is no rotation function and no owning service', () => {
    const result = plan(secret({ rotationEnabled: false }));
    expect(result.steps).toEqual([]);
    expect(result.summary).toBe('Cannot turn on rotation of driftwarden/dev/slack-webhook: it has no rotation function and no owning service.');
    expect(result.manual?.reason).toBe(
      `No rotation function is known for driftwarden/dev/slack-webhook: tag the secret ${ROTATION_LAMBDA_TAG}=<function ARN>, or set remediation.rotationLambdaArn, or configure rotation yourself.`,
    );
    expect(result.manual?.commands).toEqual([
      `aws secretsmanager rotate-secret --secret-id ${SECRET_ARN} --rotation-lambda-arn <rotation-function-arn> --rotation-rules AutomaticallyAfterDays=30 --region eu-west-1`,
    ]);
  });

  it('starts the rotation through Secrets Manager', async () => {
    secrets.on(RotateSecretCommand).resolves({ ARN: SECRET_ARN, Name: 'driftwarden/dev/slack-webhook', VersionId: 'e2c7a4f0-5b1d-4c3e-9f8a-0d1e2f3a4b5c' });
    const result = await remediation.apply(plan(secret({ rotationEnabled: false }, { [ROTATION_LAMBDA_TAG]: ROTATOR })), clients(), applyOptions());
    expect(secrets).toHaveReceivedCommandWith(RotateSecretCommand, { SecretId: SECRET_ARN, RotationLambdaARN: ROTATOR });
    expect(result).toMatchObject({ outcome: 'applied', undo: [{ operation: 'CancelRotateSecret' }] });
  });

  it('fails, not retryable, when a rotation is still in progress', async () => {
    secrets.on(RotateSecretCommand).rejects(awsError('InvalidRequestException', "A previous rotation isn't complete. That rotation will be reattempted."));
    const result = await remediation.apply(plan(secret({ rotationEnabled: true, rotationLambdaArn: ROTATOR, automaticallyAfterDays: 30, lastRotatedDate: daysAgo(45) })), clients(), applyOptions());
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
  });
});
