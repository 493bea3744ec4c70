'use strict';
// Once per test run: build the CLI bundle the subprocess tests run, and package the stack the deploy
// tests read, both from the current sources.
const { buildCli } = require('../scripts/build-cli');
const packageStack = require('./deploy/package-stack');

module.exports = async () => {
  buildCli();
  await packageStack();
};
