'use strict';
// The esbuild plugins the functions are bundled with (serverless.yml's `custom.esbuild.plugins`,
// which the benchmark packages too).
const { awsSdkTreeShaking } = require('./esbuild-aws-sdk');
const { chunksNamedAfterEntry } = require('./esbuild-function-chunks');
const { lambdaEnvironmentCredentials } = require('./esbuild-lambda-credentials');

module.exports = [awsSdkTreeShaking, lambdaEnvironmentCredentials, chunksNamedAfterEntry];
