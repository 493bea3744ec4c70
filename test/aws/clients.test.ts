import { Readable } from 'node:stream';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { HttpResponse, type HttpRequest } from '@smithy/core/transport';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ApiCallCounter } from '../../lib/aws/call-counter';
import { createAwsClients, type AwsClientsOptions } from '../../lib/aws/clients';
import { listResources } from '../../lib/aws/inventory';
import { MissingAwsConfigurationError } from '../../lib/errors';
import { collectPages, CTX, REGION } from './helpers';

const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** EC2's query-protocol error body, as it answers when it throttles a caller (HTTP 503). */
const THROTTLED = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>5f1c2b3a-9d8e-4f7a-8b6c-1d2e3f4a5b6c</RequestID></Response>`;

function describeVpcsBody(vpcId: string, nextToken?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    <vpcSet>
        <item>
            <vpcId>${vpcId}</vpcId>
            <ownerId>123456789012</ownerId>
            <state>available</state>
            <cidrBlock>10.0.0.0/16</cidrBlock>
            <dhcpOptionsId>dopt-0f9e8d7c6b5a43210</dhcpOptionsId>
            <tagSet><item><key>Name</key><value>driftwarden-dev</value></item></tagSet>
            <instanceTenancy>default</instanceTenancy>
            <isDefault>false</isDefault>
        </item>
    </vpcSet>${nextToken ? `\n    <nextToken>${nextToken}</nextToken>` : ''}
</DescribeVpcsResponse>`;
}

/** Answers the SDK's HTTP requests from a script, recording the form parameters of each. */
function scriptedTransport(responses: { statusCode: number; body: string }[]) {
  const requests: URLSearchParams[] = [];
  return {
    requests,
    requestHandler: {
      async handle(request: HttpRequest) {
        requests.push(new URLSearchParams(String(request.body)));
        const next = responses[requests.length - 1];
        if (!next) throw new Error(`unexpected request ${requests.length}`);
        return {
          response: new HttpResponse({
            statusCode: next.statusCode,
            headers: { 'content-type': 'text/xml;charset=UTF-8' },
            body: Readable.from([Buffer.from(next.body)]),
          }),
        };
      },
    },
  };
}

function clientsWith(transport: ReturnType<typeof scriptedTransport>, options: Partial<AwsClientsOptions> = {}) {
  return createAwsClients({ region: REGION, credentials: CREDENTIALS, retryDelayMs: 0, requestHandler: transport.requestHandler, ...options });
}

