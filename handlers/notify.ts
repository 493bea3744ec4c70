import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { worstCaseCallMs } from '../lib/aws/client-config';
import { createNotifierClients, deployedNotifier, eventsFromQueue } from '../lib/alerts/deployed';
import { notify } from '../lib/alerts/notifier';
import { RULES } from '../rules';

/** Time kept back to dead-letter what is still undelivered before Lambda stops the invocation: one call that is never answered, retries included, and a little more. */
const SAFETY_MARGIN_MS = worstCaseCallMs() + 5_000;

const logger = new Logger();
const notifier = deployedNotifier(RULES, createNotifierClients(), logger);

/** Compliance changes and remediation events, batched by SQS, out as email and Slack messages. */
export const handler = middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const deadline = new Date(Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
  const report = await notify(eventsFromQueue(event.Records), await notifier.dependencies(deadline));
  return { batchItemFailures: report.failedRecordIds.map((itemIdentifier) => ({ itemIdentifier })) };
}).use(injectLambdaContext(logger));
