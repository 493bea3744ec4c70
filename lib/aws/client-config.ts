import type { Client } from '@smithy/types';
import type { NodeHttpHandlerOptions } from '@smithy/node-http-handler';

// How every SDK client is configured and when it is made. Apart from lib/aws/clients.ts (the
// clients of the catalogue's reads), so a function that never reads resources (the notifier)
// does not bundle the catalogue's SDK modules.

/** Attempts per call, the first included. */
export const DEFAULT_MAX_ATTEMPTS = 4;

export interface CallTimeouts {
  /** To open a connection: AWS endpoints accept one in milliseconds; longer means a network fault. */
  connectionMs: number;
  /** For one attempt, from sending to the last byte of the answer: the slowest call made (a 100-evaluation PutEvaluations, a 1,000-item page) answers in a few seconds. */
  requestMs: number;
}

export const DEFAULT_CALL_TIMEOUTS: CallTimeouts = { connectionMs: 3_000, requestMs: 10_000 };

/** The SDK's standard backoff caps each wait at 20 s, but from 100 ms doubling it stays under this for four attempts. */
const BACKOFF_BEFORE_LAST_ATTEMPT_MS = 100 * (2 ** (DEFAULT_MAX_ATTEMPTS - 1) - 1);

/**
 * How long one call can take when AWS never answers it: every attempt timing out, plus backoff.
 * Under a minute, so a stalled call ends an invocation loudly instead of holding it to its limit.
 */
export function worstCaseCallMs(timeouts: CallTimeouts = DEFAULT_CALL_TIMEOUTS, attempts = DEFAULT_MAX_ATTEMPTS): number {
  return attempts * timeouts.requestMs + BACKOFF_BEFORE_LAST_ATTEMPT_MS;
}

/**
 * The HTTP transport of every AWS client. `throwOnRequestTimeout` matters: without it the
 * handler only logs a warning when `requestTimeout` passes and keeps waiting for an answer.
 * Given as options, from which each client makes its own HTTP/1.1 handler: importing the handler's
 * class here would make every function compile it, and the SDK core behind it, at start. (Only the
 * Kinesis client would make an HTTP/2 handler of them; `AwsClients` gives it a handler.)
 */
export function timedRequestHandler(timeouts: CallTimeouts = DEFAULT_CALL_TIMEOUTS): NodeHttpHandlerOptions {
  return { connectionTimeout: timeouts.connectionMs, requestTimeout: timeouts.requestMs, throwOnRequestTimeout: true };
}

/** The name every SDK client gives the middleware that hands each call's input and output to its `logger`. */
const SDK_LOGGING_MIDDLEWARE = 'loggerMiddleware';

/**
 * Readies a client a sweep sends thousands of calls through (the catalogue's reads, the rule's
 * Config client), before its first call:
 * - its middleware stack is resolved once per command type instead of on every call (the SDK's
 *   `cacheMiddleware`), about a sixth of a small call's CPU (1.6 → 1.3 ms for an S3
 *   GetBucketEncryption); safe because nothing is added to or removed from the stack after the
 *   client's first call; not for a client under a DynamoDB document client, whose commands carry
 *   their input in the middleware they resolve;
 * - the SDK's logging middleware is removed: these clients are never given a logger, and it would
 *   still copy every input and output, sensitive fields masked, for the no-op one (a 1,000-item page
 *   copied in full).
 */
export function forManyCalls<C extends Client<any, any, any>>(client: C): C {
  client.middlewareStack.remove(SDK_LOGGING_MIDDLEWARE);
  (client.config as { cacheMiddleware?: boolean }).cacheMiddleware = true;
  return client;
}

/**
 * Configuration for an SDK client made outside AwsClients (the Config, DynamoDB, EventBridge, SNS,
 * SQS and CloudTrail clients of the functions and the CLI): the same timeouts, attempts and
 * adaptive retries. `overrides` wins (a region, a profile, a test endpoint).
 */
export function awsClientConfig<Overrides extends object>(overrides: Overrides = {} as Overrides) {
  return { maxAttempts: DEFAULT_MAX_ATTEMPTS, retryMode: 'adaptive' as const, requestHandler: timedRequestHandler(), ...overrides };
}

/**
 * Runs `create` on the first call and gives every caller its result. Every SDK client is made
 * this way, and its SDK module (lib/aws/sdk/) is loaded with import() inside `create`: a function
 * compiles and runs a service's SDK code only when it first calls that service (serverless.yml
 * splits each such module into its own chunk), so loading a handler stays cheap.
 */
export function onFirstUse<T>(create: () => Promise<T>): () => Promise<T> {
  let created: Promise<T> | undefined;
  return () => (created ??= create());
}

/** A service's SDK module (lib/aws/sdk/<service>.ts) with the client made from it. */
export type Service<Sdk, ServiceClient> = Sdk & { client: ServiceClient };
