'use strict';
// serverless.yml reads the stack from here; the TypeScript it builds on is bundled on the fly so the
// deployed rules, their scope and the IAM policy come from the same registry the Lambda runs.
const path = require('node:path');
const { buildSync } = require('esbuild');

const projectDir = path.resolve(__dirname, '..');
let stackModule;

function loadStack() {
  if (!stackModule) {
    const { outputFiles } = buildSync({
      entryPoints: [path.join(__dirname, 'index.ts')],
      bundle: true,
      platform: 'node',
      packages: 'external',
      format: 'cjs',
      write: false,
      logLevel: 'silent',
    });
    const compiled = new module.constructor();
    compiled.paths = module.paths;
    compiled._compile(outputFiles[0].text, path.join(__dirname, 'index.bundle.js'));
    stackModule = compiled.exports;
  }
  return stackModule;
}

async function namesFrom(resolveVariable) {
  return { service: await resolveVariable('self:service'), stage: await resolveVariable('sls:stage') };
}

module.exports.resources = async ({ resolveVariable }) => loadStack().stackResources(projectDir, await namesFrom(resolveVariable));
module.exports.settings = async ({ resolveVariable }) => loadStack().stackSettingsJson(projectDir, await namesFrom(resolveVariable));
module.exports.remediateHandler = async ({ resolveVariable }) => loadStack().remediateHandler(projectDir, await namesFrom(resolveVariable));
