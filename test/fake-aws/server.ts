import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from '../seeded-random';

/**
 * A fake AWS endpoint on loopback for fault-injection tests: the real SDK clients (their
 * serialisers, retries and timeouts included) talk to it over HTTP. It speaks the JSON protocols
 * (awsJson1.0 / 1.1: Config, Secrets Manager, DynamoDB, CloudWatch Logs, KMS, EventBridge, SQS) and
 * the query protocols (EC2's, and awsQuery: RDS, SNS, STS). Operations are answered by handlers the
 * test registers; faults (throttling, 5xx, connection resets, stalls) are injected by rule and
 * drawn from a seeded generator, so a run with the same seed and the same order of calls fails
 * the same calls. See test/fake-aws/README.md.
 */

export type Protocol = 'json' | 'ec2' | 'query';

/** What a handler sees of one call. */
export interface FakeCall {
  /** The SigV4 signing name: `config`, `ec2`, `secretsmanager`, `dynamodb`, `logs`, `kms`, `events`, `sns`, `rds`, `sts`… */
  service: string;
  operation: string;
  protocol: Protocol;
  /** JSON protocols: the parsed body. Query protocols: the form fields, flat (`IpPermissions.1.IpProtocol`). */
  input: any;
  /** The call's position in the call log (1-based). */
  seq: number;
  /** A number in [0, 1) from the endpoint's seeded generator, for handlers that fail part of a call. */
  random(): number;
}

/**
 * An operation's answer. JSON protocols: the response object as the API documents it. Query
 * protocols: an object serialised to XML under `<OperationResponse>` (EC2) or
 * `<OperationResult>` (awsQuery), keys as wire names, arrays as `<item>` / `<member>` lists.
 */
export type FakeHandler = (call: FakeCall) => unknown;

/** An error an operation answers with, as AWS would (a 4xx with its code unless `status` says otherwise). */
export class FakeAwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * - `throttle`: the protocol's throttling error (SDK retries it, adaptive mode slows down).
 * - `server-error`: HTTP 500 InternalFailure (retried).
 * - `reset`: the connection is destroyed without an answer (retried).
 * - `stall`: the request is accepted and never answered; only a client timeout ends it.
 */
export type FaultKind = 'throttle' | 'server-error' | 'reset' | 'stall';

export interface FaultRule {
  fault: FaultKind;
  /** Matches every service when absent. */
  service?: string;
  /** Matches every operation when absent. */
  operation?: string;
  /** Chance per matching call, drawn from the seeded generator; 1 when absent. */
  probability?: number;
  /** Stop after injecting this many times; unlimited when absent. */
  times?: number;
}

export interface CallRecord {
  seq: number;
  service: string;
  operation: string;
  protocol: Protocol;
  input: unknown;
  /** The fault injected into this call, if any. */
  fault?: FaultKind;
  /** HTTP status answered; absent for resets and stalls. */
  status?: number;
  /** The error code answered, for failed calls. */
  errorCode?: string;
}

