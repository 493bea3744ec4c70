import { awsLiveCollector } from './aws';
import { runCli } from './main';

/** The process entry point bundled into `dist/cli.js` and started by `bin/driftwarden.js`. */
// The lockfile pins the SDK; its notice about releases after January 2027 would only clutter stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export function run(argv: readonly string[]): Promise<number> {
  return runCli(argv, { stdout: process.stdout, stderr: process.stderr, now: () => new Date(), liveCollector: awsLiveCollector });
}
