import type { ConfigServiceClient, Evaluation as ConfigEvaluation } from '@aws-sdk/client-config-service';
import { DeadlineExceededError, EvaluationDeliveryError } from '../errors';
import { chunks, mapWithConcurrency } from '../aws/concurrency';
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

/**
 * Reports evaluations with the invocation's result token: full batches of 100, a bounded number
 * in flight, failed entries retried. Every batch is attempted even when one fails, and the error
 * names how many evaluations were not delivered, so nothing is lost silently.
 */
export async function reportEvaluations(client: ConfigServiceClient, resultToken: string, evaluations: readonly Evaluation[], options: ReportOptions = {}): Promise<number> {
  const { concurrency = 4, attempts = 3, pause = backoff, outOfTime = () => false } = options;
  const batches = chunks(evaluations.map(toConfigEvaluation), PUT_EVALUATIONS_BATCH);
  // A failed batch is kept, not thrown, so every other batch is still delivered.
  const outcomes = await mapWithConcurrency(batches, concurrency, (batch) =>
    deliverBatch(client, resultToken, batch, attempts, pause, outOfTime).then(
      () => undefined,
      (error: unknown) => ({ error }),
    ),
  );
  const errors = outcomes.flatMap((outcome) => (outcome ? [outcome.error] : []));
  if (errors.length > 0) {
    const messages = errors.map((error) => (error as Error).message);
    throw new EvaluationDeliveryError(`${errors.length} of ${batches.length} PutEvaluations batch(es) failed: ${messages.join('; ')}`, { cause: errors[0] });
  }
  return batches.length;
}
