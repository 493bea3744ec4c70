import type { ConfigServiceClient, Evaluation as ConfigEvaluation } from '@aws-sdk/client-config-service';
import { DeadlineExceededError, EvaluationDeliveryError } from '../errors';
import type { Evaluation } from '../evaluate';

/** PutEvaluations accepts at most 100 evaluations per call. */
export const PUT_EVALUATIONS_BATCH = 100;

export interface ReportOptions {
  /** Batches in flight at once. */
  concurrency?: number;
  /** Attempts per batch for evaluations Config returns as failed (throttling is retried by the SDK itself). */
  attempts?: number;
  /** Waits between attempts; injected so tests do not sleep. */
  pause?: (attempt: number) => Promise<void>;
  /** True once too little time is left to start another call; batches not started by then are reported as undelivered. */
  outOfTime?: () => boolean;
}

const backoff = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, 100 * 2 ** attempt));

export function toConfigEvaluation(evaluation: Evaluation): ConfigEvaluation {
  return {
    ComplianceResourceType: evaluation.resourceType,
    ComplianceResourceId: evaluation.resourceId,
    ComplianceType: evaluation.compliance,
    // Config rejects an empty annotation; an absent one is fine.
    ...(evaluation.annotation !== '' && { Annotation: evaluation.annotation }),
    OrderingTimestamp: new Date(evaluation.orderingTimestamp),
  };
}

function evaluationKey(evaluation: ConfigEvaluation): string {
  return `${evaluation.ComplianceResourceType}\u0000${evaluation.ComplianceResourceId}`;
}

async function deliverBatch(client: ConfigServiceClient, resultToken: string, batch: ConfigEvaluation[], attempts: number, pause: (attempt: number) => Promise<void>, outOfTime: () => boolean): Promise<void> {
  const { PutEvaluationsCommand } = await import('../aws/sdk/config-service');
  let pending = batch;
  for (let attempt = 1; ; attempt += 1) {
    if (outOfTime()) throw new DeadlineExceededError(`${pending.length} evaluation(s) not sent: the invocation ran out of time`);
    const { FailedEvaluations: failed = [] } = await client.send(new PutEvaluationsCommand({ ResultToken: resultToken, Evaluations: pending }));
    if (failed.length === 0) return;
    const failedKeys = new Set(failed.map(evaluationKey));
    pending = pending.filter((evaluation) => failedKeys.has(evaluationKey(evaluation)));
    if (attempt >= attempts) {
      const sample = pending.slice(0, 5).map((evaluation) => evaluation.ComplianceResourceId).join(', ');
      throw new EvaluationDeliveryError(`AWS Config did not accept ${pending.length} evaluation(s) after ${attempts} attempts (${sample})`);
    }
    await pause(attempt);
  }
}

/** Evaluations handed over as they are decided, delivered in batches while the rest is still being read. */
export interface EvaluationReporter {
  /** Queues evaluations; each full batch of 100 is sent at once, at most `concurrency` in flight. */
  add(evaluations: readonly Evaluation[]): void;
  /**
   * Sends what is left (one last, partial batch) and waits for every batch. Every batch is attempted
   * even when one fails; the error names how many were not delivered, so nothing is lost silently.
   * Resolves to the number of batches.
   */
  finish(): Promise<number>;
}

/**
 * Reports evaluations with the invocation's result token while a sweep goes on: a batch leaves as
 * soon as 100 evaluations are decided instead of after the last page is read, so the delivery of a
 * sweep's verdicts overlaps its reading. Batches stay full (the fewest PutEvaluations calls).
 */
export function startReporting(client: ConfigServiceClient, resultToken: string, options: ReportOptions = {}): EvaluationReporter {
  const { concurrency = 4, attempts = 3, pause = backoff, outOfTime = () => false } = options;
  let pending: ConfigEvaluation[] = [];
  const queued: ConfigEvaluation[][] = [];
  const errors: unknown[] = [];
  let batches = 0;
  let inFlight = 0;
  let settled: (() => void) | undefined;
  const sendQueued = () => {
    while (inFlight < concurrency && queued.length > 0) {
      const batch = queued.shift()!;
      inFlight += 1;
      // A failed batch is kept, not thrown, so every other batch is still delivered.
      void deliverBatch(client, resultToken, batch, attempts, pause, outOfTime)
        .catch((error: unknown) => {
          errors.push(error);
        })
        .finally(() => {
          inFlight -= 1;
          sendQueued();
          if (inFlight === 0 && queued.length === 0) settled?.();
        });
    }
  };
  const enqueue = (batch: ConfigEvaluation[]) => {
    batches += 1;
    queued.push(batch);
    sendQueued();
  };
  return {
    add(evaluations) {
      for (const evaluation of evaluations) {
        pending.push(toConfigEvaluation(evaluation));
        if (pending.length === PUT_EVALUATIONS_BATCH) {
          enqueue(pending);
          pending = [];
        }
      }
    },
    async finish() {
      if (pending.length > 0) {
        enqueue(pending);
        pending = [];
      }
      if (inFlight > 0 || queued.length > 0) await new Promise<void>((resolve) => (settled = resolve));
      if (errors.length > 0) {
        const messages = errors.map((error) => (error as Error).message);
        throw new EvaluationDeliveryError(`${errors.length} of ${batches} PutEvaluations batch(es) failed: ${messages.join('; ')}`, { cause: errors[0] });
      }
      return batches;
    },
  };
}

/** Reports evaluations already decided: full batches of 100, a bounded number in flight, failed entries retried. */
export async function reportEvaluations(client: ConfigServiceClient, resultToken: string, evaluations: readonly Evaluation[], options: ReportOptions = {}): Promise<number> {
  const reporter = startReporting(client, resultToken, options);
  reporter.add(evaluations);
  return reporter.finish();
}
