import type { Repository } from '@aws-sdk/client-ecr';
import { accountFromArn, pages, TAGGING_PAGE_SIZE, regionTags, tagsOf, unlessGone, type Tags } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type EncryptionProperties, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asArray, asObject, asString, withoutUndefined } from '../lib/sources/values';
import { encryptionKeySubjects } from './shared';

const PAGE_SIZE = 1000;

/** ECR always encrypts: AES256 (Amazon S3 managed keys) unless the repository was created with KMS. */
function encryption(encryptionType: string | undefined, kmsKey: string | undefined): EncryptionProperties {
  return encryptionType && encryptionType !== 'AES256' ? withoutUndefined({ encrypted: true, algorithm: encryptionType, kmsKeyId: kmsKey }) : { encrypted: true, algorithm: 'AES256' };
}

function fromApi(repository: Repository, tags: Tags, context: LiveContext): TypedResource<'AWS::ECR::Repository', EncryptionProperties> {
  return withoutUndefined({
    type: 'AWS::ECR::Repository' as const,
    id: repository.repositoryName!,
    name: repository.repositoryName,
    arn: repository.repositoryArn,
    accountId: repository.registryId ?? accountFromArn(repository.repositoryArn) ?? context.accountId,
    region: context.region,
    tags,
    properties: encryption(repository.encryptionConfiguration?.encryptionType, repository.encryptionConfiguration?.kmsKey),
  });
}

export default defineResourceType({
  type: 'AWS::ECR::Repository',
  label: 'ECR repository',
  securityHubType: 'AwsEcrRepository',
  recordedByConfig: true,
  fromConfigItem(configuration, item) {
    const settings = asObject(configuration.EncryptionConfiguration);
    return { name: item.resourceName ?? asString(configuration.RepositoryName), properties: encryption(asString(settings.EncryptionType), asString(settings.KmsKey)) };
  },
  live: {
    permissions: ['ecr:DescribeRepositories', 'tag:GetResources'],
    pageSizes: { 'ECR:DescribeRepositories': PAGE_SIZE, 'ResourceGroupsTaggingAPI:GetResources': TAGGING_PAGE_SIZE },
    async *list(clients, context) {
      const tagsForPage = regionTags(clients, 'ecr:repository');
      const ecr = await clients.ecr();
      for await (const page of ecr.paginateDescribeRepositories({ client: ecr.client }, { maxResults: PAGE_SIZE })) {
        const repositories = page.repositories ?? [];
        const tags = await tagsForPage(repositories);
        yield repositories.filter((repository) => repository.repositoryName).map((repository) => fromApi(repository, (repository.repositoryArn && tags.get(repository.repositoryArn)) || {}, context));
      }
    },
    read: (clients, id, context) =>
      unlessGone(['RepositoryNotFoundException'], async () => {
        const ecr = await clients.ecr();
        const repository = (await ecr.client.send(new ecr.DescribeRepositoriesCommand({ repositoryNames: [id] }))).repositories?.[0];
        return repository && fromApi(repository, repository.repositoryArn ? await tagsOf(clients, repository.repositoryArn) : {}, context);
      }),
    minimumCalls: ({ resources, tagged }) => ({
      'ECR:DescribeRepositories': pages(resources, PAGE_SIZE),
      ...(resources > 0 && { 'ResourceGroupsTaggingAPI:GetResources': pages(tagged ?? resources, TAGGING_PAGE_SIZE) }),
    }),
  },
  terraform: {
    resources: {
      aws_ecr_repository(instance) {
        // An empty encryption_configuration list is the default: AES256.
        const settings = asObject(asArray(instance.values.encryption_configuration)[0]);
        const unknownSettings = asObject(asArray(instance.unknown.encryption_configuration)[0]);
        return {
          name: asString(instance.values.name),
          properties: encryption(asString(settings.encryption_type), asString(settings.kms_key)),
          unknown: unknownSettings.kms_key === true ? ['kmsKeyId'] : [],
        };
      },
    },
    key: (values) => asString(values.name) ?? asString(values.id),
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  consoleUrl: ({ region, accountId, resourceId }) => `${consoleHost(region)}/ecr/repositories/private/${accountId}/${resourceId}?region=${region}`,
  arn: ({ region, accountId, resourceId }) => `arn:aws:ecr:${region}:${accountId}:repository/${resourceId}`,
});
