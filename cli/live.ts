import type { Lookups } from '../lib/lookups';
import type { Resource } from '../lib/model';
import type { AnyRule } from '../lib/rule';

/** How far a live listing has got, for the progress bar. */
export interface LiveProgress {
  done: number;
  total: number;
  /** What was just listed, e.g. `AWS::EC2::SecurityGroup in eu-west-1`. */
  label?: string;
}

export interface LiveScanRequest {
  rules: readonly AnyRule[];
  /** Regions asked for with `--region`; empty means the region of the standard AWS chain. */
  regions: readonly string[];
  /** `--profile`: a named profile of the shared AWS config and credentials files. */
  profile?: string;
  /** At most this many List/Describe calls in flight. */
  concurrency: number;
  onProgress?: (progress: LiveProgress) => void;
}

/** A resource type that could not be listed in a region (access denied, throttled after retries). */
export interface LiveListingError {
  resourceType: string;
  region: string;
  message: string;
}

export interface LiveCollection {
  resources: Resource[];
  lookups: Lookups;
  errors: readonly LiveListingError[];
  /** Listings (resource type × region) that were read to the end: 0 means nothing was read at all. */
  listed: number;
}

/**
 * What `scan` needs from the AWS side of a live scan: list the resources of the rules' types, with
 * the lookups those rules use. Credential or region problems are thrown as `DriftwardenError`s whose
 * message says what to do.
 */
export interface LiveCollector {
  collect(request: LiveScanRequest): Promise<LiveCollection>;
}
