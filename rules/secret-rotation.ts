import { z } from 'zod';
import type { SecretProperties } from '../lib/model';
import { positiveIntegerString } from '../lib/parameters';
import { defineRule } from '../lib/rule';

const DAY_MS = 86_400_000;

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The values a cron field lists (`*`, `a`, `a-b`, `a/n`, `*\/n`, `a-b/n`, comma lists; names allowed), or undefined. */
function cronValues(field: string, min: number, max: number, names: readonly string[] = []): Set<number> | undefined {
  const value = (text: string) => {
    const index = names.indexOf(text.toUpperCase());
    const number = index >= 0 ? index + min : /^\d+$/.test(text) ? Number(text) : NaN;
    return number >= min && number <= max ? number : undefined;
  };
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) return undefined;
    const isRange = match[1]!.includes('-');
    const [from, to] = match[1] === '*' ? [min, max] : match[1]!.split('-').map(value);
    const step = match[2] === undefined ? 1 : Number(match[2]);
    if (from === undefined || (isRange && to === undefined) || step < 1) return undefined;
    // `a/n` runs from a to the end of the field; a plain `a` is that value alone.
    const last = isRange || match[1] === '*' || match[2] !== undefined ? (to ?? max) : from;
    for (let item = from; item <= last; item += step) values.add(item);
  }
  return values;
}

type DayMatcher = (date: Date) => boolean;

function daysInMonth(date: Date): number {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
}

function dayOfMonthMatcher(field: string): DayMatcher | undefined {
  if (field === '?' || field === '*') return () => true;
  if (field === 'L') return (date) => date.getUTCDate() === daysInMonth(date);
  const days = cronValues(field, 1, 31);
  return days && ((date) => days.has(date.getUTCDate()));
}

function dayOfWeekMatcher(field: string): DayMatcher | undefined {
  if (field === '?' || field === '*') return () => true;
  const weekday = (text: string) => cronValues(text, 1, 7, WEEKDAY_NAMES)?.values().next().value;
  const nth = /^(\w+)#([1-5])$/.exec(field);
  if (nth) {
    const day = weekday(nth[1]!);
    const week = Number(nth[2]);
    return day === undefined ? undefined : (date) => date.getUTCDay() + 1 === day && Math.ceil(date.getUTCDate() / 7) === week;
  }
  // `L` alone is Saturday, every week; after a weekday it is that weekday's last occurrence in the month.
  const last = /^(\w+)L$/.exec(field);
  if (last) {
    const day = weekday(last[1]!);
    return day === undefined ? undefined : (date) => date.getUTCDay() + 1 === day && date.getUTCDate() + 7 > daysInMonth(date);
  }
  const days = field === 'L' ? new Set([7]) : cronValues(field, 1, 7, WEEKDAY_NAMES);
  return days && ((date) => days.has(date.getUTCDay() + 1));
}

/** Two whole years (one of them a leap year) and a month, so every gap of a yearly-bounded schedule shows. */
const CRON_SAMPLE_START = Date.UTC(2024, 0, 1);
const CRON_SAMPLE_DAYS = 366 + 365 + 31;

