import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// dynalite ships no type declarations; this is the part of its API the tests use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createDynalite: (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server = require('dynalite');

export interface LocalDynamoDb {
  client: DynamoDBClient;
  /** For code under test that builds its own client (`AWS_ENDPOINT_URL_DYNAMODB`). */
  endpoint: string;
  stop(): Promise<void>;
}

/** A real DynamoDB API (dynalite) on a free loopback port, in memory. */
export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const server = createDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    client,
    endpoint,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A table keyed as the stack declares both of its tables (the alert dedup and the remediation audit): one string partition key `pk`. */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
