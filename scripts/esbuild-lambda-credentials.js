'use strict';
// An esbuild plugin for the function bundles: every SDK client takes its credentials from the
// environment variables the Lambda runtime sets, not from the SDK's default chain.
//
// Each client's runtime configuration imports `defaultProvider` from
// `@aws-sdk/credential-provider-node`, the chain a laptop or an EC2 instance needs: environment, SSO,
// shared ini files, `credential_process`, web identity, container and instance metadata, with the STS
// and SSO clients of `@aws-sdk/nested-clients` behind them. In Lambda the chain always stops at its
// first link, the environment (the runtime sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN for the execution role), so the rest is ~100 KB of code each function compiles
// at every cold start and never runs. The CLI is not bundled with this plugin and keeps the chain.
const { dirname } = require('node:path');

const CREDENTIAL_CHAIN = /^@aws-sdk\/credential-provider-node$/;
const NAMESPACE = 'lambda-environment-credentials';

const lambdaEnvironmentCredentials = {
  name: NAMESPACE,
  setup(build) {
    build.onResolve({ filter: CREDENTIAL_CHAIN }, ({ resolveDir }) => ({ path: 'defaultProvider', namespace: NAMESPACE, pluginData: { resolveDir } }));
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, ({ pluginData }) => ({
      // Same signature as the chain's `defaultProvider(init)`: a provider the client memoises.
      contents: 'export { fromEnv as defaultProvider } from "@aws-sdk/credential-provider-env";',
      loader: 'js',
      resolveDir: pluginData.resolveDir,
    }));
  },
};

module.exports = { lambdaEnvironmentCredentials, CREDENTIAL_CHAIN };
