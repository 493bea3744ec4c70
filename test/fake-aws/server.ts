import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
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

export type Protocol = 'json' | 'ec2' | 'query' | 'rest-xml' | 'rest-json';

/** What a handler sees of one call. */
export interface FakeCall {
  /** The SigV4 signing name: `config`, `ec2`, `secretsmanager`, `dynamodb`, `logs`, `kms`, `events`, `sns`, `rds`, `sts`… */
  service: string;
  operation: string;
  protocol: Protocol;
  /**
   * JSON protocols: the parsed body. Query protocols: the form fields, flat (`IpPermissions.1.IpProtocol`).
   * REST protocols: the path's labels (`Bucket`) and the query string's parameters, by their wire names
   * (`continuation-token`, `MaxItems`).
   */
  input: any;
  /** The call's position in the call log (1-based). */
  seq: number;
  /** A number in [0, 1) from the endpoint's seeded generator, for handlers that fail part of a call. */
  random(): number;
}

/**
 * An operation's answer. JSON protocols (REST-JSON too): the response object as the API documents
 * it. Query protocols: an object serialised to XML under `<OperationResponse>` (EC2) or
 * `<OperationResult>` (awsQuery), keys as wire names, arrays as `<item>` / `<member>` lists (an
 * `XmlList` names its entries). REST-XML: the whole document as an object of one key, the root
 * element (`{ ListAllMyBucketsResult: { … } }`), which gets the service's namespace.
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
 * - `server-error`: the protocol's HTTP 500 (InternalFailure; S3's InternalError, EFS's InternalServerError), retried.
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

/**
 * A list whose entries are `<itemName>` elements instead of the protocol's `<item>` / `<member>`:
 * RDS's `<DBInstance>`, S3's `<Bucket>`, a query map's `<entry>` (entries `{ key, value }`).
 */
