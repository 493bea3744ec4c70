import { evaluateResource } from '../../lib/evaluate';
import type { ResourceOf, SecretProperties, SecretRotationState } from '../../lib/model';
import { parseRuleParameters, type AnyRule } from '../../lib/rule';
import { readConfigurationItem, resourceFromItem } from '../../lib/sources/config-item';
import secretRotation, { scheduleIntervalDays } from '../../rules/secret-rotation';
import { fixture, itemResource, lookups, NOW } from '../helpers';

/** Run as the registry runs it: on any resource, with parameters parsed from settings. */
const rule: AnyRule = secretRotation;

type Secret = ResourceOf<'AWS::SecretsManager::Secret'>;

const secretFromItem = (name: string) => itemResource(name) as Secret;
const rdsSecret = secretFromItem('secret-rotating');
const scheduledSecret = secretFromItem('secret-rotation-schedule');

function withProperties(secret: Secret, properties: Partial<SecretProperties>): Secret {
  return { ...secret, properties: { ...secret.properties, ...properties } };
}

/** What `DescribeSecret` tells about a secret's last rotation, as its real response carries it. */
function describedRotation(): SecretRotationState {
  const response = fixture('config/api-describe-secret.json');
  return { lastRotatedDate: response.LastRotatedDate, createdDate: response.CreatedDate };
}

const daysBefore = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

function run(secret: Secret, rotation?: SecretRotationState, parameters: unknown = {}) {
  const data = rotation ? { secretRotation: new Map([[secret.id, rotation]]) } : {};
  return rule.evaluate(secret, parseRuleParameters(rule, parameters), { ...lookups(data), now: NOW });
}

