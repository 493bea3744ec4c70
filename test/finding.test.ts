import { InvalidEventError, UnknownRuleError } from '../lib/errors';
import { findingFromComplianceChange } from '../lib/finding';
import { RULES } from '../rules';
import { fixture } from './helpers';

const nonCompliant = () => fixture('config/compliance-change-noncompliant.json');
const compliant = () => fixture('config/compliance-change-compliant.json');

function changed(event: any, change: (event: any) => void) {
  change(event);
  return event;
}

describe('Finding from a Config compliance-change event', () => {
  it('turns a change to NON_COMPLIANT into a finding', () => {
    expect(findingFromComplianceChange(nonCompliant(), RULES)).toEqual({
      eventId: '8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14',
      ruleId: 'public-app-ports',
      severity: 'high',
      configRuleName: 'driftwarden-dev-public-app-ports',
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-0f1e2d3c4b5a69788',
      accountId: '123456789012',
      region: 'eu-west-1',
      compliance: 'NON_COMPLIANT',
      previousCompliance: 'COMPLIANT',
      annotation: 'Unauthorized public ingress: tcp/5173 0.0.0.0/0, tcp/4000 0.0.0.0/0, tcp/22 ::/0',
      observedAt: '2025-06-12T09:41:27.318Z',
      recordedAt: '2025-06-12T09:41:35.102Z',
    });
  });

  it('turns a change back to COMPLIANT into a finding without an annotation', () => {
    const finding = findingFromComplianceChange(compliant(), RULES);
    expect(finding).toMatchObject({ compliance: 'COMPLIANT', previousCompliance: 'NON_COMPLIANT', observedAt: '2025-06-12T11:03:49.775Z' });
    expect(finding).not.toHaveProperty('annotation');
  });

  it.each([
    ['absent', (event: any) => delete event.detail.oldEvaluationResult],
    ['null', (event: any) => (event.detail.oldEvaluationResult = null)],
  ])('has no previous verdict when the old result is %s (a first evaluation)', (_case, change) => {
    expect(findingFromComplianceChange(changed(nonCompliant(), change), RULES)).not.toHaveProperty('previousCompliance');
  });

  it('keeps INSUFFICIENT_DATA as the previous verdict', () => {
    const event = changed(nonCompliant(), (event) => (event.detail.oldEvaluationResult.complianceType = 'INSUFFICIENT_DATA'));
    expect(findingFromComplianceChange(event, RULES).previousCompliance).toBe('INSUFFICIENT_DATA');
  });

  it('takes account and region from the envelope when the detail leaves them out', () => {
    const event = changed(nonCompliant(), (event) => {
      delete event.detail.awsAccountId;
      delete event.detail.awsRegion;
      event.account = '210987654321';
      event.region = 'us-east-1';
    });
    expect(findingFromComplianceChange(event, RULES)).toMatchObject({ accountId: '210987654321', region: 'us-east-1' });
  });

  it('refuses INSUFFICIENT_DATA as a verdict to act on', () => {
    const event = changed(nonCompliant(), (event) => (event.detail.newEvaluationResult.complianceType = 'INSUFFICIENT_DATA'));
    expect(() => findingFromComplianceChange(event, RULES)).toThrow(
      new InvalidEventError('Event 8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14: INSUFFICIENT_DATA is not a verdict driftwarden acts on'),
    );
  });

  it.each([
    ['orderingTimestamp', (event: any) => (event.detail.newEvaluationResult.evaluationResultIdentifier.orderingTimestamp = 1e308)],
    ['resultRecordedTime', (event: any) => (event.detail.newEvaluationResult.resultRecordedTime = 'soon')],
  ])('refuses an event whose %s is not a time', (field, spoil) => {
    const event = nonCompliant();
    spoil(event);
    expect(() => findingFromComplianceChange(event, RULES)).toThrow(InvalidEventError);
    expect(() => findingFromComplianceChange(event, RULES)).toThrow(new RegExp(`${field}: not a time`));
  });

  it('names the rule it does not know', () => {
    const event = changed(nonCompliant(), (event) => (event.detail.configRuleName = 'securityhub-s3-bucket-ssl-requests-only-3f9a1c'));
    expect(() => findingFromComplianceChange(event, RULES)).toThrow(UnknownRuleError);
    expect(() => findingFromComplianceChange(event, RULES)).toThrow('No driftwarden rule matches "securityhub-s3-bucket-ssl-requests-only-3f9a1c"');
  });

  it.each([
    ['another detail-type', (event: any) => (event['detail-type'] = 'Config Configuration Item Change'), 'detail-type: Invalid literal value, expected "Config Rules Compliance Change"'],
    ['another source', (event: any) => (event.source = 'aws.securityhub'), 'source: Invalid literal value, expected "aws.config"'],
    ['no new result', (event: any) => delete event.detail.newEvaluationResult, 'detail.newEvaluationResult: Required'],
    ['an unknown verdict', (event: any) => (event.detail.newEvaluationResult.complianceType = 'FAILED'), 'detail.newEvaluationResult.complianceType: Invalid enum value'],
    ['no resource id', (event: any) => delete event.detail.resourceId, 'detail.resourceId: Required'],
    ['no ordering timestamp', (event: any) => delete event.detail.newEvaluationResult.evaluationResultIdentifier.orderingTimestamp, 'detail.newEvaluationResult.evaluationResultIdentifier.orderingTimestamp: Required'],
  ])('rejects an event with %s, naming the field', (_case, change, message) => {
    const event = changed(nonCompliant(), change);
    expect(() => findingFromComplianceChange(event, RULES)).toThrow(InvalidEventError);
    expect(() => findingFromComplianceChange(event, RULES)).toThrow(message);
  });

  it.each([
    ['null', null],
    ['a string', '{"detail-type":"Config Rules Compliance Change"}'],
  ])('rejects %s as not a compliance-change event', (_case, event) => {
    expect(() => findingFromComplianceChange(event, RULES)).toThrow(/^Not a "Config Rules Compliance Change" event: /);
  });
});
