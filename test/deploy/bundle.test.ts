import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractZip, readZipFiles } from '../../bench/zip';

const PACKAGE_DIR = join(__dirname, '../../.serverless-test');
const zips = readdirSync(PACKAGE_DIR).filter((name) => name.endsWith('.zip'));
const SDK_MODULES = readdirSync(join(__dirname, '../../lib/aws/sdk')).map((name) => name.replace(/\.ts$/, ''));

const filesOf = async (zip: string) => (await readZipFiles(join(PACKAGE_DIR, zip))).map((entry) => entry.name);

/** What loading a handler reads: its file and the chunks it imports statically, transitively (`import()` targets are left out). */
function loadedAtStart(dir: string, file: string, loaded = new Set<string>()): Set<string> {
  loaded.add(file);
  for (const [, chunk] of readFileSync(join(dir, file), 'utf8').matchAll(/(?:from|import)\s*"\.\/([^"]+)"/g)) {
    if (!loaded.has(`handlers/${chunk}`)) loadedAtStart(dir, `handlers/${chunk}`, loaded);
  }
  return loaded;
}

describe('Deploy: function bundles', () => {
  it('packages at least one function', () => {
    expect(zips.length).toBeGreaterThan(0);
  });

  it.each(zips)('%s ships its bundled handler and that bundle\'s chunks alone: no node_modules, no source maps, no other function\'s chunks', async (zip) => {
    const files = await filesOf(zip);
    const handlers = files.filter((name) => /^handlers\/[\w-]+\.mjs$/.test(name));
    expect(handlers).toHaveLength(1);
    const entry = handlers[0]!.slice(0, -'.mjs'.length);
    for (const file of files) expect(file).toMatch(new RegExp(`^${entry}(\\.[\\w-]+)?\\.mjs$`));
  });

  // The SDK modules the code loads with import() (lib/aws/sdk/) are compiled on first use, not when
  // Lambda loads the handler: that keeps a cold start near an empty Node.js process (BENCHMARKS.md).
  it.each(zips)('%s loads no AWS SDK service, and at most 360 KB of code, with its handler', async (zip) => {
    const dir = mkdtempSync(join(tmpdir(), 'driftwarden-bundle-'));
    try {
      await extractZip(join(PACKAGE_DIR, zip), dir);
      const files = await filesOf(zip);
      const handler = files.find((name) => /^handlers\/[\w-]+\.mjs$/.test(name))!;
      const loaded = [...loadedAtStart(dir, handler)];
      const services = files.filter((name) => SDK_MODULES.some((module) => new RegExp(`\\.${module}-\\w+\\.mjs$`).test(name)));
      expect(services.length).toBeGreaterThan(0);
      expect(loaded.filter((file) => services.includes(file))).toEqual([]);
      expect(loaded.reduce((bytes, file) => bytes + statSync(join(dir, file)).size, 0)).toBeLessThanOrEqual(360 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // What keeps each function under 250 KB: unused AWS SDK schemas are tree-shaken (scripts/esbuild-aws-sdk.js),
  // the credential chain is the Lambda environment's alone (scripts/esbuild-lambda-credentials.js) and the
  // zips are written at deflate level 9 (deploy/serverless-compress-artifacts.js).
  const LIMIT_KB = 250;
  it.each(zips)(`%s stays under ${LIMIT_KB} KB`, (zip) => {
    expect(statSync(join(PACKAGE_DIR, zip)).size).toBeLessThanOrEqual(LIMIT_KB * 1024);
  });

  it('keeps class names through minification, so a failed invocation logs the error by its name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'driftwarden-bundle-'));
    try {
      await extractZip(join(PACKAGE_DIR, 'configRule.zip'), dir);
      const handlerFile = pathToFileURL(join(dir, 'handlers/config-rule.mjs')).href;
      const invoke = `import(${JSON.stringify(handlerFile)}).then(({ handler }) => handler({}, { functionName: 'f', awsRequestId: 'r' })).catch((error) => console.log('rejected with', error.name))`;
      const child = spawnSync(process.execPath, ['-e', invoke], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      });
      // Metrics and logs share stdout with the verdict.
      expect(child.stdout).toMatch(/^rejected with InvalidEventError$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
