import type { ManualRunbook } from './plan';

/**
 * Step-by-step commands for storage that AWS cannot encrypt in place. Each uses the resource's real
 * identifiers and reads the rest (subnet group, security groups, engine…) from AWS with a query, so
 * the commands run as printed; the cut-over is the only step that needs a maintenance window.
 */

interface RunbookTarget {
  /** The identifier the CLI takes: DB instance/cluster identifier, volume id, file system id. */
  identifier: string;
  region?: string;
  /** A key ARN or alias; undefined = the service's AWS managed key. */
  kmsKeyId?: string;
}

/** Adds `--region` to plain `aws …` lines; lines that capture output already carry it inside `$(…)`. */
function withRegion(region: string | undefined): (command: string) => string {
  return (command) => (region && command.startsWith('aws ') ? `${command} --region ${region}` : command);
}

export function rdsInstanceRunbook({ identifier: id, region, kmsKeyId }: RunbookTarget): ManualRunbook {
  const cli = withRegion(region);
  return {
    reason: `RDS cannot encrypt the storage of an existing instance: ${id} must be restored from an encrypted snapshot copy and cut over.`,
    commands: [
      `# 1. Snapshot ${id} (stop writes first if the cut-over must not lose any)`,
      `aws rds create-db-snapshot --db-instance-identifier ${id} --db-snapshot-identifier ${id}-pre-encryption`,
      `aws rds wait db-snapshot-available --db-snapshot-identifier ${id}-pre-encryption`,
      `# 2. Copy the snapshot, encrypted`,
      `aws rds copy-db-snapshot --source-db-snapshot-identifier ${id}-pre-encryption --target-db-snapshot-identifier ${id}-encrypted --kms-key-id ${kmsKeyId ?? 'alias/aws/rds'}`,
      `aws rds wait db-snapshot-available --db-snapshot-identifier ${id}-encrypted`,
      `# 3. Restore a new instance from the copy, in the same subnet group and security groups, with the same class`,
      `SUBNET_GROUP=$(aws rds describe-db-instances --db-instance-identifier ${id} --query 'DBInstances[0].DBSubnetGroup.DBSubnetGroupName' --output text${region ? ` --region ${region}` : ''})`,
      `SECURITY_GROUPS=$(aws rds describe-db-instances --db-instance-identifier ${id} --query 'DBInstances[0].VpcSecurityGroups[].VpcSecurityGroupId' --output text${region ? ` --region ${region}` : ''})`,
      `INSTANCE_CLASS=$(aws rds describe-db-instances --db-instance-identifier ${id} --query 'DBInstances[0].DBInstanceClass' --output text${region ? ` --region ${region}` : ''})`,
      `aws rds restore-db-instance-from-db-snapshot --db-instance-identifier ${id}-encrypted --db-snapshot-identifier ${id}-encrypted --db-subnet-group-name "$SUBNET_GROUP" --vpc-security-group-ids $SECURITY_GROUPS --db-instance-class "$INSTANCE_CLASS"`,
      `aws rds wait db-instance-available --db-instance-identifier ${id}-encrypted`,
      `# 4. Cut over (maintenance window): swap the names, so the endpoint clients use now points at the encrypted instance`,
      `aws rds modify-db-instance --db-instance-identifier ${id} --new-db-instance-identifier ${id}-unencrypted --apply-immediately`,
      `aws rds wait db-instance-available --db-instance-identifier ${id}-unencrypted`,
      `aws rds modify-db-instance --db-instance-identifier ${id}-encrypted --new-db-instance-identifier ${id} --apply-immediately`,
      `# 5. Once the application works against it, delete the old instance, keeping a final snapshot`,
      `aws rds delete-db-instance --db-instance-identifier ${id}-unencrypted --final-db-snapshot-identifier ${id}-unencrypted-final`,
    ].map(cli),
  };
}

