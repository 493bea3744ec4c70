#!/usr/bin/env node
'use strict';
// pre-commit passes the changed plan files; each is scanned, and the hook fails if any scan does.
const { run } = (() => {
  try {
    return require('../dist/cli.js');
  } catch {
    process.stderr.write('driftwarden: dist/cli.js is missing; run `npm ci` (or `npm run build`) in the driftwarden folder.\n');
    process.exit(2);
  }
})();

(async () => {
  const files = process.argv.slice(2);
  let worst = 0;
  for (const file of files) worst = Math.max(worst, await run(['scan', '--terraform', file, '--format', 'github']));
  process.exitCode = worst;
})();
