/** Recognising AWS errors by name: the SDK sets `name` to the service's error code. */

import { DriftwardenError } from '../errors';

/** The error's AWS code (`Code` where the SDK sets one, else `name`). */
export function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  return typeof Code === 'string' ? Code : typeof name === 'string' ? name : undefined;
}

/** A DynamoDB conditional write lost: the item was already there (or no longer matched). */
export function isConditionalCheckFailure(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** True when the error, or an error it wraps (`cause`), has one of these names. */
export function hasErrorName(error: unknown, names: readonly string[]): boolean {
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
    const name = errorName(current);
    if (name !== undefined && names.includes(name)) return true;
    current = typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
  }
  return false;
}

/** Every service spells "you may not do this" its own way. */
const ACCESS_DENIED = [
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnauthorizedAccess',
];

export function isAccessDenied(error: unknown): boolean {
  return hasErrorName(error, ACCESS_DENIED);
}

/** The SDK found no credentials anywhere in its chain, or they are invalid or expired. */
export function isCredentialsProblem(error: unknown): boolean {
  return hasErrorName(error, [
    'CredentialsProviderError',
    'ExpiredToken',
    'ExpiredTokenException',
    'InvalidClientTokenId',
    'UnrecognizedClientException',
    'AuthFailure',
  ]);
}

/** `Code: message` for AWS errors; our own errors already say what happened. */
export function describeAwsError(error: unknown): string {
  if (error instanceof DriftwardenError) return error.message;
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  return name && !message.startsWith(name) ? `${name}: ${message}` : message;
}
