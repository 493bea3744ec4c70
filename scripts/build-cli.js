#!/usr/bin/env node
'use strict';
// Bundles the TypeScript CLI into dist/cli.js. Runs as the `prepare` script, so `npm ci` leaves a
// runnable `driftwarden`; dependencies stay in node_modules (`packages: 'external'`).
const { buildSync } = require('esbuild');
const { join } = require('node:path');

function buildCli(outfile = join(__dirname, '..', 'dist', 'cli.js')) {
  buildSync({
    entryPoints: [join(__dirname, '..', 'cli', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

module.exports = { buildCli };

if (require.main === module) buildCli();
