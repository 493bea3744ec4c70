'use strict';
// `npm run bench`: compiles the TypeScript benchmark with esbuild (packages stay external, so the
// benchmark measures the same node_modules the functions are built from) and runs it.
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { buildSync } = require('esbuild');

const projectDir = path.resolve(__dirname, '..');
const outdir = path.join(projectDir, '.bench', 'build');

buildSync({
  entryPoints: ['main', 'sweep-worker', 'fake-host', 'plan-worker', 'source-worker', 'organization'].map((name) => path.join(__dirname, `${name}.ts`)),
  outdir,
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
});

// `npm run bench -- --org`: the organization scan benchmark alone (bench/organization.ts).
const organization = process.argv.includes('--org');
const entry = organization ? 'organization.js' : 'main.js';
const args = process.argv.slice(2).filter((arg) => arg !== '--org');
const result = spawnSync(process.execPath, ['--expose-gc', path.join(outdir, entry), ...args], {
  stdio: 'inherit',
  cwd: projectDir,
});
process.exit(result.status ?? 1);
