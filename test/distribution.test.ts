import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FIXTURES } from './helpers';

const ROOT = join(__dirname, '..');
const PLAN = join(FIXTURES, 'terraform', 'plan-web.json');

describe('Distribution', () => {
  it('packs a tarball that installs into an empty folder and runs `driftwarden scan --demo`', () => {
    const work = mkdtempSync(join(tmpdir(), 'driftwarden-pack-'));
    // The bundle is already built by the test setup; rebuilding it here would race the other CLI tests.
    const tarball = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    const listing = execFileSync('tar', ['tzf', join(work, tarball)], { encoding: 'utf8' });
    for (const entry of ['package/dist/cli.js', 'package/bin/driftwarden.js', 'package/docs/rules/public-app-ports.md', 'package/action.yml']) expect(listing).toContain(entry);
    expect(listing).not.toContain('package/test/');
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{"name":"consumer","private":true}');
    // Dependencies come from the npm cache the project's own `npm ci` filled, else the registry.
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)], { cwd: app, stdio: 'pipe' });
    const run = spawnSync(join(app, 'node_modules', '.bin', 'driftwarden'), ['scan', '--demo'], { cwd: app, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('4 findings (2 high, 2 medium)');
  }, 300_000);

  it('declares a pre-commit hook whose entry scans the plan files it is given and fails on findings', () => {
    const [hook] = parseYaml(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8'));
    expect(hook).toMatchObject({ id: 'driftwarden-terraform-plan', language: 'node', pass_filenames: true });
    expect(new RegExp(hook.files).test('infra/prod/tfplan.json')).toBe(true);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const run = spawnSync(process.execPath, [join(ROOT, pkg.bin[hook.entry]), PLAN], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error file=.*plan-web\.json,title=driftwarden public-app-ports/m);
  });

  it("runs the Action's scan step: annotations, a SARIF file, a job summary and the exit code as an output", () => {
    const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
    expect(action.runs.using).toBe('composite');
    const steps = action.runs.steps as { name: string; run?: string; uses?: string; with?: Record<string, string> }[];
    expect(steps.map((step) => step.name)).toEqual(['Install driftwarden', 'Scan', 'Upload SARIF', 'Fail on findings']);
    expect(steps[2]!.uses).toMatch(/^github\/codeql-action\/upload-sarif@v3$/);
    const work = mkdtempSync(join(tmpdir(), 'driftwarden-action-'));
    const bin = join(work, 'bin');
    mkdirSync(bin);
    // The installed command, as `npm install --global` would put it on PATH.
    symlinkSync(join(ROOT, 'bin', 'driftwarden.js'), join(bin, 'driftwarden'));
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      RUNNER_TEMP: work,
      GITHUB_STEP_SUMMARY: join(work, 'summary.md'),
      GITHUB_OUTPUT: join(work, 'output'),
      INPUT_TERRAFORM: PLAN,
      INPUT_SNAPSHOT: '',
      INPUT_BASELINE: '',
      INPUT_FAIL_ON: 'high',
      INPUT_SARIF: join(work, 'driftwarden.sarif'),
    };
    const scan = spawnSync('bash', ['-e', '-c', steps[1]!.run!], { cwd: work, env, encoding: 'utf8' });
    expect(scan.status).toBe(0);
    expect(scan.stdout).toMatch(/^::error file=/m);
    expect(JSON.parse(readFileSync(env.INPUT_SARIF, 'utf8')).runs[0].results.length).toBeGreaterThan(0);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')).toMatch(/^## driftwarden: \d+ findings?/);
    expect(readFileSync(env.GITHUB_OUTPUT, 'utf8')).toBe('exit-code=1\n');
    const fail = spawnSync('bash', ['-e', '-c', steps[3]!.run!], { env: { ...env, EXIT_CODE: '1' } });
    expect(fail.status).toBe(1);
  });
});
