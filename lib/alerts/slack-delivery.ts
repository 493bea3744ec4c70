import { IncomingWebhook, IncomingWebhookHTTPError, type FetchFunction } from '@slack/webhook';
import { AlertDeliveryError } from '../errors';
import type { SlackMessage } from './slack';

export interface SlackDeliveryOptions {
  /** Per request: a webhook that never answers must not hold the alert. */
  timeoutMs: number;
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** First back-off after a 5xx or a network error; doubles each time. */
  baseDelayMs: number;
  /** A Retry-After longer than this is not waited for: the alert goes to the dead-letter queue instead. */
  maxRetryAfterMs: number;
  /** No wait may end after this: the caller needs the time left to dead-letter the message. */
  deadline?: Date;
  sleep(ms: number): Promise<void>;
  /** The clock an HTTP-date Retry-After and the deadline are measured against; injected so tests need no real time. */
  now?: () => Date;
}

export const DEFAULT_SLACK_DELIVERY: Omit<SlackDeliveryOptions, 'sleep'> = {
  timeoutMs: 10_000,
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxRetryAfterMs: 60_000,
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A webhook URL must be https (plain http only to this machine, for local checks). The error never
 * repeats the URL: it is a secret.
 */
function checkWebhookUrl(webhookUrl: string): void {
  let url: URL;
  try {
    url = new URL(webhookUrl);
  } catch {
    throw new AlertDeliveryError('The Slack webhook URL is not a valid URL');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new AlertDeliveryError('The Slack webhook URL must use https');
  }
}

/** Seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/**
 * Why a request got no answer, in words that cannot contain the webhook URL: only error names and
 * codes are read, never messages (a URL parser's message quotes the URL).
 */
function requestProblem(error: unknown, timeoutMs: number): string {
  const name = (error as Error | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = ((error as Error | undefined)?.cause as { code?: unknown } | undefined)?.code;
  return `request failed (${typeof code === 'string' ? code : (name ?? 'unknown error')})`;
}

export interface SlackDeliveryReport {
  attempts: number;
}

/**
 * Posts one message to an incoming webhook, retrying what Slack asks us to retry: 429 after its
 * Retry-After, 5xx and network failures and timeouts with exponential back-off. Other 4xx (a
 * revoked webhook, a malformed message) fail at once. Errors never contain the webhook URL.
 */
export async function postToSlack(webhookUrl: string, message: SlackMessage, options: SlackDeliveryOptions): Promise<SlackDeliveryReport> {
  checkWebhookUrl(webhookUrl);
  const clock = options.now ?? (() => new Date());
  // @slack/webhook reports the status but not the headers, and wraps network errors: our fetch
  // keeps Retry-After and the reason a request got no answer.
  let lastRetryAfter: string | null = null;
  let lastRequestProblem = '';
  const fetchKeepingRetryAfter: FetchFunction = async (url, init) => {
    try {
      const response = await fetch(url, init);
      lastRetryAfter = response.headers.get('retry-after');
      return response;
    } catch (error) {
      lastRequestProblem = requestProblem(error, options.timeoutMs);
      throw error;
    }
  };
  const webhook = new IncomingWebhook(webhookUrl, { timeout: options.timeoutMs, retryConfig: { retries: 0 }, fetch: fetchKeepingRetryAfter });
  let lastProblem = '';
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    lastRetryAfter = null;
    lastRequestProblem = 'request failed';
    let waitMs: number;
    try {
      await webhook.send({ text: message.text, blocks: message.blocks });
      return { attempts: attempt };
    } catch (error) {
      if (error instanceof IncomingWebhookHTTPError) {
        lastProblem = `HTTP ${error.statusCode}${error.body ? ` ${error.body.slice(0, 100)}` : ''}`;
        const retryable = error.statusCode === 429 || error.statusCode >= 500;
        if (!retryable) throw new AlertDeliveryError(`Slack refused the message: ${lastProblem}`, { cause: error });
        const asked = error.statusCode === 429 ? retryAfterMs(lastRetryAfter, clock()) : undefined;
        if (asked !== undefined && asked > options.maxRetryAfterMs) {
          throw new AlertDeliveryError(`Slack rate-limited the webhook for ${Math.ceil(asked / 1000)} s, longer than we wait`, { cause: error });
        }
        waitMs = asked ?? options.baseDelayMs * 2 ** (attempt - 1);
      } else {
        lastProblem = lastRequestProblem;
        waitMs = options.baseDelayMs * 2 ** (attempt - 1);
      }
    }
    if (attempt < options.maxAttempts) {
      if (options.deadline && clock().getTime() + waitMs > options.deadline.getTime()) {
        throw new AlertDeliveryError(`Slack did not accept the message (${lastProblem}) and waiting ${Math.ceil(waitMs / 1000)} s more would pass the deadline`);
      }
      await options.sleep(waitMs);
    }
  }
  throw new AlertDeliveryError(`Slack did not accept the message after ${options.maxAttempts} attempts: ${lastProblem}`);
}
