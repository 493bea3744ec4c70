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
  const reason = tags[EXEMPT_TAG]?.trim() || 'no reason given';
  const until = tags[EXEMPT_UNTIL_TAG]?.trim();
  if (!until) return { reason };
  const end = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(until) ? `${until}T23:59:59.999Z` : until);
  if (Number.isNaN(end) || end < now.getTime()) return undefined;
  return { reason, until };
}
