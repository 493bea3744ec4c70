import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { fixture } from '../helpers';

const config = mockClient(ConfigServiceClient);
const context = {
  functionName: 'driftwarden-test-configRule',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:driftwarden-test-configRule',
  memoryLimitInMB: '256',
  awsRequestId: '6f1d2c3b-0a9e-4d8c-b7a6-5e4f3d2c1b0a',
  // A fresh invocation of the deployed function (timeout 900 s).
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

let output: string[];

beforeEach(() => {
  config.reset();
  output = [];
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk) => {
      output.push(String(chunk));
      return true;
    });
  }
});

afterEach(() => jest.restoreAllMocks());

const loadHandler = async () => (await import('../../handlers/config-rule')).handler;

describe('Handler: config-rule', () => {
  it('reports the verdict and publishes metrics for it', async () => {
    config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const handler = await loadHandler();
    const outcome = await handler(fixture('config/event-change-sg.json'), context);
    expect(outcome).toMatchObject({ ruleId: 'public-app-ports', reported: { NON_COMPLIANT: 1 } });
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    const emf = output.map((line) => JSON.parse(line)).find((line) => line._aws);
    expect(emf).toMatchObject({ rule: 'public-app-ports', NonCompliantEvaluations: 1 });
  });

  it('logs a bad event as structured JSON naming the problem, counts it, and fails the invocation', async () => {
    const handler = await loadHandler();
    const event = { ...fixture('config/event-change-sg.json'), ruleParameters: '{"authorizedTcpPorts":"eighty"}' };
    await expect(handler(event, context)).rejects.toThrow(/authorizedTcpPorts/);
    const lines = output.map((line) => JSON.parse(line));
    expect(lines.find((line) => line.level === 'ERROR')).toMatchObject({ message: 'Config rule invocation failed', errorName: 'InvalidParameterError' });
    expect(lines.find((line) => line._aws)).toMatchObject({ Errors: 1 });
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it('sends nothing it could not finish when the invocation is near its end, and fails loudly saying so', async () => {
    config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const handler = await loadHandler();
    await expect(handler(fixture('config/event-change-sg.json'), { ...context, getRemainingTimeInMillis: () => 30_000 })).rejects.toThrow(
      /1 evaluation\(s\) not sent: the invocation ran out of time/,
    );
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(output.join('')).toContain('Config rule invocation failed');
  });
});