export function rdsClusterRunbook({ identifier: id, region, kmsKeyId }: RunbookTarget): ManualRunbook {
  const cli = withRegion(region);
  const describe = (query: string) => `$(aws rds describe-db-clusters --db-cluster-identifier ${id} --query '${query}' --output text${region ? ` --region ${region}` : ''})`;
  return {
    reason: `RDS cannot encrypt an existing cluster: ${id} must be restored from an encrypted snapshot copy and cut over.`,
    commands: [
      `# 1. Snapshot ${id} (stop writes first if the cut-over must not lose any)`,
      `aws rds create-db-cluster-snapshot --db-cluster-identifier ${id} --db-cluster-snapshot-identifier ${id}-pre-encryption`,
      `aws rds wait db-cluster-snapshot-available --db-cluster-snapshot-identifier ${id}-pre-encryption`,
      `# 2. Copy the snapshot, encrypted`,
      `aws rds copy-db-cluster-snapshot --source-db-cluster-snapshot-identifier ${id}-pre-encryption --target-db-cluster-snapshot-identifier ${id}-encrypted --kms-key-id ${kmsKeyId ?? 'alias/aws/rds'}`,
      `aws rds wait db-cluster-snapshot-available --db-cluster-snapshot-identifier ${id}-encrypted`,
      `# 3. Restore a new cluster from the copy, with the same engine, subnet group and security groups, and give it an instance`,
      `ENGINE=${describe('DBClusters[0].Engine')}`,
      `SUBNET_GROUP=${describe('DBClusters[0].DBSubnetGroup')}`,
      `SECURITY_GROUPS=${describe('DBClusters[0].VpcSecurityGroups[].VpcSecurityGroupId')}`,
      `INSTANCE_CLASS=$(aws rds describe-db-instances --filters Name=db-cluster-id,Values=${id} --query 'DBInstances[0].DBInstanceClass' --output text${region ? ` --region ${region}` : ''})`,
      `aws rds restore-db-cluster-from-snapshot --db-cluster-identifier ${id}-encrypted --snapshot-identifier ${id}-encrypted --engine "$ENGINE" --db-subnet-group-name "$SUBNET_GROUP" --vpc-security-group-ids $SECURITY_GROUPS`,
      `aws rds create-db-instance --db-instance-identifier ${id}-encrypted-1 --db-cluster-identifier ${id}-encrypted --engine "$ENGINE" --db-instance-class "$INSTANCE_CLASS"`,
      `aws rds wait db-instance-available --db-instance-identifier ${id}-encrypted-1`,
      `# 4. Cut over (maintenance window): swap the names, so the endpoints clients use now point at the encrypted cluster`,
      `aws rds modify-db-cluster --db-cluster-identifier ${id} --new-db-cluster-identifier ${id}-unencrypted --apply-immediately`,
      `aws rds modify-db-cluster --db-cluster-identifier ${id}-encrypted --new-db-cluster-identifier ${id} --apply-immediately`,
      `# 5. Once the application works against it, delete the old cluster's instances, then the cluster, keeping a final snapshot`,
      `aws rds delete-db-cluster --db-cluster-identifier ${id}-unencrypted --final-db-snapshot-identifier ${id}-unencrypted-final`,
    ].map(cli),
  };
}

