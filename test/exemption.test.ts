import { evaluateResource } from '../lib/evaluate';
import { activeExemption, EXEMPT_TAG, EXEMPT_UNTIL_TAG } from '../lib/exemption';
import { parseRuleParameters } from '../lib/rule';
import rule from '../rules/public-app-ports';
import { itemResource, lookups, NOW } from './helpers';

const exempt = (reason: string, until?: string) => ({ Name: 'web', [EXEMPT_TAG]: reason, ...(until !== undefined && { [EXEMPT_UNTIL_TAG]: until }) });

describe('Exemption', () => {
  it('is absent without the exempt tag', () => {
    expect(activeExemption({ Name: 'web' }, NOW)).toBeUndefined();
  });

  it('is absent when only an exempt-until date is tagged', () => {
    expect(activeExemption({ [EXEMPT_UNTIL_TAG]: '2099-01-01' }, NOW)).toBeUndefined();
  });

  it('is in force with the tag value as its reason', () => {
    expect(activeExemption(exempt('  vendor appliance, ticket OPS-412 '), NOW)).toEqual({ reason: 'vendor appliance, ticket OPS-412' });
  });

  it('says no reason was given for an empty tag value', () => {
    expect(activeExemption(exempt(''), NOW)).toEqual({ reason: 'no reason given' });
  });

  it.each([
    ['a later date', '2025-07-01'],
    ['today, which it covers to the end of the UTC day', '2025-06-15'],
    ['a later time in UTC', '2025-06-15T12:00:01Z'],
    ['a later time with an offset', '2025-06-15T14:30:00+02:00'],
  ])('stays in force until %s', (_case, until) => {
    expect(activeExemption(exempt('migration window', until), NOW)).toEqual({ reason: 'migration window', until });
  });

  it.each([
    ['yesterday', '2025-06-14'],
    ['an earlier time today', '2025-06-15T11:59:59Z'],
    ['an earlier time given with an offset', '2025-06-15T13:59:59+02:00'],
  ])('has ended when it ran until %s', (_case, until) => {
    expect(activeExemption(exempt('migration window', until), NOW)).toBeUndefined();
  });

  it.each([
    ['words', 'next week'],
    ['a month that does not exist', '2025-13-01'],
    ['a day that does not exist', '2099-02-30'],
    ['a day-first date', '01/07/2099'],
    ['a time without a zone', '2099-07-01T10:00'],
    ['a written-out date', 'July 1, 2099'],
  ])('ends at once when the date is unreadable: %s', (_case, until) => {
    expect(activeExemption(exempt('migration window', until), NOW)).toBeUndefined();
  });

  it('is reported with the evaluation, which keeps its verdict', () => {
    const group = { ...itemResource('sg-public-app'), tags: exempt('demo until launch', '2025-06-30') };
    const evaluation = evaluateResource(rule, parseRuleParameters(rule, {}), group, lookups(), NOW);
    expect(evaluation).toMatchObject({ compliance: 'NON_COMPLIANT', exemption: { reason: 'demo until launch', until: '2025-06-30' } });
  });

  it('leaves an expired exemption out of the evaluation', () => {
    const group = { ...itemResource('sg-public-app'), tags: exempt('demo until launch', '2025-06-01') };
    expect(evaluateResource(rule, parseRuleParameters(rule, {}), group, lookups(), NOW)).not.toHaveProperty('exemption');
  });
});
