/** Small readers for loosely typed JSON from AWS payloads and Terraform, shared by every source. */

import { z } from 'zod';
import { InvalidEventError } from '../errors';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Numbers arrive as numbers or as strings ("443") depending on the payload. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/**
 * AWS Config puts JSON documents inside strings (the API form of `configuration`, most
 * `supplementaryConfiguration` values); the invoking-event form has objects. Accept both.
 */
export function parseEmbeddedJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The last instant an AWS payload can name (ISO 8601 has four-digit years); later is garbage, not a date. */
const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function isoFromMs(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= LATEST_TIME_MS ? new Date(ms).toISOString() : undefined;
}

/**
 * ISO 8601 from an ISO string, a Date, or epoch seconds/milliseconds (payloads use all three);
 * undefined for anything that is not a time between 1970 and 9999 (`1e308`, `"soon"`).
 */
function isoTimeOf(value: unknown): string | undefined {
  if (value instanceof Date) return isoFromMs(value.getTime());
  if (typeof value === 'number') return isoFromMs(value < 1e11 ? value * 1000 : value);
  if (typeof value === 'string') {
    if (/^\d+(\.\d+)?$/.test(value)) return isoTimeOf(Number(value));
    return isoFromMs(Date.parse(value));
  }
  return undefined;
}

/**
 * The one reader of every time field of every input (configuration items, events, API answers,
 * plans): absent is undefined, present but not a time is an InvalidEventError naming the field,
 * never a RangeError from deep inside a Date.
 */
export function readTime(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const iso = isoTimeOf(value);
  if (iso === undefined) throw new InvalidEventError(`${field} is not a time: ${String(JSON.stringify(value)).slice(0, 60)}`);
  return iso;
}

/** A required time field of a validated event: normalised to ISO 8601, or a validation problem. */
export const timeField = z.unknown().transform((value, context) => {
  const iso = isoTimeOf(value);
  if (iso === undefined) {
    context.addIssue({ code: z.ZodIssueCode.custom, message: value === undefined ? 'Required' : `not a time: ${String(JSON.stringify(value)).slice(0, 60)}` });
    return z.NEVER;
  }
  return iso;
});

/** Tags as `{ key: value }` from a map, `[{Key, Value}]` or `[{key, value}]`. */
export function tagMap(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    const tags: Record<string, string> = {};
    for (const tag of value) {
      const entry = asObject(tag);
      const key = asString(entry.Key ?? entry.key);
      if (key !== undefined) tags[key] = String(entry.Value ?? entry.value ?? '');
    }
    return tags;
  }
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, tagValue]) => [key, String(tagValue ?? '')]));
  }
  return {};
}

/** The object without its `undefined` properties, so optional fields are absent rather than present-but-undefined. */
export function withoutUndefined<T extends object>(value: T): T {
  // A loop, not Object.fromEntries(Object.entries(…).filter(…)): it runs twice per resource listed,
  // and the arrays of entries cost several times the copy itself.
  const defined: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const entry = (value as Record<string, unknown>)[key];
    if (entry !== undefined) defined[key] = entry;
  }
  return defined as T;
}
