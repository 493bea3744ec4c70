import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { isConditionalCheckFailure } from '../aws/aws-errors';
import { documentsOnFirstUse, type DocumentsService } from '../aws/documents';
import type { Alert } from './alert';

/**
 * Remembers what was announced, so EventBridge's at-least-once delivery and AWS Config re-sending
 * an unchanged verdict do not reach people twice.
 *
 * DynamoDB, because a conditional put decides "first time?" atomically across concurrent Lambda
 * invocations (SQS hands a burst to several at once), TTL forgets entries after the dedup window
 * at no cost, and the table is serverless like the rest of the stack.
 */
export interface DedupStore {
  /**
   * Claims an event for delivery. False when it was already delivered, or another invocation holds a
   * live claim. A claim whose holder died (lease expired) can be taken over, so a crash loses nothing.
   */
  claimEvent(eventId: string, now: Date): Promise<boolean>;
  /** Gives up a claim whose record goes back to the queue, so the redelivery is not taken for a repeat. */
  releaseEvent(eventId: string): Promise<void>;
  /** Marks a claimed event as delivered (or dead-lettered): repeats are dropped until the window ends. */
  completeEvent(eventId: string, now: Date): Promise<void>;
  /**
   * Records the announced state of a finding. False when the same state was already announced within
   * the window by another event; the same event retrying counts as new, so a retry is not suppressed.
   */
  recordFindingState(alert: Alert, now: Date): Promise<boolean>;
}

export interface DynamoDedupOptions {
  tableName: string;
  windowSeconds: number;
  /** How long a claim stays exclusive: longer than one notifier invocation can run. */
  leaseSeconds: number;
}

const epochSeconds = (time: Date): number => Math.floor(time.getTime() / 1000);

/** What "unchanged" compares: the verdict and what it says, not when it was observed. */
function findingState(alert: Alert): string {
  return createHash('sha256')
    .update(`${alert.compliance ?? ''}\n${alert.annotation ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

function findingKey(alert: Pick<Alert, 'configRuleName' | 'resourceType' | 'resourceId' | 'accountId' | 'region'>): string {
  return `finding#${alert.accountId}#${alert.region}#${alert.configRuleName}#${alert.resourceType}#${alert.resourceId}`;
}

export class DynamoDedupStore implements DedupStore {
  private readonly documents: () => Promise<DocumentsService>;

  constructor(
    client: DynamoDBClient,
    private readonly options: DynamoDedupOptions,
  ) {
    this.documents = documentsOnFirstUse(client);
  }

  async claimEvent(eventId: string, now: Date): Promise<boolean> {
    const nowSeconds = epochSeconds(now);
    return this.conditionalPut(
      {
        pk: `event#${eventId}`,
        status: 'claimed',
        leaseUntil: nowSeconds + this.options.leaseSeconds,
        expiresAt: nowSeconds + this.options.windowSeconds,
      },
      // TTL deletes lazily, so an expired entry may still be there: it counts as absent.
      'attribute_not_exists(pk) OR expiresAt < :now OR (#status = :claimed AND leaseUntil < :now)',
      { ':now': nowSeconds, ':claimed': 'claimed' },
      { '#status': 'status' },
    );
  }

  async releaseEvent(eventId: string): Promise<void> {
    const documents = await this.documents();
    try {
      await documents.client.send(
        new documents.DeleteCommand({
          TableName: this.options.tableName,
          Key: { pk: `event#${eventId}` },
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': 'claimed' },
        }),
      );
    } catch (error) {
      // Already completed by the delivery that holds it: nothing to give up.
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }

  async completeEvent(eventId: string, now: Date): Promise<void> {
    const documents = await this.documents();
    await documents.client.send(
      new documents.UpdateCommand({
        TableName: this.options.tableName,
        Key: { pk: `event#${eventId}` },
        UpdateExpression: 'SET #status = :done, expiresAt = :expiresAt REMOVE leaseUntil',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done', ':expiresAt': epochSeconds(now) + this.options.windowSeconds },
      }),
    );
  }

  async recordFindingState(alert: Alert, now: Date): Promise<boolean> {
    const nowSeconds = epochSeconds(now);
    const state = findingState(alert);
    return this.conditionalPut(
      { pk: findingKey(alert), state, eventId: alert.eventId, expiresAt: nowSeconds + this.options.windowSeconds },
      'attribute_not_exists(pk) OR expiresAt < :now OR #state <> :state OR eventId = :eventId',
      { ':now': nowSeconds, ':state': state, ':eventId': alert.eventId },
      { '#state': 'state' },
    );
  }

  private async conditionalPut(
    item: Record<string, unknown>,
    condition: string,
    values: Record<string, unknown>,
    names: Record<string, string>,
  ): Promise<boolean> {
    const documents = await this.documents();
    try {
      await documents.client.send(
        new documents.PutCommand({
          TableName: this.options.tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ExpressionAttributeNames: names,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }
}
