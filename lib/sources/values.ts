/** Small readers for loosely typed JSON from AWS payloads and Terraform, shared by every source. */

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

/** ISO 8601 from an ISO string, a Date, or epoch seconds/milliseconds (payloads use all three). */
export function asIsoTime(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value < 1e11 ? value * 1000 : value).toISOString();
  }
  if (typeof value === 'string' && value !== '') {
    const ms = /^\d+(\.\d+)?$/.test(value) ? asIsoTime(Number(value)) : value;
    if (ms !== value) return ms;
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
  }
  return undefined;
}

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
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
