import { ConfigServiceClient, PutEvaluationsCommand, type Evaluation as ConfigEvaluation } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { reportEvaluations, startReporting } from '../../lib/config-rule/report';
import { EvaluationDeliveryError } from '../../lib/errors';
import type { Evaluation } from '../../lib/evaluate';

const config = mockClient(ConfigServiceClient);
const client = new ConfigServiceClient({ region: 'eu-west-1' });
const noPause = async () => undefined;

function evaluations(count: number): Evaluation[] {
  return Array.from({ length: count }, (_, index) => ({
    ruleId: 'vpc-flow-logs',
    severity: 'medium',
    resourceType: 'AWS::EC2::VPC',
    resourceId: `vpc-${index}`,
    compliance: index % 2 ? 'COMPLIANT' : 'NON_COMPLIANT',
    annotation: index % 2 ? '' : 'VPC has no flow log.',
    orderingTimestamp: '2025-06-12T09:41:27.318Z',
  }));
}

beforeEach(() => config.reset());

describe('Config rule reporting', () => {
  it('sends full batches of 100 with the result token', async () => {
    config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    await expect(reportEvaluations(client, 'token-1', evaluations(250), { pause: noPause })).resolves.toBe(3);
    const sizes = config.commandCalls(PutEvaluationsCommand).map((call) => call.args[0].input.Evaluations!.length);
    expect(sizes.sort((a, b) => b - a)).toEqual([100, 100, 50]);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, { ResultToken: 'token-1' });
  });

  it('sends a batch as soon as 100 evaluations are handed over, and the rest when finished', async () => {
    config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const reporter = startReporting(client, 'token-1', { pause: noPause });
    const all = evaluations(230);
    reporter.add(all.slice(0, 60));
    await new Promise((resolve) => setImmediate(resolve));
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
    reporter.add(all.slice(60, 150));
    reporter.add(all.slice(150));
    await new Promise((resolve) => setImmediate(resolve));
    expect(config.commandCalls(PutEvaluationsCommand).map((call) => call.args[0].input.Evaluations!.length)).toEqual([100, 100]);
    await expect(reporter.finish()).resolves.toBe(3);
    const sent = config.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations!.map((evaluation) => evaluation.ComplianceResourceId));
    expect(sent).toEqual(all.map((evaluation) => evaluation.resourceId));
  });

  it('keeps at most the given number of batches in flight while evaluations keep coming', async () => {
    let inFlight = 0;
    let most = 0;
    config.on(PutEvaluationsCommand).callsFake(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return { FailedEvaluations: [] };
    });
    const reporter = startReporting(client, 'token-1', { pause: noPause, concurrency: 2 });
    for (let page = 0; page < 7; page++) reporter.add(evaluations(100));
    await expect(reporter.finish()).resolves.toBe(7);
    expect(most).toBe(2);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 7);
  });

  it('maps an evaluation to the PutEvaluations shape, leaving out empty annotations', async () => {
    config.on(PutEvaluationsCommand).resolves({});
    await reportEvaluations(client, 'token-1', evaluations(2), { pause: noPause });
    expect(config.commandCalls(PutEvaluationsCommand)[0]!.args[0].input.Evaluations).toEqual([
      {
        ComplianceResourceType: 'AWS::EC2::VPC',
        ComplianceResourceId: 'vpc-0',
        ComplianceType: 'NON_COMPLIANT',
        Annotation: 'VPC has no flow log.',
        OrderingTimestamp: new Date('2025-06-12T09:41:27.318Z'),
      },
      { ComplianceResourceType: 'AWS::EC2::VPC', ComplianceResourceId: 'vpc-1', ComplianceType: 'COMPLIANT', OrderingTimestamp: new Date('2025-06-12T09:41:27.318Z') },
    ]);
  });

  it('sends nothing when there is nothing to report', async () => {
    await expect(reportEvaluations(client, 'token-1', [], { pause: noPause })).resolves.toBe(0);
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it('retries only the evaluations Config returns as failed', async () => {
    const failed: ConfigEvaluation = { ComplianceResourceType: 'AWS::EC2::VPC', ComplianceResourceId: 'vpc-1', ComplianceType: 'COMPLIANT', OrderingTimestamp: new Date() };
    config.on(PutEvaluationsCommand).resolvesOnce({ FailedEvaluations: [failed] }).resolves({ FailedEvaluations: [] });
    await reportEvaluations(client, 'token-1', evaluations(3), { pause: noPause });
    const retried = config.commandCalls(PutEvaluationsCommand)[1]!.args[0].input.Evaluations!;
    expect(retried.map((evaluation) => evaluation.ComplianceResourceId)).toEqual(['vpc-1']);
  });

  it('fails loudly, naming what was not delivered, when Config keeps refusing', async () => {
    const failed: ConfigEvaluation = { ComplianceResourceType: 'AWS::EC2::VPC', ComplianceResourceId: 'vpc-0', ComplianceType: 'NON_COMPLIANT', OrderingTimestamp: new Date() };
    config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [failed] });
    const report = reportEvaluations(client, 'token-1', evaluations(1), { pause: noPause, attempts: 3 });
    await expect(report).rejects.toThrow(EvaluationDeliveryError);
    await expect(reportEvaluations(client, 'token-1', evaluations(1), { pause: noPause, attempts: 3 })).rejects.toThrow(/1 evaluation\(s\) after 3 attempts \(vpc-0\)/);
  });

  it('delivers every other batch when one batch fails, then reports the failure', async () => {
    config.on(PutEvaluationsCommand).callsFake((input) => {
      if (input.Evaluations[0].ComplianceResourceId === 'vpc-100') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return {};
    });
    await expect(reportEvaluations(client, 'token-1', evaluations(300), { pause: noPause })).rejects.toThrow(/1 of 3 PutEvaluations batch\(es\) failed: Rate exceeded/);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 3);
  });
});
