import type { LiveCollector } from './live';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** What commands use from their surroundings, injected so tests can run them in process. */
export interface CliContext {
  stdout: Output;
  stderr: Output;
  now(): Date;
  /** The AWS side of `scan` without a file source; absent in a build without it. */
  liveCollector?: LiveCollector;
  /** Set by a command that completed but wants a non-zero exit (findings at or above --fail-on). */
  exitCode: number;
}
