// What driftwarden sends to this service. Loaded with import() on first use (lib/aws/client-config.ts), so it is a chunk of its own in the functions' bundles.
export { DescribeDBClustersCommand, DescribeDBInstancesCommand, paginateDescribeDBClusters, paginateDescribeDBInstances, RDSClient } from '@aws-sdk/client-rds';