export function ebsVolumeRunbook({ identifier: id, region, kmsKeyId }: RunbookTarget): ManualRunbook {
  const cli = withRegion(region);
  const key = kmsKeyId ? ` --kms-key-id ${kmsKeyId}` : '';
  const regionFlag = region ? ` --region ${region}` : '';
  return {
    reason: `EC2 cannot encrypt an existing volume: ${id} must be replaced by a volume made from an encrypted snapshot copy.`,
    commands: [
      `# 1. Snapshot ${id} (stop the instance or freeze the file system first for a consistent copy)`,
      `SNAPSHOT_ID=$(aws ec2 create-snapshot --volume-id ${id} --description "${id} before encryption" --query SnapshotId --output text${regionFlag})`,
      `aws ec2 wait snapshot-completed --snapshot-ids "$SNAPSHOT_ID"`,
      `# 2. Copy the snapshot, encrypted`,
      `ENCRYPTED_SNAPSHOT_ID=$(aws ec2 copy-snapshot --source-region ${region ?? '<region>'} --source-snapshot-id "$SNAPSHOT_ID" --encrypted${key} --description "${id} encrypted" --query SnapshotId --output text${regionFlag})`,
      `aws ec2 wait snapshot-completed --snapshot-ids "$ENCRYPTED_SNAPSHOT_ID"`,
      `# 3. Create the encrypted volume in the same Availability Zone, with the same type`,
      `read AZ VOLUME_TYPE INSTANCE_ID DEVICE <<< "$(aws ec2 describe-volumes --volume-ids ${id} --query 'Volumes[0].[AvailabilityZone,VolumeType,Attachments[0].InstanceId,Attachments[0].Device]' --output text${regionFlag})"`,
      `NEW_VOLUME_ID=$(aws ec2 create-volume --snapshot-id "$ENCRYPTED_SNAPSHOT_ID" --availability-zone "$AZ" --volume-type "$VOLUME_TYPE" --query VolumeId --output text${regionFlag})`,
      `aws ec2 wait volume-available --volume-ids "$NEW_VOLUME_ID"`,
      `# 4. Cut over (downtime): stop the instance, swap the volumes at the same device, start it`,
      `aws ec2 stop-instances --instance-ids "$INSTANCE_ID"`,
      `aws ec2 wait instance-stopped --instance-ids "$INSTANCE_ID"`,
      `aws ec2 detach-volume --volume-id ${id}`,
      `aws ec2 wait volume-available --volume-ids ${id}`,
      `aws ec2 attach-volume --volume-id "$NEW_VOLUME_ID" --instance-id "$INSTANCE_ID" --device "$DEVICE"`,
      `aws ec2 start-instances --instance-ids "$INSTANCE_ID"`,
      `# 5. Once the instance works, delete the old volume`,
      `aws ec2 delete-volume --volume-id ${id}`,
    ].map(cli),
  };
}

export function efsRunbook({ identifier: id, region, kmsKeyId }: RunbookTarget): ManualRunbook {
  const cli = withRegion(region);
  const regionFlag = region ? ` --region ${region}` : '';
  return {
    reason: `EFS cannot encrypt an existing file system: ${id}'s data must be copied to a new encrypted file system and clients moved to it.`,
    commands: [
      `# 1. Create an encrypted file system with the same performance mode`,
      `PERFORMANCE_MODE=$(aws efs describe-file-systems --file-system-id ${id} --query 'FileSystems[0].PerformanceMode' --output text${regionFlag})`,
      `NEW_FILE_SYSTEM_ID=$(aws efs create-file-system --encrypted${kmsKeyId ? ` --kms-key-id ${kmsKeyId}` : ''} --performance-mode "$PERFORMANCE_MODE" --creation-token ${id}-encrypted --query FileSystemId --output text${regionFlag})`,
      `# 2. Give it mount targets in the same subnets, with the same security groups`,
      `for MOUNT_TARGET in $(aws efs describe-mount-targets --file-system-id ${id} --query 'MountTargets[].MountTargetId' --output text${regionFlag}); do SUBNET=$(aws efs describe-mount-targets --mount-target-id "$MOUNT_TARGET" --query 'MountTargets[0].SubnetId' --output text${regionFlag}); GROUPS=$(aws efs describe-mount-target-security-groups --mount-target-id "$MOUNT_TARGET" --query 'SecurityGroups' --output text${regionFlag}); aws efs create-mount-target --file-system-id "$NEW_FILE_SYSTEM_ID" --subnet-id "$SUBNET" --security-groups $GROUPS${regionFlag}; done`,
      `# 3. Copy the data from a host that mounts both (AWS DataSync for large file systems), then again after stopping writers`,
      `sudo rsync -aHAX --numeric-ids /mnt/${id}/ /mnt/new-file-system/`,
      `# 4. Cut over: point every mount (fstab, ECS task definitions, access points) at $NEW_FILE_SYSTEM_ID`,
      `# 5. Once nothing mounts ${id} any more, delete its mount targets, then the file system`,
      `aws efs delete-file-system --file-system-id ${id}`,
    ].map(cli),
  };
}

