import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// dynalite ships no types; this is the one call it offers.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

/** A real DynamoDB API on loopback, in memory, for one test file. */
export class LocalDynamo {
  private server!: Server;
  client!: DynamoDBClient;
  endpoint!: string;

  async start(): Promise<void> {
    this.server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.client = new DynamoDBClient({
      endpoint: this.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  /** The dedup table's key schema, as deploy/alerts.yml declares it. */
  async createDedupTable(tableName: string): Promise<void> {
    await this.client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
