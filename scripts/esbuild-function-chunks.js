'use strict';
// An esbuild plugin that names a split bundle's chunks after its entry point: `config-rule.mjs`
// loads `config-rule.ec2-<hash>.mjs`, `config-rule.chunk-<hash>.mjs`, ...
//
// serverless-esbuild builds each function's handler on its own into one shared directory, then zips
// for each function every file there except the other functions' handlers and the files named after
// them (`<handler>.*`, as it does for source maps). Named this way, a function's chunks go into its
// own zip and no other.
const { basename, extname } = require('node:path');

const chunksNamedAfterEntry = {
  name: 'chunks-named-after-entry',
  setup(build) {
    const { splitting, entryPoints } = build.initialOptions;
    if (!splitting) return;
    if (!Array.isArray(entryPoints) || entryPoints.length !== 1) {
      throw new Error('chunks-named-after-entry: a split build must have one entry point, whose name its chunks take');
    }
    const entry = String(typeof entryPoints[0] === 'string' ? entryPoints[0] : entryPoints[0].in);
    build.initialOptions.chunkNames = `${basename(entry, extname(entry))}.[name]-[hash]`;
  },
};

module.exports = { chunksNamedAfterEntry };
