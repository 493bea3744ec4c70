/** Recognising AWS errors by name: the SDK sets `name` to the service's error code. */

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  return typeof Code === 'string' ? Code : typeof name === 'string' ? name : undefined;
}

export function hasErrorName(error: unknown, names: readonly string[]): boolean {
  const name = errorName(error);
  return name !== undefined && names.includes(name);
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

export function describeAwsError(error: unknown): string {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  return name && !message.startsWith(name) ? `${name}: ${message}` : message;
}
