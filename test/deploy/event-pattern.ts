/**
 * EventBridge's event-pattern matching, as documented in the EventBridge User Guide ("Creating event
 * patterns", "Content filtering"): every field the pattern names must match, fields it does not name
 * are ignored; a pattern leaf is an array of alternatives; an event array matches when any element
 * does; objects in the leaf array are content filters.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Pattern = { [key: string]: Json };

function isPlainObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wildcardToRegExp(wildcard: string): RegExp {
  return new RegExp(`^${wildcard.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function numericMatches(value: Json, conditions: Json[]): boolean {
  if (typeof value !== 'number') return false;
  for (let index = 0; index < conditions.length; index += 2) {
    const operator = conditions[index] as string;
    const bound = conditions[index + 1] as number;
    const ok =
      operator === '=' ? value === bound
      : operator === '<' ? value < bound
      : operator === '<=' ? value <= bound
      : operator === '>' ? value > bound
      : operator === '>=' ? value >= bound
      : false;
    if (!ok) return false;
  }
  return true;
}

/** One alternative of a leaf against one scalar value of the event. */
function alternativeMatches(alternative: Json, value: Json): boolean {
  if (!isPlainObject(alternative)) return alternative === value;
  const [filter, argument] = Object.entries(alternative)[0] ?? [];
  switch (filter) {
    case 'prefix':
      return typeof value === 'string' && (isPlainObject(argument) ? value.toLowerCase().startsWith(String(argument['equals-ignore-case']).toLowerCase()) : value.startsWith(String(argument)));
    case 'suffix':
      return typeof value === 'string' && (isPlainObject(argument) ? value.toLowerCase().endsWith(String(argument['equals-ignore-case']).toLowerCase()) : value.endsWith(String(argument)));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(argument).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardToRegExp(String(argument)).test(value);
    case 'numeric':
      return numericMatches(value, argument as Json[]);
    case 'anything-but':
      if (isPlainObject(argument)) return !alternativeMatches(argument, value);
      return !(Array.isArray(argument) ? argument : [argument]).some((excluded) => excluded === value);
    default:
      throw new Error(`content filter ${filter} is not implemented by this matcher`);
  }
}

function leafMatches(alternatives: Json[], present: boolean, value: Json | undefined): boolean {
  return alternatives.some((alternative) => {
    if (isPlainObject(alternative) && 'exists' in alternative) return alternative.exists === present;
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value as Json];
    return values.some((candidate) => alternativeMatches(alternative, candidate));
  });
}

export function matchesPattern(pattern: Pattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const present = Object.prototype.hasOwnProperty.call(event, field) && event[field] !== undefined;
    const value = event[field] as Json | undefined;
    if (Array.isArray(expected)) return leafMatches(expected, present, value);
    if (isPlainObject(expected)) return present && isPlainObject(value) && matchesPattern(expected, value);
    throw new Error(`pattern field ${field} must be an array or an object`);
  });
}
