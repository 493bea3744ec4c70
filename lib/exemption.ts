export const EXEMPT_TAG = 'driftwarden:exempt';
export const EXEMPT_UNTIL_TAG = 'driftwarden:exempt-until';

export interface Exemption {
  reason: string;
  /** ISO date after which the exemption no longer applies. */
  until?: string;
}

/**
 * The resource's exemption if one is in force at `now`. An `exempt-until` date that is past, or that
 * cannot be read, ends the exemption: a typo must not exempt a resource for ever.
 */
export function activeExemption(tags: Record<string, string>, now: Date): Exemption | undefined {
  if (!(EXEMPT_TAG in tags)) return undefined;
  return exemptionInForce(tags[EXEMPT_TAG]?.trim() || 'no reason given', tags[EXEMPT_UNTIL_TAG]?.trim(), now);
}

/** An exemption with this reason and optional end (a tag pair or a suppressions-file entry), if in force at `now`. */
export function exemptionInForce(reason: string, until: string | undefined, now: Date): Exemption | undefined {
  if (!until) return { reason };
  const end = exemptionEnd(until);
  if (end === undefined || end < now.getTime()) return undefined;
  return { reason, until };
}

/** Whether an end date can be read at all, so a suppressions file with a typo is rejected up front. */
export function isReadableExemptionEnd(until: string): boolean {
  return exemptionEnd(until) !== undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The last millisecond an `exempt-until` value covers: a date runs to the end of that UTC day; a
 * date-time needs its zone. Anything else (`01/07/2025`, a day that does not exist such as
 * `2025-02-30`, which `Date.parse` would roll into March) is unreadable.
 */
function exemptionEnd(until: string): number | undefined {
  const dateOnly = ISO_DATE.test(until);
  const date = dateOnly ? until : ISO_DATE_TIME.exec(until)?.[1];
  if (date === undefined || Number.isNaN(Date.parse(date)) || new Date(date).toISOString().slice(0, 10) !== date) return undefined;
  const end = Date.parse(dateOnly ? `${until}T23:59:59.999Z` : until);
  return Number.isNaN(end) ? undefined : end;
}
