// The CLI tests run `bin/driftwarden.js` as a subprocess: build the bundle it loads from the current sources.
const { buildCli } = require('../scripts/build-cli');

module.exports = () => {
  buildCli();
};
