import type { LiveCollector } from './live';
import { runCli } from './main';

// The lockfile pins the SDK; its notice about releases after January 2027 would only clutter stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The AWS SDK is loaded only when a scan reads the live account: file scans, `--help` and `--version` never load it. */
const liveCollector: LiveCollector = {
  collect: async (request) => (await import('./aws')).awsLiveCollector.collect(request),
};

/** The process entry point bundled into `dist/cli.js` and started by `bin/driftwarden.js`. */
export function run(argv: readonly string[]): Promise<number> {
  // `driftwarden scan --format json | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return runCli(argv, { stdout: process.stdout, stderr: process.stderr, now: () => new Date(), liveCollector });
}
