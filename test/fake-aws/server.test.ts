import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { FakeConfigService } from './config-service';
import { FakeAws, FakeAwsError } from './server';

let fake: FakeAws;
const fastRetries = (attempts: number) => ({ retryStrategy: new ConfiguredRetryStrategy(attempts, 0) });

beforeEach(async () => {
  fake = await FakeAws.start({ seed: 7 });
});
afterEach(async () => {
  await fake.close();
});

const evaluation = (id: string) => ({ ComplianceResourceType: 'AWS::EC2::VPC', ComplianceResourceId: id, ComplianceType: 'COMPLIANT' as const, OrderingTimestamp: new Date('2026-01-01T00:00:00Z') });

describe('Fake AWS endpoint', () => {
  it('answers a JSON-protocol call through the real SDK client and logs it', async () => {
    const config = new ConfigServiceClient({ ...fake.clientConfig(), ...fastRetries(1) });
    const service = new FakeConfigService(fake);
    await config.send(new PutEvaluationsCommand({ ResultToken: 'rule-a', Evaluations: [evaluation('vpc-1')] }));
    const { EvaluationResults } = await config.send(new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: 'rule-a' }));
    expect(EvaluationResults?.map((result) => result.EvaluationResultIdentifier?.EvaluationResultQualifier?.ResourceId)).toEqual(['vpc-1']);
    expect(service.verdictsOf('rule-a').size).toBe(1);
    expect(fake.calls.map((call) => `${call.service}:${call.operation}:${call.status}`)).toEqual(['config:PutEvaluations:200', 'config:GetComplianceDetailsByConfigRule:200']);
  });

  it('answers every call after its per-call latency, calls in flight waiting side by side', async () => {
    const slow = await FakeAws.start({ latencyMs: 300 });
    try {
      slow.on('secretsmanager', 'ListSecrets', () => ({ SecretList: [] }));
      const secrets = new SecretsManagerClient({ ...slow.clientConfig(), ...fastRetries(1) });
      await secrets.send(new ListSecretsCommand({}));
      const started = performance.now();
      await Promise.all([1, 2, 3].map(() => secrets.send(new ListSecretsCommand({}))));
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(299);
      expect(elapsed).toBeLessThan(3 * 300);
      slow.latencyMs = 0;
      const quick = performance.now();
      await secrets.send(new ListSecretsCommand({}));
      expect(performance.now() - quick).toBeLessThan(300);
    } finally {
      await slow.close();
    }
  });

  it('counts its own work inside the latency, as a service\'s latency includes its own', async () => {
    const slow = await FakeAws.start({ latencyMs: 400 });
    try {
      slow.on('secretsmanager', 'ListSecrets', async () => {
        await new Promise((resolve) => setTimeout(resolve, 250));
        return { SecretList: [] };
      });
      const secrets = new SecretsManagerClient({ ...slow.clientConfig(), ...fastRetries(1) });
      await secrets.send(new ListSecretsCommand({}));
      const started = performance.now();
      await secrets.send(new ListSecretsCommand({}));
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(399);
      expect(elapsed).toBeLessThan(400 + 250);
    } finally {
      await slow.close();
    }
  });

  it('answers the EC2 query protocol with an XML body the SDK parses', async () => {
    fake.on('ec2', 'DescribeSecurityGroups', ({ input }) => ({
      securityGroupInfo: [{ groupId: input['GroupId.1'], groupName: 'web', ipPermissions: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '0.0.0.0/0' }] }] }],
    }));
    const ec2 = new EC2Client({ ...fake.clientConfig(), ...fastRetries(1) });
    const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-1'] }));
    expect(SecurityGroups).toEqual([{ GroupId: 'sg-1', GroupName: 'web', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }]);
  });

  it('answers the awsQuery protocol and its errors', async () => {
    fake.on('sns', 'Publish', ({ input }) => {
      if (input.TopicArn.endsWith(':gone')) throw new FakeAwsError('NotFound', 'Topic does not exist', 404);
      return { MessageId: 'm-1' };
    });
    const sns = new SNSClient({ ...fake.clientConfig(), ...fastRetries(1) });
    await expect(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111122223333:alerts', Message: 'hi' }))).resolves.toMatchObject({ MessageId: 'm-1' });
    await expect(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111122223333:gone', Message: 'hi' }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it.each([
    ['throttle', 'ThrottlingException'],
    ['server-error', 'InternalFailure'],
  ] as const)('injects %s, which the SDK retries', async (fault, code) => {
    new FakeConfigService(fake);
    fake.inject({ fault, operation: 'PutEvaluations', times: 2 });
    const config = new ConfigServiceClient({ ...fake.clientConfig(), ...fastRetries(3) });
    await config.send(new PutEvaluationsCommand({ ResultToken: 'rule-a', Evaluations: [evaluation('vpc-1')] }));
    expect(fake.callsOf('PutEvaluations').map((call) => call.errorCode ?? call.status)).toEqual([code, code, 200]);
  });

  it('resets connections, which the SDK retries', async () => {
    new FakeConfigService(fake);
    fake.inject({ fault: 'reset', operation: 'PutEvaluations', times: 1 });
    const config = new ConfigServiceClient({ ...fake.clientConfig(), ...fastRetries(2) });
    await config.send(new PutEvaluationsCommand({ ResultToken: 'rule-a', Evaluations: [evaluation('vpc-1')] }));
    expect(fake.callsOf('PutEvaluations').map((call) => call.fault ?? call.status)).toEqual(['reset', 200]);
  });

  it('stalls a call until the client times out', async () => {
    new FakeConfigService(fake);
    fake.inject({ fault: 'stall', operation: 'PutEvaluations' });
    const config = new ConfigServiceClient({ ...fake.clientConfig(), ...fastRetries(2), requestHandler: new NodeHttpHandler({ requestTimeout: 100, throwOnRequestTimeout: true }) });
    await expect(config.send(new PutEvaluationsCommand({ ResultToken: 'rule-a', Evaluations: [evaluation('vpc-1')] }))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(fake.callsOf('PutEvaluations')).toHaveLength(2);
  });

  it('fails part of a batch and draws the same failures from the same seed', async () => {
    const run = async (seed: number) => {
      const local = await FakeAws.start({ seed });
      new FakeConfigService(local, { failedEvaluationRate: 0.5 });
      const config = new ConfigServiceClient({ ...local.clientConfig(), ...fastRetries(1) });
      const { FailedEvaluations = [] } = await config.send(
        new PutEvaluationsCommand({ ResultToken: 'rule-a', Evaluations: Array.from({ length: 20 }, (_, index) => evaluation(`vpc-${index}`)) }),
      );
      await local.close();
      return FailedEvaluations.map((failed) => failed.ComplianceResourceId);
    };
    const first = await run(3);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(20);
    await expect(run(3)).resolves.toEqual(first);
  });

  it('injects a fault with a probability drawn from the seed', async () => {
    new FakeConfigService(fake);
    fake.inject({ fault: 'throttle', operation: 'PutEvaluations', probability: 0.5 });
    const config = new ConfigServiceClient({ ...fake.clientConfig(), ...fastRetries(1) });
    const outcomes = [];
    for (let index = 0; index < 20; index += 1) {
      outcomes.push(await config.send(new PutEvaluationsCommand({ ResultToken: 'rule-a', Evaluations: [evaluation(`vpc-${index}`)] })).then(() => 'ok', () => 'throttled'));
    }
    expect(outcomes).toContain('ok');
    expect(outcomes).toContain('throttled');
  });
});
