import type { Lookups } from '../lookups';
import type { Resource } from '../model';

/** Where resources were read from; reports name it (SARIF uses the file as the finding's location). */
export interface SourceOrigin {
  kind: 'terraform' | 'snapshot' | 'demo' | 'live' | 'organization' | 'aggregator';
  /** The Config aggregator read (`--aggregator`). */
  aggregator?: string;
  /** The file read, as the user gave it. */
  file?: string;
  /** The folder that locations (`file` of a resource) are relative to, as the user gave it. */
  sourceRoot?: string;
}

/** Part of the input that was not read, and why: the scan is then incomplete. */
export interface IncompleteRead {
  resourceType: string;
  region?: string;
  reason: string;
}

/** What every source hands to a scan: normalised resources and the lookups their rules need. */
export interface SourceResult {
  origin: SourceOrigin;
  resources: Resource[];
  lookups: Lookups;
  /** Resource types in the input that driftwarden has no model for, with how many were skipped. */
  skippedTypes: Record<string, number>;
  /** Resources the input says are being destroyed (Terraform), so not evaluated. */
  destroyed: number;
  incomplete?: IncompleteRead[];
}

export function countSkipped(skippedTypes: Record<string, number>, type: string): void {
  skippedTypes[type] = (skippedTypes[type] ?? 0) + 1;
}
