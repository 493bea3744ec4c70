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

/** What every source hands to a scan: normalised resources and the lookups their rules need. */
export interface SourceResult {
  origin: SourceOrigin;
  resources: Resource[];
  lookups: Lookups;
  /** Resource types in the input that driftwarden has no model for, with how many were skipped. */
  skippedTypes: Record<string, number>;
  /** Resources the input says are being destroyed (Terraform), so not evaluated. */
  destroyed: number;
  /** What could not be read (a type in a region the credentials may not list): the scan is incomplete. */
  incomplete?: IncompleteRead[];
  /** True when nothing at all could be read: no verdict of the scan means anything. */
  nothingRead?: boolean;
  /** Resources whose newest recorded state is deleted (a Config history): NOT_APPLICABLE to every rule of their type. */
  gone?: GoneResource[];
}

export interface IncompleteRead {
  /** The resource type, or `lookup:<name>` for a lookup (flow logs, key managers) that failed. */
  resourceType: string;
  region?: string;
  reason: string;
}

export interface GoneResource {
  resourceType: string;
  resourceId: string;
  /** Why it is gone, for the annotation: the item's status (`ResourceDeleted`). */
  status: string;
  capturedAt?: string;
}

export function countSkipped(skippedTypes: Record<string, number>, type: string): void {
  skippedTypes[type] = (skippedTypes[type] ?? 0) + 1;
}