export class XmlList {
  constructor(
    readonly itemName: string,
    readonly items: readonly unknown[],
  ) {}
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function toXml(value: unknown, listItem: string): string {
  if (value === undefined || value === null) return '';
  if (value instanceof XmlList) return value.items.map((entry) => `<${value.itemName}>${toXml(entry, listItem)}</${value.itemName}>`).join('');
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

/** The REST services spoken, by signing name: their protocol and, for XML, their documents' namespace. */
const REST_SERVICES: Record<string, { protocol: 'rest-xml' | 'rest-json'; xmlNamespace?: string }> = {
  s3: { protocol: 'rest-xml', xmlNamespace: 'http://s3.amazonaws.com/doc/2006-03-01/' },
  elasticfilesystem: { protocol: 'rest-json' },
};

/**
 * The REST operations spoken. A REST request names its operation only by method, path (labels
 * as named groups) and, for S3's sub-resources, a query key (`?encryption`); add a line to speak
 * another. S3 requests must arrive path-style (`/bucket/?encryption`): the SDK sends them so to an
 * IP endpoint, except for bucket names with dots, which need the client's `forcePathStyle: true`.
 */
const REST_ROUTES: readonly { service: string; method: string; path: RegExp; subresource?: string; operation: string }[] = [
  { service: 's3', method: 'GET', path: /^\/$/, operation: 'ListBuckets' },
  { service: 's3', method: 'GET', path: /^\/(?<Bucket>[^/]+)\/?$/, subresource: 'encryption', operation: 'GetBucketEncryption' },
  { service: 'elasticfilesystem', method: 'GET', path: /^\/2015-02-01\/file-systems$/, operation: 'DescribeFileSystems' },
];

/** The operation a REST request names and its input (path labels and query parameters); the operation is `METHOD /path` when no route matches. */
function restCall(service: string, request: IncomingMessage): { operation: string; input: Record<string, string> } {
  const url = new URL(request.url ?? '/', 'http://fake');
  const query = Object.fromEntries(url.searchParams);
  for (const route of REST_ROUTES) {
    if (route.service !== service || route.method !== request.method) continue;
    if (route.subresource !== undefined && !url.searchParams.has(route.subresource)) continue;
    const match = route.path.exec(url.pathname);
    if (!match) continue;
    const labels = Object.fromEntries(Object.entries(match.groups ?? {}).map(([label, value]) => [label, decodeURIComponent(value)]));
    return { operation: route.operation, input: { ...labels, ...query } };
  }
  return { operation: `${request.method} ${url.pathname}`, input: query };
}

type ErrorShape = readonly [code: string, status: number, message: string];

/** Each protocol's throttling error, as its services send it: S3 slows callers down with 503 SlowDown, EFS with 429. */
const THROTTLE: Record<Protocol, ErrorShape> = {
  json: ['ThrottlingException', 400, 'Rate exceeded'],
  ec2: ['RequestLimitExceeded', 503, 'Rate exceeded'],
  query: ['Throttling', 400, 'Rate exceeded'],
  'rest-xml': ['SlowDown', 503, 'Please reduce your request rate.'],
  'rest-json': ['ThrottlingException', 429, 'Rate exceeded'],
};

const SERVER_ERROR: Record<Protocol, ErrorShape> = {
  json: ['InternalFailure', 500, 'We encountered an internal error. Please try again.'],
  ec2: ['InternalFailure', 500, 'We encountered an internal error. Please try again.'],
  query: ['InternalFailure', 500, 'We encountered an internal error. Please try again.'],
  'rest-xml': ['InternalError', 500, 'We encountered an internal error. Please try again.'],
  'rest-json': ['InternalServerError', 500, 'We encountered an internal error. Please try again.'],
};

const UNKNOWN_OPERATION: Record<Protocol, readonly [code: string, status: number]> = {
  json: ['UnknownOperationException', 400],
  ec2: ['InvalidAction', 400],
  query: ['InvalidAction', 400],
  'rest-xml': ['NotImplemented', 501],
  'rest-json': ['UnknownOperationException', 400],
};

const protocolError = ([code, status, message]: ErrorShape) => new FakeAwsError(code, message, status);

function signingService(request: IncomingMessage): string {
  // Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ec2/aws4_request, ...
  const match = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(request.headers.authorization ?? '');
  return match?.[1] ?? 'unknown';
}

export class FakeAws {
  /** Every call received, in order of arrival. */
  readonly calls: CallRecord[] = [];
  readonly region: string;
  /**
   * Per-call latency in milliseconds, from a request's arrival to its answer, the endpoint's own work
   * included (as a service's latency includes its own); may be changed between calls. Stalls and
   * resets are not delayed.
   */
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
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const service = signingService(request);
    const target = request.headers['x-amz-target'];
    const rest = REST_SERVICES[service];
    let protocol: Protocol;
    let operation: string;
    let input: any;
    if (typeof target === 'string') {
      protocol = 'json';
      operation = target.slice(target.lastIndexOf('.') + 1);
      input = body ? JSON.parse(body) : {};
    } else if (rest) {
      protocol = rest.protocol;
      ({ operation, input } = restCall(service, request));
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
    const answer = await this.respond(record, fault, rest?.xmlNamespace);
    const remainingMs = this.latencyMs - (performance.now() - arrived);
    if (remainingMs > 0) await new Promise((resolve) => setTimeout(resolve, remainingMs));
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  }

  /** The answer to one call: a fault's error, the handler's output, or the error it threw. */
  private async respond(record: CallRecord, fault: FaultKind | undefined, xmlNamespace: string | undefined): Promise<WireResponse & { status: number }> {
    const { service, operation, protocol, input } = record;
    if (fault === 'throttle') return this.failure(record, protocolError(THROTTLE[protocol]));
    if (fault === 'server-error') return this.failure(record, protocolError(SERVER_ERROR[protocol]));
    const handler = this.handlers.get(`${service}:${operation}`);
    if (!handler) {
      const [code, status] = UNKNOWN_OPERATION[protocol];
      return this.failure(record, new FakeAwsError(code, `The fake endpoint has no handler for ${service}:${operation}`, status));
    }
    try {
      const output = await handler({ service, operation, protocol, input, seq: record.seq, random: this.random });
      record.status = 200;
      return { status: 200, ...successResponse(record, output, xmlNamespace) };
    } catch (error) {
      const [code, status] = SERVER_ERROR[protocol];
      return this.failure(record, error instanceof FakeAwsError ? error : new FakeAwsError(code, (error as Error).message, status));
    }
  }

  private failure(record: CallRecord, error: FakeAwsError): WireResponse & { status: number } {
    record.status = error.status;
    record.errorCode = error.code;
    return { status: error.status, ...errorResponse(record, error) };
  }
}

interface WireResponse {
  headers: OutgoingHttpHeaders;
  body: string;
}

function successResponse({ protocol, operation, seq }: CallRecord, output: unknown, xmlNamespace: string | undefined): WireResponse {
  switch (protocol) {
    case 'json':
      return { headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${seq}` }, body: JSON.stringify(output ?? {}) };
    case 'rest-json':
      return { headers: { 'content-type': 'application/json', 'x-amzn-requestid': `req-${seq}` }, body: JSON.stringify(output ?? {}) };
    case 'ec2':
      return { headers: { 'content-type': 'text/xml' }, body: `<${operation}Response><requestId>req-${seq}</requestId>${toXml(output, 'item')}</${operation}Response>` };
    case 'query':
      return {
        headers: { 'content-type': 'text/xml' },
        body: `<${operation}Response><${operation}Result>${toXml(output, 'member')}</${operation}Result><ResponseMetadata><RequestId>req-${seq}</RequestId></ResponseMetadata></${operation}Response>`,
      };
    case 'rest-xml': {
      const headers = { 'content-type': 'application/xml', 'x-amz-request-id': `req-${seq}` };
      if (output === undefined) return { headers, body: '' };
      const [[root, document]] = Object.entries(output as Record<string, unknown>) as [[string, unknown]];
      return { headers, body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${xmlNamespace}">${toXml(document, 'member')}</${root}>` };
    }
  }
}

function errorResponse({ protocol, seq }: CallRecord, error: FakeAwsError): WireResponse {
  const message = escapeXml(error.message);
  switch (protocol) {
    case 'json':
      return { headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.code, 'x-amzn-requestid': `req-${seq}` }, body: JSON.stringify({ __type: error.code, message: error.message }) };
    case 'rest-json':
      // EFS's errors carry ErrorCode and Message; the SDK reads the code from x-amzn-errortype.
      return { headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code, 'x-amzn-requestid': `req-${seq}` }, body: JSON.stringify({ ErrorCode: error.code, Message: error.message }) };
    case 'ec2':
      return { headers: { 'content-type': 'text/xml' }, body: `<Response><Errors><Error><Code>${error.code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-${seq}</RequestID></Response>` };
    case 'query':
      return {
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${error.code}</Code><Message>${message}</Message></Error><RequestId>req-${seq}</RequestId></ErrorResponse>`,
      };
    case 'rest-xml':
      // S3's error document, unlike its results, has no namespace.
      return {
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': `req-${seq}` },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${message}</Message><RequestId>req-${seq}</RequestId><HostId>fake-host-${seq}</HostId></Error>`,
      };
  }
}
