import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLookups, type LookupData, type Lookups } from '../lib/lookups';
import type { Resource } from '../lib/model';
import { readConfigurationItem, resourceFromItem } from '../lib/sources/config-item';

export const FIXTURES = join(__dirname, 'fixtures');

export function fixture<T = any>(relativePath: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, relativePath), 'utf8')) as T;
}

/** The normalised resource of a configuration-item fixture in `fixtures/config/`. */
export function itemResource(name: string): Resource {
  const resource = resourceFromItem(readConfigurationItem(fixture(`config/${name}.json`)));
  if (!resource) throw new Error(`fixture ${name} has no resource`);
  return resource;
}

export function lookups(data: LookupData = {}): Lookups {
  return createLookups(data);
}

export const NOW = new Date('2025-06-15T12:00:00.000Z');
