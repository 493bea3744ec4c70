/**
 * The normalised resource model. Every source (an AWS Config configuration item, Describe/List API
 * responses, a Terraform plan) turns what it reads into these shapes, so a rule never knows where a
 * resource came from. Each type's properties are declared by its catalogue entry in `resources/`.
 */
export type { EncryptionProperties } from './resource-type';
export type { FlowLog, FlowLogTrafficType, KeyManager, SecretRotationState } from './lookups';
export { isDeliveryFailing } from './lookups';
export type { EncryptedResourceType, PropertiesByType, Resource, ResourceOf, ResourceType } from '../resources';
export type { VpcProperties } from '../resources/vpc';
export type { IngressRule, IngressSource, SecurityGroupProperties } from '../resources/security-group';
export type { SecretProperties } from '../resources/secret';
export { ENCRYPTED_RESOURCE_TYPES, isResourceType, RESOURCE_TYPES } from '../resources';
