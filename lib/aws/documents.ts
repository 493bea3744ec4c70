import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, TranslateConfig } from '@aws-sdk/lib-dynamodb';
import { onFirstUse, type Service } from './client-config';

// Apart from client-config.ts: a function bundles the document client's chunk only if it imports this.

/** The DynamoDB document commands with a document client over a table's client: the audit log's and the alert dedup store's. */
export type DocumentsService = Service<typeof import('./sdk/dynamodb-documents'), DynamoDBDocumentClient>;

/** A document client over `client`, made (and its SDK module loaded) on first use. */
export function documentsOnFirstUse(client: DynamoDBClient, translate?: TranslateConfig): () => Promise<DocumentsService> {
  return onFirstUse(async () => {
    const sdk = await import('./sdk/dynamodb-documents');
    return { ...sdk, client: sdk.DynamoDBDocumentClient.from(client, translate) };
  });
}
