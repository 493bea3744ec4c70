import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postToSlack, retryAfterMs, type SlackDeliveryOptions } from '../../lib/alerts/slack-delivery';
import { renderSlack, renderSlackDigest, type SlackMessage } from '../../lib/alerts/slack';
import { AlertDeliveryError } from '../../lib/errors';
import { alertOf, enrichedSecurityGroupAlert, manySecurityGroupEvents } from './alert-fixtures';

interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  body: any;
}

type Reply = (response: ServerResponse) => void;

/** A webhook endpoint on loopback that answers each request with the next scripted reply. */
class FakeSlack {
  readonly received: Received[] = [];
  private server!: Server;
  private replies: Reply[] = [];

  async start(): Promise<void> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', () => {
        this.received.push({ method: request.method ?? '', path: request.url ?? '', contentType: request.headers['content-type'], body: JSON.parse(text) });
        const reply = this.replies.shift() ?? ((res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('ok'));
        reply(response);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  script(...replies: Reply[]): void {
    this.replies = replies;
  }

  /** The path is where Slack's webhook URL keeps its secret. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/T0001/B0002/SECRETTOKENxyz`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const status = (code: number, body: string, headers: Record<string, string> = {}): Reply => (response) => response.writeHead(code, headers).end(body);
const silence: Reply = () => undefined;

const slack = new FakeSlack();
let slept: number[];
let options: SlackDeliveryOptions;
let message: SlackMessage;

beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => {
  slack.received.length = 0;
  slept = [];
  options = { timeoutMs: 5000, maxAttempts: 3, baseDelayMs: 1000, maxRetryAfterMs: 60_000, sleep: async (ms) => void slept.push(ms) };
  message = renderSlack(enrichedSecurityGroupAlert());
});

describe('Alerts: Slack delivery over HTTP', () => {
  it('posts the text fallback and the blocks as JSON', async () => {
    await expect(postToSlack(slack.url, message, options)).resolves.toEqual({ attempts: 1 });
    expect(slack.received).toEqual([
      { method: 'POST', path: '/services/T0001/B0002/SECRETTOKENxyz', contentType: 'application/json', body: { text: message.text, blocks: message.blocks } },
    ]);
    expect(slept).toEqual([]);
  });

  const clock = new Date('2025-06-12T10:00:00Z');
  it.each([
    ['seconds', '7', 7000],
    ['an HTTP date', new Date(clock.getTime() + 30_000).toUTCString(), 30_000],
  ])('waits the Retry-After of a 429 given in %s, then delivers', async (_form, retryAfter, wait) => {
    slack.script(status(429, 'rate_limited', { 'retry-after': retryAfter }));
    await expect(postToSlack(slack.url, message, { ...options, now: () => clock })).resolves.toEqual({ attempts: 2 });
    expect(slept).toEqual([wait]);
    expect(slack.received).toHaveLength(2);
  });

  it('retries 500 and 503 with exponential back-off until Slack accepts', async () => {
    slack.script(status(500, 'internal_error'), status(503, 'service_unavailable'));
    await expect(postToSlack(slack.url, message, options)).resolves.toEqual({ attempts: 3 });
    expect(slept).toEqual([1000, 2000]);
  });

  it('gives up after the last attempt and says why', async () => {
    slack.script(status(500, 'a'), status(502, 'b'), status(503, 'c'));
    await expect(postToSlack(slack.url, message, options)).rejects.toThrow(
      new AlertDeliveryError('Slack did not accept the message after 3 attempts: HTTP 503 c'),
    );
  });

  it('times out a webhook that never answers, retries, then fails', async () => {
    slack.script(silence, silence, silence);
    await expect(postToSlack(slack.url, message, { ...options, timeoutMs: 150 })).rejects.toThrow('Slack did not accept the message after 3 attempts: no answer within 150 ms');
    expect(slack.received).toHaveLength(3);
    expect(slept).toEqual([1000, 2000]);
  });

  it('fails at once on a 4xx other than 429: retrying a revoked webhook or a bad message cannot help', async () => {
    slack.script(status(404, 'no_service'));
    await expect(postToSlack(slack.url, message, options)).rejects.toThrow('Slack refused the message: HTTP 404 no_service');
    expect(slack.received).toHaveLength(1);
  });

  it('does not wait for a Retry-After beyond the limit: the caller dead-letters the alert', async () => {
    slack.script(status(429, 'rate_limited', { 'retry-after': '3600' }));
    await expect(postToSlack(slack.url, message, options)).rejects.toThrow('Slack rate-limited the webhook for 3600 s, longer than we wait');
    expect(slept).toEqual([]);
  });

  it('stops retrying when the wait would pass the deadline, leaving time to dead-letter the message', async () => {
    slack.script(status(429, 'rate_limited', { 'retry-after': '20' }));
    const deadline = new Date(Date.now() + 10_000);
    await expect(postToSlack(slack.url, message, { ...options, deadline })).rejects.toThrow(
      'Slack did not accept the message (HTTP 429 rate_limited) and waiting 20 s more would pass the deadline',
    );
    expect(slept).toEqual([]);
  });

  it('never puts the webhook URL in an error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = slack.url.replace(/:\d+\//, `:${closedPort}/`);
    const errors = await Promise.all([
      postToSlack(refused, message, { ...options, maxAttempts: 1 }).catch((error: Error) => error),
      postToSlack('not a url/SECRETTOKENxyz', message, options).catch((error: Error) => error),
      postToSlack('http://hooks.example.com/services/SECRETTOKENxyz', message, options).catch((error: Error) => error),
    ]);
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'Slack did not accept the message after 1 attempts: request failed (ECONNREFUSED)',
      'The Slack webhook URL is not a valid URL',
      'The Slack webhook URL must use https',
    ]);
    for (const error of errors) expect(JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack })).not.toContain('SECRETTOKEN');
  });

  it('delivers the digest of 300 findings as one request', async () => {
    const digest = renderSlackDigest(manySecurityGroupEvents(300).map((event) => alertOf(event)), 20);
    await postToSlack(slack.url, digest, options);
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]?.body.blocks.length).toBeLessThanOrEqual(50);
    expect(slack.received[0]?.body.text).toMatch(/^driftwarden digest: 300 alerts/);
  });
});

describe('Alerts: Retry-After', () => {
  const now = new Date('2025-06-12T10:00:00Z');
  it.each([
    ['30', 30_000],
    ['0', 0],
    ['Thu, 12 Jun 2025 10:00:45 GMT', 45_000],
    ['Thu, 12 Jun 2025 09:59:00 GMT', 0],
    ['soon', undefined],
    [null, undefined],
  ])('reads %p as %p ms', (header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });
});
