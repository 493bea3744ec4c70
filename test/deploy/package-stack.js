'use strict';
// Part of the jest global setup: `serverless package` once per test run, offline and without credentials, so
// every deploy test reads the CloudFormation that would really be deployed.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

/** Stage `test` (one account) into .serverless-test, stage `org-example` (organization mode) into .serverless-test-org. */
const STAGES = { test: '.serverless-test', 'org-example': '.serverless-test-org' };

module.exports = async function packageStack() {
  for (const [stage, directory] of Object.entries(STAGES)) packageStage(stage, directory);
};

function packageStage(stage, directory) {
  const root = path.resolve(__dirname, '../..');
  const output = path.join(root, directory);
  execFileSync(process.execPath, [require.resolve('osls/bin/serverless.js'), 'package', '--stage', stage, '--region', 'eu-west-1', '--package', output], {
    cwd: root,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'driftwarden-no-such-profile' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
