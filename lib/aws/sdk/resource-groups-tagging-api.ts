// What driftwarden sends to this service. Loaded with import() on first use (lib/aws/client-config.ts), so it is a chunk of its own in the functions' bundles.
export { GetResourcesCommand, paginateGetResources, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