export interface FakeAwsOptions {
  /** Seeds fault draws and `FakeCall.random()`. Default 1. */
  seed?: number;
  region?: string;
  /** How long every call waits before it is answered (or fails), as a remote endpoint would; 0 when absent. */
  latencyMs?: number;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function toXml(value: unknown, listItem: string): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((entry) => `<${listItem}>${toXml(entry, listItem)}</${listItem}>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, child]) => child !== undefined)
      .map(([key, child]) => `<${key}>${toXml(child, listItem)}</${key}>`)
      .join('');
  }
  return escapeXml(String(value));
}

function signingService(request: IncomingMessage): string {
  // Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ec2/aws4_request, ...
  const match = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(request.headers.authorization ?? '');
  return match?.[1] ?? 'unknown';
}

export class FakeAws {
  /** Every call received, in order of arrival. */
  readonly calls: CallRecord[] = [];
  readonly region: string;
  /** Per-call latency in milliseconds; may be changed between calls. Stalls and resets are not delayed. */
  latencyMs: number;
  private readonly handlers = new Map<string, FakeHandler>();
  private readonly faults: (FaultRule & { injected: number })[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly random: () => number;
  private server?: Server;
  private url?: string;

  private constructor(options: FakeAwsOptions) {
    this.random = seededRandom(options.seed ?? 1);
    this.region = options.region ?? 'us-east-1';
    this.latencyMs = options.latencyMs ?? 0;
  }

  /** Starts an endpoint on a free loopback port. */
  static async start(options: FakeAwsOptions = {}): Promise<FakeAws> {
    const fake = new FakeAws(options);
    const server = createServer((request, response) => void fake.receive(request, response));
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  get endpoint(): string {
    if (!this.url) throw new Error('The fake AWS endpoint is not started');
    return this.url;
  }

  /** Client configuration that points a real SDK client here: endpoint, region, fake credentials. */
  clientConfig() {
    return { endpoint: this.endpoint, region: this.region, credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' } };
  }

  /** Answers `operation` of `service` (its signing name) with `handler`; replaces an earlier one. */
  on(service: string, operation: string, handler: FakeHandler): this {
    this.handlers.set(`${service}:${operation}`, handler);
    return this;
  }

  /** Adds a fault rule; the first rule that matches and fires decides a call's fault. Returns a function that removes it. */
  inject(rule: FaultRule): () => void {
    const entry = { ...rule, injected: 0 };
    this.faults.push(entry);
    return () => {
      const index = this.faults.indexOf(entry);
      if (index >= 0) this.faults.splice(index, 1);
    };
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The calls of one operation (optionally of one service). */
  callsOf(operation: string, service?: string): CallRecord[] {
    return this.calls.filter((call) => call.operation === operation && (service === undefined || call.service === service));
  }

  /** Closes the server and every open connection, stalled ones included. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private chooseFault(service: string, operation: string): FaultKind | undefined {
    for (const rule of this.faults) {
      if (rule.service !== undefined && rule.service !== service) continue;
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      if (rule.times !== undefined && rule.injected >= rule.times) continue;
      // Drawn for every matching rule, fired or not, so the sequence of draws depends only on the calls.
      const draw = this.random();
      if (draw >= (rule.probability ?? 1)) continue;
      rule.injected += 1;
      return rule.fault;
    }
    return undefined;
  }

  private async receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const service = signingService(request);
    const target = request.headers['x-amz-target'];
    let protocol: Protocol;
    let operation: string;
    let input: any;
    if (typeof target === 'string') {
      protocol = 'json';
      operation = target.slice(target.lastIndexOf('.') + 1);
      input = body ? JSON.parse(body) : {};
    } else {
      const form = Object.fromEntries(new URLSearchParams(body));
      protocol = service === 'ec2' ? 'ec2' : 'query';
      operation = form.Action ?? 'unknown';
      input = form;
    }
    const record: CallRecord = { seq: this.calls.length + 1, service, operation, protocol, input };
    this.calls.push(record);
    const fault = this.chooseFault(service, operation);
    if (fault) record.fault = fault;

    if (fault === 'stall') return;
    if (fault === 'reset') {
      request.socket.destroy();
      return;
    }
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (fault === 'throttle') {
      const throttle = { json: ['ThrottlingException', 400], ec2: ['RequestLimitExceeded', 503], query: ['Throttling', 400] } as const;
      const [code, status] = throttle[protocol];
      return this.fail(response, record, new FakeAwsError(code, 'Rate exceeded', status));
    }
    if (fault === 'server-error') return this.fail(response, record, new FakeAwsError('InternalFailure', 'We encountered an internal error. Please try again.', 500));

    const handler = this.handlers.get(`${service}:${operation}`);
    if (!handler) {
      return this.fail(response, record, new FakeAwsError(protocol === 'json' ? 'UnknownOperationException' : 'InvalidAction', `The fake endpoint has no handler for ${service}:${operation}`));
    }
    try {
      const output = await handler({ service, operation, protocol, input, seq: record.seq, random: this.random });
      record.status = 200;
      if (protocol === 'json') {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${record.seq}` });
        response.end(JSON.stringify(output ?? {}));
      } else if (protocol === 'ec2') {
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(`<${operation}Response><requestId>req-${record.seq}</requestId>${toXml(output, 'item')}</${operation}Response>`);
      } else {
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          `<${operation}Response><${operation}Result>${toXml(output, 'member')}</${operation}Result><ResponseMetadata><RequestId>req-${record.seq}</RequestId></ResponseMetadata></${operation}Response>`,
        );
      }
    } catch (error) {
      const answer = error instanceof FakeAwsError ? error : new FakeAwsError('InternalFailure', (error as Error).message, 500);
      this.fail(response, record, answer);
    }
  }

  private fail(response: ServerResponse, record: CallRecord, error: FakeAwsError): void {
    record.status = error.status;
    record.errorCode = error.code;
    if (record.protocol === 'json') {
      response.writeHead(error.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.code, 'x-amzn-requestid': `req-${record.seq}` });
      response.end(JSON.stringify({ __type: error.code, message: error.message }));
    } else if (record.protocol === 'ec2') {
      response.writeHead(error.status, { 'content-type': 'text/xml' });
      response.end(`<Response><Errors><Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>req-${record.seq}</RequestID></Response>`);
    } else {
      response.writeHead(error.status, { 'content-type': 'text/xml' });
      response.end(
        `<ErrorResponse><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>req-${record.seq}</RequestId></ErrorResponse>`,
      );
    }
  }
}