describe('AwsClients', () => {
  it('retries a throttled call and counts one call with two attempts', async () => {
    const transport = scriptedTransport([
      { statusCode: 503, body: THROTTLED },
      { statusCode: 200, body: describeVpcsBody('vpc-0a1b2c3d4e5f60718') },
    ]);
    const counter = new ApiCallCounter();

    const pages = await collectPages(listResources('AWS::EC2::VPC', clientsWith(transport, { counter }), CTX));

    expect(pages.flat().map((vpc) => vpc.id)).toEqual(['vpc-0a1b2c3d4e5f60718']);
    expect(counter.calls()).toEqual({ 'EC2:DescribeVpcs': 1 });
    expect(counter.attempts()).toEqual({ 'EC2:DescribeVpcs': 2 });
    expect(transport.requests.map((params) => params.get('MaxResults'))).toEqual(['1000', '1000']);
  });

  it('gives up after maxAttempts and surfaces the throttling error', async () => {
    const transport = scriptedTransport([
      { statusCode: 503, body: THROTTLED },
      { statusCode: 503, body: THROTTLED },
    ]);
    const counter = new ApiCallCounter();
    const clients = clientsWith(transport, { counter, maxAttempts: 2 });

    await expect((await clients.ec2()).client.send(new DescribeVpcsCommand({}))).rejects.toThrow('Request limit exceeded.');
    expect(counter.totalAttempts()).toBe(2);
  });

  it('counts paginated calls by operation, sending each NextToken over the wire', async () => {
    const transport = scriptedTransport([
      { statusCode: 200, body: describeVpcsBody('vpc-1', 'page-2') },
      { statusCode: 200, body: describeVpcsBody('vpc-2') },
    ]);
    const counter = new ApiCallCounter();

    await collectPages(listResources('AWS::EC2::VPC', clientsWith(transport, { counter }), CTX));

    expect(counter.calls()).toEqual({ 'EC2:DescribeVpcs': 2 });
    expect(counter.totalCalls()).toBe(2);
    expect(transport.requests.map((params) => params.get('NextToken'))).toEqual([null, 'page-2']);
    counter.reset();
    expect(counter.totalCalls()).toBe(0);
  });

  it('creates each client once, on first use, even when first used by calls in flight together', async () => {
    const clients = createAwsClients({ region: REGION, credentials: CREDENTIALS });
    const [first, second] = await Promise.all([clients.ec2(), clients.ec2()]);
    expect(first.client).toBeInstanceOf(EC2Client);
    expect(second.client).toBe(first.client);
    expect((await clients.ec2()).client).toBe(first.client);
    expect((await clients.s3()).client).not.toBe(first.client);
    clients.destroy();
  });

  it('sends every service over HTTP/1.1 with the timeouts, Kinesis included (its client would pick HTTP/2 from options)', async () => {
    const clients = createAwsClients({ region: REGION, credentials: CREDENTIALS });
    for (const service of [clients.kinesis, clients.ec2, clients.s3]) {
      const handler = (await service()).client.config.requestHandler;
      expect(handler).toBeInstanceOf(NodeHttpHandler);
      await expect((handler as unknown as { configProvider: Promise<object> }).configProvider).resolves.toMatchObject({ throwOnRequestTimeout: true });
    }
    clients.destroy();
  });

  it('leaves out the SDK logging middleware, which would only copy every answer for a logger that discards it', async () => {
    const clients = createAwsClients({ region: REGION, credentials: CREDENTIALS });
    const middlewareOf = (client: { middlewareStack: { identify(): string[] } }) => client.middlewareStack.identify().map((entry) => entry.split(' - ')[0]);
    // The name removed is the one a client made directly carries.
    expect(middlewareOf(new EC2Client({ region: REGION, credentials: CREDENTIALS }))).toContain('loggerMiddleware');
    expect(middlewareOf((await clients.ec2()).client)).not.toContain('loggerMiddleware');
    expect(middlewareOf((await clients.secretsManager()).client)).not.toContain('loggerMiddleware');
    clients.destroy();
  });

  it('resolves a command\'s middleware once per client, each call still sending its own input', async () => {
    const transport = scriptedTransport([
      { statusCode: 200, body: describeVpcsBody('vpc-0a1b2c3d4e5f60718') },
      { statusCode: 200, body: describeVpcsBody('vpc-0a1b2c3d4e5f60719') },
    ]);
    const { client: ec2 } = await clientsWith(transport).ec2();
    const resolve = jest.spyOn(DescribeVpcsCommand.prototype, 'resolveMiddleware');
    try {
      const answers = [];
      for (const vpcId of ['vpc-0a1b2c3d4e5f60718', 'vpc-0a1b2c3d4e5f60719']) answers.push(await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })));
      expect(resolve).toHaveBeenCalledTimes(1);
      expect(transport.requests.map((params) => params.get('VpcId.1'))).toEqual(['vpc-0a1b2c3d4e5f60718', 'vpc-0a1b2c3d4e5f60719']);
      expect(answers.map((answer) => answer.Vpcs?.[0]?.VpcId)).toEqual(['vpc-0a1b2c3d4e5f60718', 'vpc-0a1b2c3d4e5f60719']);
    } finally {
      resolve.mockRestore();
    }
  });

  it('configures adaptive retry by default so throttling slows the client down', async () => {
    const clients = createAwsClients({ region: REGION, credentials: CREDENTIALS, maxAttempts: 7 });
    const { client: rds } = await clients.rds();
    const strategy = await rds.config.retryStrategy();
    expect(strategy).toHaveProperty('mode', 'adaptive');
    await expect(rds.config.maxAttempts()).resolves.toBe(7);
  });

  it('says how to set a region when none is given', () => {
    expect(() => createAwsClients({ region: '' })).toThrow(MissingAwsConfigurationError);
    expect(() => createAwsClients({ region: '' })).toThrow('No AWS region: pass --region, set AWS_REGION');
  });
});