describe('Rule: secret-rotation', () => {
  it('flags the real item of a secret that never had rotation set up', () => {
    expect(run(secretFromItem('secret-never-rotated'))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'Secret driftwarden/dev/slack-webhook has no automatic rotation; enable it at most every 90 days.',
    });
  });

  it('passes the real RDS-owned secret item, taking its last rotation from DescribeSecret', () => {
    expect(rdsSecret.properties).not.toHaveProperty('lastRotatedDate', expect.anything());
    expect(run(rdsSecret, describedRotation())).toEqual({
      compliance: 'COMPLIANT',
      annotation: 'Secret rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe rotates every 7 days; last rotated 2025-06-08.',
    });
  });

  it('takes Secrets Manager\'s "rotation occurring as scheduled" from the item when no rotation date can be looked up', () => {
    expect(run(rdsSecret)).toEqual({
      compliance: 'COMPLIANT',
      annotation: 'Secret rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe rotates every 7 days; Secrets Manager reports its rotations occur as scheduled.',
    });
  });

  it('takes the item\'s resourceCreationTime as the creation date when the configuration has none', () => {
    const raw = fixture('config/secret-rotating.json');
    delete raw.configuration.RotationOccurringAsScheduled;
    const secret = resourceFromItem(readConfigurationItem({ ...raw, resourceCreationTime: '2024-11-02T08:00:00.000Z' })) as Secret;
    expect(secret.properties.createdDate).toBe('2024-11-02T08:00:00.000Z');
    expect(run(secret)).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'Secret rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe was created 2024-11-02 and never rotated, more than 90 days ago: rotation is failing.',
    });
  });

  it('gives an unknown verdict when the last rotation could not be looked up, instead of assuming it never happened', () => {
    expect(run(withProperties(rdsSecret, { rotationOccurringAsScheduled: undefined }))).toEqual({
      compliance: 'INSUFFICIENT_DATA',
      annotation: 'Secret rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe rotates every 7 days, but its last rotation date could not be looked up to confirm it works.',
    });
  });

  it('judges a rotated secret by its last rotation, not by its creation', () => {
    const rotation = { lastRotatedDate: daysBefore(10), createdDate: daysBefore(400) };
    expect(run(rdsSecret, rotation).compliance).toBe('COMPLIANT');
  });

  it('flags rotation that is configured but has stopped happening', () => {
    const rotation = { lastRotatedDate: '2025-02-01T02:00:00.000Z', createdDate: '2024-11-02T09:00:00.000Z' };
    expect(run(rdsSecret, rotation)).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'Secret rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe was last rotated 2025-02-01, more than 90 days ago: rotation is failing.',
    });
  });

  it('flags a secret with rotation enabled that was created long ago and never rotated', () => {
    expect(run(rdsSecret, { createdDate: '2025-01-20T10:14:03.377Z' })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'Secret rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe was created 2025-01-20 and never rotated, more than 90 days ago: rotation is failing.',
    });
  });

  it.each([
    [90, 'COMPLIANT'],
    [91, 'NON_COMPLIANT'],
  ] as const)('treats a last rotation %i days ago as %s with maxAgeDays 90', (age, compliance) => {
    expect(run(rdsSecret, { lastRotatedDate: daysBefore(age) }).compliance).toBe(compliance);
  });

  it('honours maxAgeDays for the age of the last rotation', () => {
    expect(run(rdsSecret, { lastRotatedDate: daysBefore(20) }, { maxAgeDays: '14' }).annotation).toMatch(/was last rotated 2025-05-26, more than 14 days ago/);
  });

  it('uses the dates a source carries without asking the lookup', () => {
    const carried = withProperties(rdsSecret, { lastRotatedDate: daysBefore(3) });
    expect(run(carried, { lastRotatedDate: daysBefore(300) }).compliance).toBe('COMPLIANT');
  });

  it('judges a planned secret, with no dates yet, by its schedule', () => {
    const planned = withProperties(rdsSecret, {});
    expect(run(planned, {})).toEqual({ compliance: 'COMPLIANT', annotation: 'Secret rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe rotates every 7 days.' });
  });

  it('flags a secret whose last scheduled rotation did not happen', () => {
    const failing = withProperties(rdsSecret, { rotationOccurringAsScheduled: false });
    expect(run(failing, describedRotation())).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: "Secret rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe: its last scheduled rotation did not happen; check the rotation function's logs.",
    });
  });

  it.each([
    [{ automaticallyAfterDays: 120 }, {}, 'NON_COMPLIANT', 'rotates every 120 days, longer than the 90 days allowed.'],
    [{ automaticallyAfterDays: 120 }, { maxAgeDays: '180' }, 'COMPLIANT', 'rotates every 120 days; last rotated 2025-06-08.'],
    [{ automaticallyAfterDays: undefined, scheduleExpression: 'rate(100 days)' }, {}, 'NON_COMPLIANT', 'rotates rate(100 days), longer than the 90 days allowed.'],
    [{ automaticallyAfterDays: undefined, scheduleExpression: 'rate(4 hours)' }, { maxAgeDays: '7' }, 'COMPLIANT', 'rotates rate(4 hours); last rotated 2025-06-08.'],
    [{ automaticallyAfterDays: 7, scheduleExpression: 'cron(0 0 1 */6 ? *)' }, {}, 'NON_COMPLIANT', 'rotates cron(0 0 1 */6 ? *), longer than the 90 days allowed.'],
    [{ automaticallyAfterDays: 30, scheduleExpression: 'cron(0 0 1 * ? 2031)' }, {}, 'COMPLIANT', 'rotates every 30 days; last rotated 2025-06-08.'],
    [{ automaticallyAfterDays: undefined, scheduleExpression: 'every sunday' }, {}, 'NON_COMPLIANT', 'rotates on a schedule that cannot be read (every sunday); use at most 90 days.'],
    [{ automaticallyAfterDays: undefined }, {}, 'NON_COMPLIANT', 'rotates on a schedule that cannot be read (none); use at most 90 days.'],
  ])('judges rotation rules %j with parameters %j as %s', (rules, parameters, compliance, annotation) => {
    const result = run(withProperties(rdsSecret, rules), describedRotation(), parameters);
    expect(result).toEqual({ compliance, annotation: `Secret rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe ${annotation}` });
  });

  it.each([
    ['30', 'NON_COMPLIANT'],
    ['35', 'COMPLIANT'],
  ])('judges the real item rotating on the first Sunday of each month against maxAgeDays %s', (maxAgeDays, compliance) => {
    expect(scheduledSecret.properties.scheduleExpression).toBe('cron(0 2 ? * SUN#1 *)');
    expect(run(scheduledSecret, { lastRotatedDate: '2025-06-01T02:41:09.000Z' }, { maxAgeDays }).compliance).toBe(compliance);
  });

  it.each([
    ['rate(10 days)', 10],
    ['rate(1 day)', 1],
    ['rate(12 hours)', 0.5],
    ['cron(0 4/12 * * ? *)', 1],
    ['cron(0 16 ? * MON-FRI *)', 3],
    ['cron(0 8 1/7 * ? *)', 7],
    ['cron(0 16 1,15 * ? *)', 17],
    ['cron(0 16 L * ? *)', 31],
    ['cron(0 0 ? * L *)', 7],
    ['cron(0 0 ? * SUN#1 *)', 35],
    ['cron(0 0 ? * 6L *)', 35],
    ['cron(0 0 1 JAN,JUL ? *)', 184],
    ['cron(0 0 1 1,2 ? *)', 335],
    ['cron(0 0 1 */3 ? *)', 92],
    ['cron(0 0 1 1 ? *)', 366],
  ])('reads %s as at most %d days between rotations', (expression, days) => {
    expect(scheduleIntervalDays(expression)).toBe(days);
  });

  it.each(['cron(0 0 1 * ? 2031)', 'cron(0 0 32 * ? *)', 'cron(0 0 ? * MON-FUN *)', 'cron(0 0 1 DEC-JAN ? *)', 'cron(0 0 * *)', 'rate(2 weeks)', 'every sunday'])(
    'cannot read %s',
    (expression) => {
      expect(scheduleIntervalDays(expression)).toBeUndefined();
    },
  );

  it('is not applicable to a secret scheduled for deletion', () => {
    const deleting = secretFromItem('secret-never-rotated');
    expect(run(withProperties(deleting, { pendingDeletion: true }))).toEqual({
      compliance: 'NOT_APPLICABLE',
      annotation: 'Secret driftwarden/dev/slack-webhook is scheduled for deletion.',
    });
  });

  it('holds a secret owned by another service to the same bar', () => {
    expect(rdsSecret.properties.owningService).toBe('rds');
    expect(run(rdsSecret, { lastRotatedDate: daysBefore(120) }).compliance).toBe('NON_COMPLIANT');
  });

  it('is not applicable to a resource that is not a secret', () => {
    expect(evaluateResource(rule, parseRuleParameters(rule, {}), itemResource('vpc'), lookups(), NOW)).toMatchObject({ compliance: 'NOT_APPLICABLE' });
  });

  it.each([
    [{ maxAgeDays: '0' }, /parameter "maxAgeDays"/],
    [{ maxAgeDays: 'ninety' }, /parameter "maxAgeDays"/],
    [{ maxAgeDays: '-5' }, /parameter "maxAgeDays"/],
    [{ maximumAllowedRotationFrequency: '90' }, /unknown parameter "maximumAllowedRotationFrequency"/],
  ])('rejects bad parameters %j with an error naming the parameter', (parameters, message) => {
    expect(() => parseRuleParameters(rule, parameters)).toThrow(message);
  });
});
