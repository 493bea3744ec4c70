// What driftwarden sends to this service. Loaded with import() on first use (lib/aws/client-config.ts), so it is a chunk of its own in the functions' bundles.
export { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
