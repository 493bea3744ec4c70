'use strict';
// An esbuild plugin that lets esbuild drop the AWS SDK schemas a bundle does not use.
//
// Each client's generated `dist-es/schemas/schemas_N.js` declares one string constant per name
// (`const _xN = "xmlName";`) and writes schema traits with computed keys: `{ [_xN]: _m }`. esbuild
// treats a computed key as a possible side effect (it could call `toString()`), so every top-level
// schema that contains one is kept even when nothing imports it: the EC2 client's 3,405 schemas all
// stay (aws-sdk-js-v3 issue 7607). Rewriting each such key to the literal its constant holds
// (`{ "xmlName": _m }`) makes those statements pure, and tree-shaking keeps only the schemas reachable
// from the commands a bundle imports. The objects built are the same: same keys, same values.
//
// Each client also imports its whole package.json (`import packageInfo from "../package.json"`) to
// read `packageInfo.version` for its user agent; a default import of JSON keeps every field (a few KB
// per client), so the manifest is loaded as `{ "version": … }`, the one field the SDK reads.
const { readFile } = require('node:fs/promises');

/**
 * The generated schema modules in the ES builds that `mainFields: [module, main]` resolves: each
 * client's, and those of the clients `@aws-sdk/nested-clients` holds for credential providers.
 */
const SCHEMA_MODULE = /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:submodules[\\/][^\\/]+[\\/])?schemas[\\/]schemas_\d+\.js$/;

/** `const _xN = "xmlName";` at the start of a line: a module-level string constant. */
const STRING_CONSTANT = /^const (_[A-Za-z0-9_$]*) = ("(?:[^"\\\n]|\\.)*");$/gm;

/** `[_xN]:`, a computed property key naming an identifier. */
const COMPUTED_KEY = /\[(_[A-Za-z0-9_$]*)\]:/g;

/**
 * Rewrites every computed key that names a module-level string constant to that string literal.
 * A computed key naming anything else is left as it is (and keeps its schema in the bundle).
 */
function literalSchemaKeys(source) {
  const constants = new Map();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT)) constants.set(name, literal);
  return source.replace(COMPUTED_KEY, (key, name) => (constants.has(name) ? `${constants.get(name)}:` : key));
}

/** An AWS SDK package's manifest, imported by its clients' runtime configuration. */
const SDK_MANIFEST = /[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/;

const awsSdkTreeShaking = {
  name: 'aws-sdk-tree-shaking',
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async ({ path }) => ({
      contents: literalSchemaKeys(await readFile(path, 'utf8')),
      loader: 'js',
    }));
    build.onLoad({ filter: SDK_MANIFEST }, async ({ path }) => ({
      contents: JSON.stringify({ version: JSON.parse(await readFile(path, 'utf8')).version }),
      loader: 'json',
    }));
  },
};

module.exports = { awsSdkTreeShaking, literalSchemaKeys, SCHEMA_MODULE, SDK_MANIFEST };
