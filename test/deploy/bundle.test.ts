import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractZip, listZip } from '../../bench/zip';

const PACKAGE_DIR = join(__dirname, '../../.serverless-test');
const zips = readdirSync(PACKAGE_DIR).filter((name) => name.endsWith('.zip'));

describe('Deploy: function bundles', () => {
  it('packages at least one function', () => {
    expect(zips.length).toBeGreaterThan(0);
  });

  it.each(zips)('%s ships its bundled handler alone: no node_modules, no source maps', (zip) => {
    const files = listZip(join(PACKAGE_DIR, zip)).map((entry) => entry.name).filter((name) => !name.endsWith('/'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^handlers\/[\w-]+\.js$/);
  });

  // What keeps each function under 250 KB: unused AWS SDK schemas are tree-shaken (scripts/esbuild-aws-sdk.js),
  // the credential chain is the Lambda environment's alone (scripts/esbuild-lambda-credentials.js) and the
  // zips are written at deflate level 9 (deploy/serverless-compress-artifacts.js).
  const LIMIT_KB = 250;
  it.each(zips)(`%s stays under ${LIMIT_KB} KB`, (zip) => {
    expect(statSync(join(PACKAGE_DIR, zip)).size).toBeLessThanOrEqual(LIMIT_KB * 1024);
  });

  it('keeps class names through minification, so a failed invocation logs the error by its name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'driftwarden-bundle-'));
    try {
      extractZip(join(PACKAGE_DIR, 'configRule.zip'), dir);
      const handlerFile = join(dir, 'handlers/config-rule.js');
      const invoke = `require(${JSON.stringify(handlerFile)}).handler({}, { functionName: 'f', awsRequestId: 'r' }).catch((error) => console.log('rejected with', error.name))`;
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
