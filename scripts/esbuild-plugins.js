'use strict';
// The esbuild plugins every bundle of driftwarden is built with: the functions (serverless.yml's
// `custom.esbuild.plugins`), the CLI (scripts/build-cli.js) and the benchmark.
const { awsSdkTreeShaking } = require('./esbuild-aws-sdk');
const { chunksNamedAfterEntry } = require('./esbuild-function-chunks');

module.exports = [awsSdkTreeShaking, chunksNamedAfterEntry];
