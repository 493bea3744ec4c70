import { parseSettings } from '../../../lib/settings';
import { RULES } from '../../../rules';

describe('Settings: remediation', () => {
  it('reads every remediation setting', () => {
    const settings = parseSettings(
      {
        remediation: {
          maxChangesPerHour: 3,
          kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716',
          rotationLambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate',
          flowLogs: { retentionDays: 30, s3BucketArn: 'arn:aws:s3:::central-flow-logs/dev', verifySeconds: 0, logGroupPrefix: '/network/flow' },
        },
      },
      RULES,
    );
    expect(settings.remediation).toEqual({
      maxChangesPerHour: 3,
      kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716',
      rotationLambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate',
      flowLogs: { retentionDays: 30, s3BucketArn: 'arn:aws:s3:::central-flow-logs/dev', verifySeconds: 0, logGroupPrefix: '/network/flow' },
    });
  });

  it.each([
    [{ maxChangesPerHour: 0 }, /remediation\.maxChangesPerHour: Number must be greater than 0/],
    [{ flowLogs: { retentionDays: 45 } }, /remediation\.flowLogs\.retentionDays: expected one of 1, 3, 5, 7, 14, 30, 60, 90/],
    [{ flowLogs: { s3BucketArn: 'central-flow-logs' } }, /remediation\.flowLogs\.s3BucketArn: expected an S3 bucket ARN/],
    [{ kmsKeyArn: 'alias/aws/s3' }, /remediation\.kmsKeyArn: expected a KMS key or alias ARN/],
    [{ rotationLambdaArn: 'rotate' }, /remediation\.rotationLambdaArn: expected a Lambda function ARN/],
    [{ flowLogs: { verifySeconds: 900 } }, /remediation\.flowLogs\.verifySeconds: Number must be less than or equal to 300/],
    [{ maxChangesPerhour: 5 }, /Unrecognized key\(s\) in object: 'maxChangesPerhour'/],
  ])('rejects %j naming the setting', (remediation, message) => {
    expect(() => parseSettings({ remediation }, RULES)).toThrow(message);
  });
});
