import { z } from 'zod';
import type { SecretProperties } from '../lib/model';
import { positiveIntegerString } from '../lib/parameters';
import { defineRule } from '../lib/rule';

const DAY_MS = 86_400_000;

/**
 * The longest gap, in days, between two runs of a Secrets Manager schedule expression. `cron()` is
 * bounded from its fields: any day-of-month and day-of-week runs daily, a day-of-week weekly, a
 * day-of-month monthly, and a month list or step stretches that. `undefined` for what cannot be read.
 */
export function scheduleIntervalDays(expression: string): number | undefined {
  const rate = /^rate\(\s*(\d+)\s+(hour|hours|day|days)\s*\)$/i.exec(expression.trim());
  if (rate) {
    const amount = Number(rate[1]);
    return rate[2]!.toLowerCase().startsWith('hour') ? amount / 24 : amount;
  }
  const cron = /^cron\((.+)\)$/i.exec(expression.trim());
  const fields = cron?.[1]!.trim().split(/\s+/);
  if (!fields || fields.length !== 6) return undefined;
  const [, , dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string, string];
  const any = (field: string) => field === '*' || field === '?';
  const perMonth = any(dayOfMonth) && any(dayOfWeek) ? 1 : any(dayOfMonth) ? 7 : 31;
  if (any(month)) return perMonth;
  const step = /\/(\d+)$/.exec(month);
  const monthsBetween = step ? Number(step[1]) : Math.ceil(12 / month.split(',').length);
  return Math.max(perMonth, monthsBetween * 31);
}

function days(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

function intervalOf(secret: SecretProperties): { days: number | undefined; text: string } | undefined {
  if (secret.automaticallyAfterDays !== undefined) {
    return { days: secret.automaticallyAfterDays, text: `every ${secret.automaticallyAfterDays} days` };
  }
  if (secret.scheduleExpression !== undefined) {
    return { days: scheduleIntervalDays(secret.scheduleExpression), text: secret.scheduleExpression };
  }
  return undefined;
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
  permissions: ['secretsmanager:DescribeSecret'],
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
    if (known === undefined) {
      return {
        compliance: 'NON_COMPLIANT',
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
        annotation: `Secret ${name} ${what}, ${age} days ago (max ${params.maxAgeDays}): rotation is failing.`,
      };
    }
    return { compliance: 'COMPLIANT', annotation: `Secret ${name} rotates ${interval.text}; last rotation ${age} days ago.` };
  },
});
