'use strict';
// Part of the jest global setup: `serverless package` once per test run, offline and without credentials, so
// every deploy test reads the CloudFormation that would really be deployed.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function packageStack() {
  const root = path.resolve(__dirname, '../..');
  const output = path.join(root, '.serverless-test');
  execFileSync(process.execPath, [require.resolve('osls/bin/serverless.js'), 'package', '--stage', 'test', '--region', 'eu-west-1', '--package', output], {
    cwd: root,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'driftwarden-no-such-profile' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
};
