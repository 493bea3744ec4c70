import type { Client, HandlerExecutionContext, InitializeHandler, FinalizeHandler } from '@smithy/types';

/** `EC2:DescribeVpcs`, from the client and command names the SDK puts in the handler context. */
function operationKey(context: HandlerExecutionContext): string {
  const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
  const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
  return `${service}:${operation}`;
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function sorted(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function sum(counts: Map<string, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}

/**
 * Counts the API calls SDK clients make, by operation, through two middlewares: one per call as the
 * caller sees it, one per HTTP attempt (retries after throttling included), so a test or the
 * benchmark can compare what a sweep did with the minimum it needs.
 */
export class ApiCallCounter {
  private readonly callCounts = new Map<string, number>();
  private readonly attemptCounts = new Map<string, number>();

  instrument(client: Client<any, any, any>): void {
    client.middlewareStack.add(
      (next: InitializeHandler<any, any>, context: HandlerExecutionContext) => async (args) => {
        increment(this.callCounts, operationKey(context));
        return next(args);
      },
      { step: 'initialize', name: 'driftwardenCallCounter', override: true },
    );
    // The retry middleware is a high-priority finalizeRequest step; a low-priority one runs inside it, once per attempt.
    client.middlewareStack.add(
      (next: FinalizeHandler<any, any>, context: HandlerExecutionContext) => async (args) => {
        increment(this.attemptCounts, operationKey(context));
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'driftwardenAttemptCounter', override: true },
    );
  }

  /** Calls by operation (`{ "EC2:DescribeVpcs": 3 }`), as the code made them. */
  calls(): Record<string, number> {
    return sorted(this.callCounts);
  }

  /** HTTP requests by operation: calls plus their retries. */
  attempts(): Record<string, number> {
    return sorted(this.attemptCounts);
  }

  totalCalls(): number {
    return sum(this.callCounts);
  }

  totalAttempts(): number {
    return sum(this.attemptCounts);
  }

  reset(): void {
    this.callCounts.clear();
    this.attemptCounts.clear();
  }
}
