import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isConditionalCheckFailure } from '../aws/aws-errors';
import { documentsOnFirstUse, type DocumentsService } from '../aws/documents';
import { AuditStoreError } from '../errors';
import type { AuditLog, AuditRecord, UndoRecord } from './audit';

/** A run that still holds its record after this long died (the Lambda timeout is far shorter). */
const STALE_CLAIM_MS = 15 * 60_000;
/** Circuit-breaker counters are only read within their hour; DynamoDB's TTL removes them after a day. */
const BREAKER_TTL_SECONDS = 86_400;

/** Plans, results and undo calls are stored as JSON text: they nest deeply and may hold empty strings. */
const JSON_FIELDS = ['plan', 'result', 'undo', 'exemption', 'undone'] as const;

function toItem(record: AuditRecord): Record<string, unknown> {
  const item: Record<string, unknown> = { pk: record.auditId, kind: 'remediation' };
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    item[key] = (JSON_FIELDS as readonly string[]).includes(key) ? JSON.stringify(value) : value;
  }
  return item;
}

function fromItem(item: Record<string, unknown>): AuditRecord {
  const { pk: _pk, kind: _kind, ...rest } = item;
  for (const key of JSON_FIELDS) {
    if (typeof rest[key] === 'string') rest[key] = JSON.parse(rest[key] as string);
  }
  return rest as unknown as AuditRecord;
}


/** `2025-06-12T09`: the UTC clock hour the circuit breaker counts in. */
export function hourOf(now: Date): string {
  return now.toISOString().slice(0, 13);
}

/** The audit table: one item per remediation run, keyed by audit id, plus one counter item per hour. */
export class DynamoDbAuditLog implements AuditLog {
  private readonly documents: () => Promise<DocumentsService>;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.documents = documentsOnFirstUse(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async claim(record: AuditRecord, now: Date): Promise<boolean> {
    const documents = await this.documents();
    try {
      await documents.client.send(
        new documents.PutCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: 'attribute_not_exists(pk) OR #retryable = :true OR (#outcome = :inProgress AND #updatedAt < :staleBefore)',
          ExpressionAttributeNames: { '#retryable': 'retryable', '#outcome': 'outcome', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':true': true, ':inProgress': 'in-progress', ':staleBefore': new Date(now.getTime() - STALE_CLAIM_MS).toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw new AuditStoreError(`Cannot write audit record ${record.auditId} to ${this.tableName}: ${(error as Error).message}`, { cause: error });
    }
  }

  async save(record: AuditRecord): Promise<void> {
    const documents = await this.documents();
    try {
      await documents.client.send(new documents.PutCommand({ TableName: this.tableName, Item: toItem(record) }));
    } catch (error) {
      throw new AuditStoreError(`Cannot write audit record ${record.auditId} to ${this.tableName}: ${(error as Error).message}`, { cause: error });
    }
  }

  async get(auditId: string): Promise<AuditRecord | undefined> {
    const documents = await this.documents();
    try {
      const response = await documents.client.send(new documents.GetCommand({ TableName: this.tableName, Key: { pk: auditId }, ConsistentRead: true }));
      return response.Item && response.Item.kind === 'remediation' ? fromItem(response.Item) : undefined;
    } catch (error) {
      throw new AuditStoreError(`Cannot read audit record ${auditId} from ${this.tableName}: ${(error as Error).message}`, { cause: error });
    }
  }

  async markUndone(auditId: string, undone: UndoRecord): Promise<boolean> {
    const documents = await this.documents();
    try {
      await documents.client.send(
        new documents.UpdateCommand({
          TableName: this.tableName,
          Key: { pk: auditId },
          UpdateExpression: 'SET #undone = :undone, #updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#undone)',
          ExpressionAttributeNames: { '#undone': 'undone', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':undone': JSON.stringify(undone), ':at': undone.at },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw new AuditStoreError(`Cannot record the undo of ${auditId} in ${this.tableName}: ${(error as Error).message}`, { cause: error });
    }
  }

  async acquireLease(key: string, holder: string, now: Date, until: Date): Promise<boolean> {
    const documents = await this.documents();
    try {
      await documents.client.send(
        new documents.PutCommand({
          TableName: this.tableName,
          Item: { pk: `lease#${key}`, kind: 'lease', holder, leaseUntil: until.toISOString(), expiresAt: Math.floor(until.getTime() / 1000) + BREAKER_TTL_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk) OR #leaseUntil < :now OR #holder = :holder',
          ExpressionAttributeNames: { '#leaseUntil': 'leaseUntil', '#holder': 'holder' },
          ExpressionAttributeValues: { ':now': now.toISOString(), ':holder': holder },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw new AuditStoreError(`Cannot take the lease on ${key} in ${this.tableName}: ${(error as Error).message}`, { cause: error });
    }
  }

  async releaseLease(key: string, holder: string): Promise<void> {
    const documents = await this.documents();
    try {
      await documents.client.send(
        new documents.DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `lease#${key}` },
          ConditionExpression: '#holder = :holder',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailure(error)) return;
      throw new AuditStoreError(`Cannot release the lease on ${key} in ${this.tableName}: ${(error as Error).message}`, { cause: error });
    }
  }

  async reserveChange(now: Date, limit: number): Promise<boolean> {
    const documents = await this.documents();
    try {
      await documents.client.send(
        new documents.UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `breaker#${hourOf(now)}` },
          UpdateExpression: 'ADD #changes :one SET #expiresAt = :expiresAt, #kind = :kind',
          ConditionExpression: 'attribute_not_exists(#changes) OR #changes < :limit',
          ExpressionAttributeNames: { '#changes': 'changes', '#expiresAt': 'expiresAt', '#kind': 'kind' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expiresAt': Math.floor(now.getTime() / 1000) + BREAKER_TTL_SECONDS, ':kind': 'circuit-breaker' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw new AuditStoreError(`Cannot count a change in ${this.tableName}: ${(error as Error).message}`, { cause: error });
    }
  }
}
