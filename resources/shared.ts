import type { EncryptionProperties, TerraformInstance, TypedResource } from '../lib/resource-type';

/** Pieces several catalogue entries share; not a resource type itself. */

/** Whether the plan marks the value as known only after apply (it is then absent from `after`). */
export function isUnknown(instance: TerraformInstance, attribute: string): boolean {
  return instance.unknown[attribute] === true;
}

/** The KMS key a `keyManager` lookup must be asked about, for any encrypted type. */
export function encryptionKeySubjects(resource: TypedResource<string, EncryptionProperties>): string[] {
  return resource.properties.kmsKeyId ? [resource.properties.kmsKeyId] : [];
}
