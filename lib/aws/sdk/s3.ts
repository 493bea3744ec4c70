// What driftwarden sends to this service. Loaded with import() on first use (lib/aws/client-config.ts), so it is a chunk of its own in the functions' bundles.
export { DeleteBucketEncryptionCommand, GetBucketEncryptionCommand, paginateListBuckets, PutBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
