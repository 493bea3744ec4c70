import { ServiceException } from '@smithy/core/client';
import { createAwsClients, type AwsClients } from '../../lib/aws/clients';
import type { Resource } from '../../lib/model';
import { fixture } from '../helpers';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const CTX = { region: REGION, accountId: ACCOUNT };

/** Clients with static credentials and no retry delay; `aws-sdk-client-mock` answers their calls. */
export function testClients(): AwsClients {
  return createAwsClients({
    region: REGION,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    retryDelayMs: 0,
  });
}

/** An API response fixture from `fixtures/api/` (or `fixtures/config/api-*.json`). */
export function apiFixture<T = any>(name: string): T {
  return fixture<T>(name.startsWith('config/') ? name : `api/${name}`);
}

export async function collectPages(pages: AsyncGenerator<Resource[]>): Promise<Resource[][]> {
  const collected: Resource[][] = [];
  for await (const page of pages) collected.push(page);
  return collected;
}

/** An error as SDK v3 throws it for a service error code (every service exception extends ServiceException). */
export function awsError(name: string, message = name, httpStatusCode = 400): ServiceException {
  return new ServiceException({ name, message, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}
