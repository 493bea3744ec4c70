import { UnknownRemediationError } from '../lib/errors';
import type { AnyRemediation } from '../lib/remediation/plan';
import enableEncryption from './enable-encryption';
import enableFlowLogs from './enable-flow-logs';
import revokePublicIngress from './revoke-public-ingress';
import rotateSecret from './rotate-secret';

/** Every remediation driftwarden ships; a rule names one of these by id. */
export const REMEDIATIONS: readonly AnyRemediation[] = [revokePublicIngress, enableFlowLogs, enableEncryption, rotateSecret];

export function findRemediation(id: string, remediations: readonly AnyRemediation[] = REMEDIATIONS): AnyRemediation {
  const remediation = remediations.find((candidate) => candidate.id === id);
  if (!remediation) {
    throw new UnknownRemediationError(`No remediation "${id}" (known: ${remediations.map((known) => known.id).join(', ')})`);
  }
  return remediation;
}