/** The longest gap, in days, between the rotation days of a Secrets Manager `cron()` expression. */
function cronIntervalDays(fields: readonly string[]): number | undefined {
  const [, , dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  if (year !== '*') return undefined;
  const months = cronValues(month, 1, 12, MONTH_NAMES);
  const matchesDayOfMonth = dayOfMonthMatcher(dayOfMonth);
  const matchesDayOfWeek = dayOfWeekMatcher(dayOfWeek);
  if (!months || !matchesDayOfMonth || !matchesDayOfWeek) return undefined;
  let previous: number | undefined;
  let longest: number | undefined;
  for (let day = 0; day < CRON_SAMPLE_DAYS; day++) {
    const date = new Date(CRON_SAMPLE_START + day * DAY_MS);
    if (!months.has(date.getUTCMonth() + 1) || !matchesDayOfMonth(date) || !matchesDayOfWeek(date)) continue;
    if (previous !== undefined) longest = Math.max(longest ?? 0, day - previous);
    previous = day;
  }
  return longest;
}

/**
 * The longest gap, in days, between two runs of a Secrets Manager schedule expression: `rate()` in
 * hours or days, or a six-field `cron()` whose rotation days are laid out over two sample years.
 * `undefined` for what cannot be read.
 */
export function scheduleIntervalDays(expression: string): number | undefined {
  const rate = /^rate\(\s*(\d+)\s+(hour|hours|day|days)\s*\)$/i.exec(expression.trim());
  if (rate) {
    const amount = Number(rate[1]);
    return rate[2]!.toLowerCase().startsWith('hour') ? amount / 24 : amount;
  }
  const fields = /^cron\((.+)\)$/i.exec(expression.trim())?.[1]!.trim().split(/\s+/);
  return fields?.length === 6 ? cronIntervalDays(fields) : undefined;
}

function days(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/**
 * The configured schedule wins over `AutomaticallyAfterDays`, which Secrets Manager only recalculates
 * after a successful rotation and so can lag a schedule that was changed since.
 */
function intervalOf(secret: SecretProperties): { days: number | undefined; text: string } | undefined {
  const { scheduleExpression, automaticallyAfterDays } = secret;
  const scheduleDays = scheduleExpression === undefined ? undefined : scheduleIntervalDays(scheduleExpression);
  if (scheduleDays !== undefined) return { days: scheduleDays, text: scheduleExpression! };
  if (automaticallyAfterDays !== undefined) return { days: automaticallyAfterDays, text: `every ${automaticallyAfterDays} days` };
  return scheduleExpression === undefined ? undefined : { days: undefined, text: scheduleExpression };
}

export default defineRule({
  id: 'secret-rotation',
  title: 'Secrets rotate automatically, at least every maxAgeDays days, and their last rotation succeeded in time',
  severity: 'medium',
  resourceTypes: ['AWS::SecretsManager::Secret'],
  // A rotation that silently stops failing changes no configuration item: only the clock tells.
  triggers: ['change', 'periodic'],
  parameters: z.object({ maxAgeDays: positiveIntegerString.default('90') }),
  references: {
    configManagedRule: ['secretsmanager-rotation-enabled-check', 'secretsmanager-secret-periodic-rotation'],
    securityHub: ['SecretsManager.1', 'SecretsManager.4'],
  },
  remediation: 'rotate-secret',
  lookups: ['secretRotation'],
  evaluate(secret, params, context) {
    const name = secret.name ?? secret.id;
    const props = secret.properties;
    if (props.pendingDeletion) {
      return { compliance: 'NOT_APPLICABLE', annotation: `Secret ${name} is scheduled for deletion.` };
    }
    if (!props.rotationEnabled) {
      return { compliance: 'NON_COMPLIANT', annotation: `Secret ${name} has no automatic rotation; enable it at most every ${params.maxAgeDays} days.` };
    }
    const interval = intervalOf(props);
    if (interval?.days === undefined) {
      return {
        compliance: 'NON_COMPLIANT',
        annotation: `Secret ${name} rotates on a schedule that cannot be read (${interval?.text ?? 'none'}); use at most ${params.maxAgeDays} days.`,
      };
    }
    if (interval.days > params.maxAgeDays) {
      return {
        compliance: 'NON_COMPLIANT',
        annotation: `Secret ${name} rotates ${interval.text}, longer than the ${params.maxAgeDays} days allowed.`,
      };
    }
    if (props.rotationOccurringAsScheduled === false) {
      return { compliance: 'NON_COMPLIANT', annotation: `Secret ${name}: its last scheduled rotation did not happen; check the rotation function's logs.` };
    }
    const known = props.lastRotatedDate !== undefined || props.createdDate !== undefined ? props : context.secretRotation(secret.id);
    if (known === undefined && props.rotationOccurringAsScheduled === true) {
      // Without dates, Secrets Manager's own verdict on the last scheduled rotation (AWS Config records it) decides.
      return { compliance: 'COMPLIANT', annotation: `Secret ${name} rotates ${interval.text}; Secrets Manager reports its rotations occur as scheduled.` };
    }
    if (known === undefined) {
      return {
        compliance: 'INSUFFICIENT_DATA',
        annotation: `Secret ${name} rotates ${interval.text}, but its last rotation date could not be looked up to confirm it works.`,
      };
    }
    const since = known.lastRotatedDate ?? known.createdDate;
    if (since === undefined) {
      // Not yet created (a plan): the schedule is all there is to judge.
      return { compliance: 'COMPLIANT', annotation: `Secret ${name} rotates ${interval.text}.` };
    }
    const age = days(context.now.getTime() - Date.parse(since));
    if (age > params.maxAgeDays) {
      const what = known.lastRotatedDate ? `was last rotated ${since.slice(0, 10)}` : `was created ${since.slice(0, 10)} and never rotated`;
      return {
        compliance: 'NON_COMPLIANT',
        // Dates, not ages: an annotation that changes every day would be re-recorded (and billed) every sweep.
        annotation: `Secret ${name} ${what}, more than ${params.maxAgeDays} days ago: rotation is failing.`,
      };
    }
    const last = known.lastRotatedDate ? `last rotated ${since.slice(0, 10)}` : `created ${since.slice(0, 10)}`;
    return { compliance: 'COMPLIANT', annotation: `Secret ${name} rotates ${interval.text}; ${last}.` };
  },
});
