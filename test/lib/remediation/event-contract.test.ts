import { DETAIL_TYPES, eventDetailOf } from '../../../lib/remediation/events';
import type { AuditRecord } from '../../../lib/remediation/audit';
import { alertOf } from '../../alerts/alert-fixtures';

/** A remediation event as EventBridge delivers it to the notifier: the envelope around our detail. */
function delivered(record: AuditRecord & { outcome: 'applied' | 'skipped' }) {
  const detail = eventDetailOf(record);
  return { version: '0', id: 'b1c2d3e4-0000-4000-8000-000000000001', 'detail-type': record.outcome === 'applied' ? DETAIL_TYPES.applied : DETAIL_TYPES.skipped, source: 'driftwarden', account: '123456789012', time: '2025-06-12T09:41:41Z', region: 'eu-west-1', resources: [], detail };
}

const base: Omit<AuditRecord, 'outcome'> = {
  auditId: '8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14',
  eventId: '8e1f3a52-6c4d-9b07-2e1a-5d3c7b9f0a14',
  origin: 'lambda',
  ruleId: 'public-app-ports',
  remediation: 'revoke-public-ingress',
  resourceType: 'AWS::EC2::SecurityGroup',
  resourceId: 'sg-0f1e2d3c4b5a69788',
  accountId: '123456789012',
  region: 'eu-west-1',
  mode: 'auto',
  summary: 'Revoke tcp 5173 from 0.0.0.0/0 on sg-0f1e2d3c4b5a69788 (driftwarden-dev-app). 1 change made.',
  createdAt: '2025-06-12T09:41:40.000Z',
  updatedAt: '2025-06-12T09:41:40.000Z',
};

describe('Remediation events: the notifier reads what the remediation Lambda publishes', () => {
  it('shows the sentence, the actions and the outcome of an applied run', () => {
    const { result } = alertOf(
      delivered({
        ...base,
        outcome: 'applied',
        result: { outcome: 'applied', message: '1 change made.', steps: [{ description: 'Revoke tcp 5173 from 0.0.0.0/0', operation: 'RevokeSecurityGroupIngress', status: 'done' }], undo: [] },
      }),
    );
    expect(result).toMatchObject({
      outcome: 'applied',
      auditId: base.auditId,
      summary: base.summary,
      actions: ['Revoke tcp 5173 from 0.0.0.0/0 (RevokeSecurityGroupIngress): done'],
    });
  });

  it('shows why a run was skipped', () => {
    const { result } = alertOf(delivered({ ...base, outcome: 'skipped', reason: 'exempt', summary: 'sg-0f1e2d3c4b5a69788 is exempt until 2025-07-01: load test.' }));
    expect(result).toMatchObject({ outcome: 'skipped', skipReason: 'exempt', summary: 'sg-0f1e2d3c4b5a69788 is exempt until 2025-07-01: load test.' });
  });
});
