import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { createAwsClients } from '../../lib/aws/clients';
import { awsClientConfig, DEFAULT_CALL_TIMEOUTS, DEFAULT_MAX_ATTEMPTS, timedRequestHandler, worstCaseCallMs } from '../../lib/aws/client-config';
import { awsRuleRunSources } from '../../lib/config-rule/aws-sources';
import { handleRuleInvocation } from '../../lib/config-rule/handle';
import { EvaluationDeliveryError, SweepIncompleteError } from '../../lib/errors';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';
import { FakeConfigService } from '../fake-aws/config-service';
import { FakeAws } from '../fake-aws/server';
import { fixture, NOW } from '../helpers';

/** The product's timeouts shrunk 50-fold, so a stall ends in a fraction of a second here. */
const FAST_TIMEOUTS = { connectionMs: 60, requestMs: 200 };
const RULE_NAME = 'driftwarden-dev-vpc-flow-logs';
const scheduled = () => ({ ...fixture('config/event-scheduled-vpc.json'), resultToken: RULE_NAME });
const change = () => ({ ...fixture('config/event-change-sg.json'), resultToken: 'driftwarden-dev-public-app-ports' });

let fake: FakeAws;
let service: FakeConfigService;

beforeEach(async () => {
  fake = await FakeAws.start({ seed: 11 });
  service = new FakeConfigService(fake);
  fake.on('ec2', 'DescribeVpcs', () => ({ vpcSet: Array.from({ length: 3 }, (_, index) => ({ vpcId: `vpc-${index}`, cidrBlock: '10.0.0.0/16', isDefault: false, ownerId: '123456789012' })) }));
  fake.on('ec2', 'DescribeFlowLogs', () => ({ flowLogSet: [] }));
});
afterEach(() => fake.close());

function handlerDeps(outOfTime?: () => boolean) {
  // The product's attempts and transport; only the waits between attempts are zero, so the test does not sleep.
  const config = new ConfigServiceClient(
    awsClientConfig({ ...fake.clientConfig(), requestHandler: timedRequestHandler(FAST_TIMEOUTS), retryStrategy: new ConfiguredRetryStrategy(DEFAULT_MAX_ATTEMPTS, 0) }),
  );
  const clients = createAwsClients({ ...fake.clientConfig(), timeouts: FAST_TIMEOUTS, retryDelayMs: 0 });
  return {
    rules: RULES,
    settings: parseSettings({}, RULES),
    config,
    sources: awsRuleRunSources({ config, clients, region: fake.region, accountId: '123456789012' }),
    now: () => NOW,
    ...(outOfTime && { outOfTime }),
  };
}

describe('Config rule handler against a faulty AWS', () => {
  it('keeps the worst case of a call that is never answered, retries included, under a minute', async () => {
    expect(worstCaseCallMs()).toBeLessThan(60_000);
    const client = new ConfigServiceClient(awsClientConfig({ region: 'eu-west-1' }));
    await expect((client.config.requestHandler as unknown as { configProvider: Promise<object> }).configProvider).resolves.toMatchObject({
      connectionTimeout: DEFAULT_CALL_TIMEOUTS.connectionMs,
      requestTimeout: DEFAULT_CALL_TIMEOUTS.requestMs,
      throwOnRequestTimeout: true,
    });
  });

  it('ends an invocation whose PutEvaluations is accepted but never answered, loudly, after its retries', async () => {
    fake.inject({ fault: 'stall', operation: 'PutEvaluations' });
    const started = Date.now();
    const rejection = expect(handleRuleInvocation(change(), handlerDeps())).rejects;
    await rejection.toThrow(EvaluationDeliveryError);
    await rejection.toThrow(/TimeoutError|timed out|requestTimeout/);
    expect(fake.callsOf('PutEvaluations')).toHaveLength(4);
    expect(Date.now() - started).toBeLessThan(worstCaseCallMs(FAST_TIMEOUTS) + 2_000);
  });

  it('ends a sweep whose listing stalls, reporting what it could and naming the type it could not list', async () => {
    fake.inject({ fault: 'stall', operation: 'DescribeVpcs' });
    await expect(handleRuleInvocation(scheduled(), handlerDeps())).rejects.toThrow(/could not list AWS::EC2::VPC: TimeoutError/);
  });

  it('reports every fresh verdict when GetComplianceDetailsByConfigRule keeps failing, and fails naming that step', async () => {
    service.verdicts.set(RULE_NAME, new Map([['AWS::EC2::VPC/vpc-gone', { ComplianceResourceType: 'AWS::EC2::VPC', ComplianceResourceId: 'vpc-gone', ComplianceType: 'NON_COMPLIANT', OrderingTimestamp: 0 }]]));
    fake.inject({ fault: 'throttle', operation: 'GetComplianceDetailsByConfigRule' });
    const rejection = expect(handleRuleInvocation(scheduled(), handlerDeps())).rejects;
    await rejection.toThrow(SweepIncompleteError);
    await rejection.toThrow(/reported 3 evaluation\(s\) but is incomplete: reading the verdicts Config holds \(GetComplianceDetailsByConfigRule\) failed: ThrottlingException: Rate exceeded/);
    expect([...service.verdictsOf(RULE_NAME).keys()].sort()).toEqual(['AWS::EC2::VPC/vpc-0', 'AWS::EC2::VPC/vpc-1', 'AWS::EC2::VPC/vpc-2', 'AWS::EC2::VPC/vpc-gone']);
    expect(service.verdictsOf(RULE_NAME).get('AWS::EC2::VPC/vpc-gone')?.ComplianceType).toBe('NON_COMPLIANT');
  });

  it('starts no listing once the invocation is out of time, and fails naming what was not done', async () => {
    await expect(handleRuleInvocation(scheduled(), handlerDeps(() => true))).rejects.toThrow(/could not list AWS::EC2::VPC: DeadlineExceededError: not listed: the invocation ran out of time/);
    expect(fake.callsOf('DescribeVpcs')).toHaveLength(0);
  });

  it('reports the verdicts it has and names those it had no time to send', async () => {
    let checks = 0;
    // Time runs out after the listing: the evaluations exist, no PutEvaluations may start.
    const outOfTime = () => ++checks > 2;
    await expect(handleRuleInvocation(scheduled(), handlerDeps(outOfTime))).rejects.toThrow(/3 evaluation\(s\) not sent: the invocation ran out of time/);
    expect(fake.callsOf('PutEvaluations')).toHaveLength(0);
  });
});