export function elastiCacheRunbook({ identifier: id, region, kmsKeyId }: RunbookTarget): ManualRunbook {
  const cli = withRegion(region);
  const regionFlag = region ? ` --region ${region}` : '';
  const describe = (query: string) => `$(aws elasticache describe-replication-groups --replication-group-id ${id} --query '${query}' --output text${regionFlag})`;
  return {
    reason: `ElastiCache cannot turn on encryption at rest for an existing replication group: ${id} must be restored from a snapshot into a new, encrypted group and clients switched to its endpoint.`,
    commands: [
      `# 1. Snapshot ${id} (stop writes first if the switch must not lose any)`,
      `aws elasticache create-snapshot --replication-group-id ${id} --snapshot-name ${id}-pre-encryption`,
      `aws elasticache wait snapshot-available --snapshot-name ${id}-pre-encryption`,
      `# 2. Restore it into a new replication group with encryption at rest, the same node type, subnet group and security groups`,
      `NODE_TYPE=${describe('ReplicationGroups[0].CacheNodeType')}`,
      `CLUSTER_ID=${describe('ReplicationGroups[0].MemberClusters[0]')}`,
      `SUBNET_GROUP=$(aws elasticache describe-cache-clusters --cache-cluster-id "$CLUSTER_ID" --query 'CacheClusters[0].CacheSubnetGroupName' --output text${regionFlag})`,
      `SECURITY_GROUPS=$(aws elasticache describe-cache-clusters --cache-cluster-id "$CLUSTER_ID" --query 'CacheClusters[0].SecurityGroups[].SecurityGroupId' --output text${regionFlag})`,
      `aws elasticache create-replication-group --replication-group-id ${id}-encrypted --replication-group-description "${id}, encrypted at rest" --snapshot-name ${id}-pre-encryption --cache-node-type "$NODE_TYPE" --cache-subnet-group-name "$SUBNET_GROUP" --security-group-ids $SECURITY_GROUPS --at-rest-encryption-enabled${kmsKeyId ? ` --kms-key-id ${kmsKeyId}` : ''}`,
      `aws elasticache wait replication-group-available --replication-group-id ${id}-encrypted`,
      `# 3. Switch endpoints (maintenance window): point clients (configuration, DNS CNAME) at the new primary endpoint`,
      `aws elasticache describe-replication-groups --replication-group-id ${id}-encrypted --query 'ReplicationGroups[0].NodeGroups[0].PrimaryEndpoint.Address' --output text`,
      `# 4. Once nothing connects to ${id} any more, delete it, keeping a final snapshot`,
      `aws elasticache delete-replication-group --replication-group-id ${id} --final-snapshot-identifier ${id}-final`,
    ].map(cli),
  };
}

export function ecrRepositoryRunbook({ identifier: repository, region, kmsKeyId }: RunbookTarget): ManualRunbook {
  const cli = withRegion(region);
  const regionFlag = region ? ` --region ${region}` : '';
  return {
    reason: `ECR cannot change a repository's encryption after it is created: ${repository} must be replaced by a repository created with a KMS key, and its images copied.`,
    commands: [
      `# 1. Create the new repository encrypted with the KMS key`,
      `aws ecr create-repository --repository-name ${repository}-kms --encryption-configuration encryptionType=KMS${kmsKeyId ? `,kmsKey=${kmsKeyId}` : ''} --image-scanning-configuration scanOnPush=true`,
      `# 2. Copy every tagged image (pull, retag, push; registry credentials from get-login-password)`,
      `REGISTRY=$(aws sts get-caller-identity --query Account --output text).dkr.ecr.${region ?? '<region>'}.amazonaws.com`,
      `aws ecr get-login-password${regionFlag} | docker login --username AWS --password-stdin "$REGISTRY"`,
      `for TAG in $(aws ecr list-images --repository-name ${repository} --filter tagStatus=TAGGED --query 'imageIds[].imageTag' --output text${regionFlag}); do docker pull "$REGISTRY/${repository}:$TAG" && docker tag "$REGISTRY/${repository}:$TAG" "$REGISTRY/${repository}-kms:$TAG" && docker push "$REGISTRY/${repository}-kms:$TAG"; done`,
      `# 3. Point image references (task definitions, Helm values, Lambda images) at ${repository}-kms, and copy the lifecycle policy and repository policy`,
      `# 4. Once nothing pulls from ${repository} any more, delete it with its images`,
      `aws ecr delete-repository --repository-name ${repository} --force`,
    ].map(cli),
  };
}
