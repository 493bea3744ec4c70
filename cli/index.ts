import { runCli } from './main';

/** The process entry point bundled into `dist/cli.js` and started by `bin/driftwarden.js`. */
export function run(argv: readonly string[]): Promise<number> {
  return runCli(argv, { stdout: process.stdout, stderr: process.stderr, now: () => new Date() });
}
