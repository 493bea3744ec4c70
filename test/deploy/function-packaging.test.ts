import archiver from 'archiver';
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';

const { lambdaEnvironmentCredentials } = require('../../scripts/esbuild-lambda-credentials') as { lambdaEnvironmentCredentials: Plugin };
const { recompress } = require('../../deploy/serverless-compress-artifacts') as { recompress: (zipPath: string) => Promise<void> };
const { readEntries } = require('../../deploy/zip-entries') as { readEntries: (zipPath: string) => Promise<{ name: string; date: Date; mode: number; data: Buffer }[]> };

const execFileAsync = promisify(execFile);
const PROJECT_DIR = join(__dirname, '../..');

/** A client asked for its credentials, bundled the way serverless.yml bundles a function. */
const CLIENT_CREDENTIALS = `
import { STSClient } from '@aws-sdk/client-sts';
new STSClient({ region: 'eu-west-1' }).config.credentials().then(
  (credentials) => console.log(JSON.stringify({ accessKeyId: credentials.accessKeyId, sessionToken: credentials.sessionToken })),
  (error) => console.log(JSON.stringify({ error: error.name, message: error.message })),
);`;

async function bundleClient(plugins: Plugin[]) {
  const result = await build({
    stdin: { contents: CLIENT_CREDENTIALS, resolveDir: PROJECT_DIR, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins,
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

async function runBundle(code: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'driftwarden-credentials-'));
  try {
    writeFileSync(join(dir, 'bundle.js'), code);
    // HOME points at an empty folder, so no shared config file or SSO cache can answer instead.
    const { stdout } = await execFileAsync(process.execPath, [join(dir, 'bundle.js')], {
      env: { PATH: process.env.PATH!, HOME: dir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true', ...env },
    });
    return JSON.parse(stdout) as Record<string, string>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Build: function bundles take credentials from the Lambda environment', () => {
  let bundled: { code: string; inputs: string[] };
  beforeAll(async () => {
    bundled = await bundleClient([lambdaEnvironmentCredentials]);
  });

  it('leaves out the default chain and the STS and SSO clients behind it', async () => {
    const chain = await bundleClient([]);
    expect(chain.inputs.some((input) => input.includes('credential-provider-ini'))).toBe(true);
    for (const left of ['credential-provider-node', 'credential-provider-ini', 'credential-provider-sso', 'credential-provider-process', 'credential-provider-web-identity', 'nested-clients', 'credential-provider-imds']) {
      expect(bundled.inputs.filter((input) => input.includes(`/${left}/`))).toEqual([]);
    }
    expect(bundled.inputs.some((input) => input.includes('/credential-provider-env/'))).toBe(true);
    expect(bundled.code.length).toBeLessThan(chain.code.length - 100_000);
  });

  it('reads the variables the Lambda runtime sets for the execution role', async () => {
    const answer = await runBundle(bundled.code, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEROLEKEY', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'role-session' });
    expect(answer).toEqual({ accessKeyId: 'ASIAEXAMPLEROLEKEY', sessionToken: 'role-session' });
  });

  it('fails with the SDK credentials error when the variables are missing', async () => {
    const answer = await runBundle(bundled.code, {});
    expect(answer.error).toBe('CredentialsProviderError');
    expect(answer.message).toMatch(/environment variable/i);
  });
});

/** A zip written as serverless-esbuild writes one: archiver's default (deflate level 1), dates at 1980. */
async function writeFastZip(zipPath: string, files: { name: string; data: string; mode?: number }[]) {
  const archive = archiver('zip');
  const output = createWriteStream(zipPath);
  const written = new Promise<void>((done) => output.on('close', () => done()));
  archive.pipe(output);
  for (const file of files) archive.append(file.data, { name: file.name, date: new Date(0), ...(file.mode !== undefined && { mode: file.mode }) });
  await archive.finalize();
  await written;
}

describe('Build: function zips at deflate level 9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'driftwarden-zip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every entry, its data, date and mode, and makes the zip smaller', async () => {
    const minified = Array.from({ length: 4000 }, (_, i) => `var a${i}=function(b){return b.c${i % 97}+"${(i * 7919) % 10007}"};`).join('');
    const files = [
      { name: 'handlers/config-rule.js', data: minified },
      { name: 'bin/hook', data: '#!/bin/sh\necho ok\n', mode: 0o100755 },
    ];
    const zipPath = join(dir, 'function.zip');
    await writeFastZip(zipPath, files);
    const before = { size: statSync(zipPath).size, entries: await readEntries(zipPath) };

    await recompress(zipPath);

    const after = await readEntries(zipPath);
    expect(after).toEqual(before.entries);
    expect(after.map((entry) => entry.name)).toEqual(files.map((file) => file.name));
    expect(after[1]!.mode).toBe(0o100755);
    expect(statSync(zipPath).size).toBeLessThan(before.size);
  });

  it('gives the same bytes every time, so an unchanged function keeps its hash', async () => {
    const zipPath = join(dir, 'stable.zip');
    await writeFastZip(zipPath, [{ name: 'handlers/notify.js', data: 'exports.handler=async()=>1;'.repeat(200) }]);
    await recompress(zipPath);
    const first = readFileSync(zipPath);
    await recompress(zipPath);
    expect(readFileSync(zipPath).equals(first)).toBe(true);
  });
});
