import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../cli/main';
import { FIXTURES } from '../helpers';

const BIN = join(__dirname, '..', '..', 'bin', 'driftwarden.js');
const WORK = mkdtempSync(join(tmpdir(), 'driftwarden-startup-'));
const RECORDER = join(WORK, 'record-modules.js');
// Preloaded into the CLI's process: at exit, writes every module file it loaded.
writeFileSync(RECORDER, "process.on('exit', () => require('fs').writeFileSync(process.env.MODULES_FILE, JSON.stringify(Object.keys(require.cache))));\n");

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

/** The packages (`commander`, `@aws-sdk/client-ec2`) whose files a run of the built CLI loaded, and whether it loaded the CLI bundle. */
function packagesLoaded(...args: string[]): Promise<{ code: number; packages: string[]; bundle: boolean; stdout: string }> {
  const modulesFile = join(WORK, `modules-${args.join('-').replace(/\W+/g, '_')}.json`);
  const env = { PATH: process.env.PATH ?? '', HOME: WORK, MODULES_FILE: modulesFile, AWS_EC2_METADATA_DISABLED: 'true' };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--require', RECORDER, BIN, ...args], { cwd: WORK, env }, (error, stdout) => {
      const files = JSON.parse(readFileSync(modulesFile, 'utf8')) as string[];
      const packages = files.flatMap((file) => file.match(/node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/)?.[1]?.replace('\\', '/') ?? []);
      const bundle = files.some((file) => /[\\/]dist[\\/]cli\.js$/.test(file));
      resolve({ code: error ? Number(error.code) : 0, packages: [...new Set(packages)].sort(), bundle, stdout });
    });
  });
}

const isAwsSdk = (name: string) => name.startsWith('@aws-sdk/') || name.startsWith('@smithy/');

describe('CLI start-up: each command loads its dependencies when it runs', () => {
  it.each(['--version', '-V'])('%s is answered before the CLI bundle loads, as the bundle answers it', async (flag) => {
    const fromBundle: string[] = [];
    const write = (text: string) => fromBundle.push(text);
    expect(await runCli([flag], { stdout: { write }, stderr: { write }, now: () => new Date() })).toBe(0);
    expect(await packagesLoaded(flag)).toEqual({ code: 0, packages: [], bundle: false, stdout: fromBundle.join('') });
  });

  it('--help and a command\'s help load commander and nothing else', async () => {
    expect(await packagesLoaded('--help')).toMatchObject({ code: 0, packages: ['commander'], bundle: true });
    expect(await packagesLoaded('scan', '--help')).toMatchObject({ code: 0, packages: ['commander'], bundle: true });
    expect(await packagesLoaded('--version', '--help')).toMatchObject({ code: 0, packages: ['commander'], bundle: true });
  });

  it.each([
    ['a Terraform plan', ['--terraform', join(FIXTURES, 'terraform', 'plan-web.json')]],
    ['a Config snapshot', ['--snapshot', join(FIXTURES, 'config', 'api-get-resource-config-history-sg.json')]],
    ['the demo account', ['--demo']],
  ])('scanning %s loads no AWS SDK code', async (_source, args) => {
    const { code, packages } = await packagesLoaded('scan', ...args, '--format', 'json', '--fail-on', 'none');
    expect(code).toBe(0);
    expect(packages).toContain('zod');
    expect(packages.filter(isAwsSdk)).toEqual([]);
  });

  it('a live scan does load the SDK (the recorder sees it)', async () => {
    const { code, packages } = await packagesLoaded('scan');
    // No region or credentials here: the scan stops at the region, after loading the SDK to resolve it.
    expect(code).toBe(2);
    expect(packages).toContain('@aws-sdk/client-sts');
  });
});
