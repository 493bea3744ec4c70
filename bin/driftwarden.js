#!/usr/bin/env node
'use strict';
// `driftwarden --version` is answered here, before the CLI bundle is even compiled: CI jobs and
// wrappers call it to check the install, and it then costs about what an empty `node` does.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
  return;
}
let cli;
try {
  cli = require('../dist/cli.js');
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli.js')) throw error;
  process.stderr.write('driftwarden: dist/cli.js is missing; run `npm ci` (or `npm run build`) in the driftwarden folder.\n');
  process.exit(2);
}
cli.run(argv).then((code) => {
  process.exitCode = code;
});
