import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildSync } from 'esbuild';
import { parseDocument } from 'yaml';
import { median } from './stats';
import { extractZip, readZipFiles } from './zip';

/** The two ways to ship the AWS SDK that issue 6 asks to compare. */
export type SdkChoice = 'bundled' | 'runtime';

/** Marking these external leaves every SDK v3 module to the copy the nodejs22.x runtime provides. */
export const RUNTIME_SDK_EXCLUDES = ['@aws-sdk/*', '@smithy/*'];

export interface FunctionLoad {
  /** Wall time of a fresh `node` process that requires the handler file and exits, median. */
  processMs: number;
  /** CPU time (user + system) of that whole process, start-up included, median. */
  cpuMs: number;
  /** Time of loading the handler module alone (`import()`) inside that process, median. */
  requireMs: number;
}

export interface FunctionPackage {
  name: string;
  handler: string;
  zipBytes: number;
  /** Entries in the zip; a bundled function ships its handler file and that bundle's chunks, nothing else. */
  files: string[];
  shipsNodeModules: boolean;
  shipsSourceMaps: boolean;
  load: FunctionLoad;
}

export interface PackagingVariant {
  sdk: SdkChoice;
  /** The `custom.esbuild.exclude` it was packaged with. */
  exclude: string[];
  packageSeconds: number;
  functions: FunctionPackage[];
}

export interface PackagingResult {
  /** The choice serverless.yml makes today. */
  configured: SdkChoice;
  variants: PackagingVariant[];
  emptyModule: FunctionLoad;
  /** Each handler's TypeScript compiled file by file (no bundle), loaded from the project's node_modules. */
  unbundled: { name: string; load: FunctionLoad }[];
  /** `driftwarden --version` (the built CLI), timed in the same rounds as the handlers. */
  cliVersion: Omit<FunctionLoad, 'requireMs'>;
  loadRuns: number;
}

// import() loads an ES module handler (the functions) and a CommonJS one (the unbundled build) alike, as Lambda does.
const PROBE = `const url = require('node:url').pathToFileURL(process.argv[1]).href; const start = process.hrtime.bigint(); import(url).then(() => process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6)));`;

/** Preloaded into every timed process: at exit, its whole CPU time (process.cpuUsage counts from the process's start). */
const CPU_REPORTER = `process.on('exit', () => { const { user, system } = process.cpuUsage(); process.stderr.write('\\ncpu-us ' + (user + system) + '\\n'); });`;

interface LoadTarget {
  /** What follows `node --require <cpu reporter>`. */
  argv: string[];
  env: NodeJS.ProcessEnv;
  process: number[];
  cpu: number[];
  require: number[];
}

/**
 * Loads every target in a fresh `node` process, `runs` times, round-robin so a noisy neighbour slows
 * all targets alike rather than one of them.
 */
function timeLoads(targets: LoadTarget[], runs: number, cpuReporter: string): void {
  for (let run = 0; run < runs; run++) {
    for (const target of targets) {
      const start = process.hrtime.bigint();
      const child = spawnSync(process.execPath, ['--require', cpuReporter, ...target.argv], { env: target.env, encoding: 'utf8' });
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      const cpu = /^cpu-us (\d+)$/m.exec(child.stderr)?.[1];
      if (child.status !== 0 || cpu === undefined) throw new Error(`${target.argv.join(' ')} failed:\n${child.stderr}`);
      target.process.push(elapsed);
      target.cpu.push(Number(cpu) / 1000);
      // Handlers print the time of their require(); the CLI prints its version.
      if (target.argv[0] === '-e') target.require.push(Number(child.stdout));
    }
  }
}

const summarise = (target: LoadTarget): FunctionLoad => ({ processMs: median(target.process), cpuMs: median(target.cpu), requireMs: median(target.require) });

interface ServiceFunction {
  name: string;
  handler: string;
  /** The variables Lambda will set for it (the provider's and its own). */
  environment: Record<string, string>;
}

/** `handlers/config-rule.handler` → `handlers/config-rule` (the module path, without the export). */
const handlerModule = (handler: string) => handler.slice(0, handler.lastIndexOf('.'));

/** The file Lambda loads for `handler` from `dir`: it tries `.js`, `.mjs` and `.cjs`, in that order. */
function handlerFile(dir: string, handler: string): string {
  const candidates = ['.js', '.mjs', '.cjs'].map((extension) => join(dir, `${handlerModule(handler)}${extension}`));
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`No handler file for ${handler} in ${dir}`);
  return found;
}

/** The `custom.esbuild.exclude` serverless.yml sets, and the document to write a variant of it from. */
function readConfig(projectDir: string) {
  const document = parseDocument(readFileSync(join(projectDir, 'serverless.yml'), 'utf8'));
  const exclude = (document.getIn(['custom', 'esbuild', 'exclude']) as { toJSON(): string[] } | undefined)?.toJSON() ?? [];
  return { document, exclude };
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, any>;
}

const STAND_IN_ACCOUNT = 'eu-west-1:123456789012';

/**
 * A CloudFormation value (`{ Ref: … }`, `{ 'Fn::GetAtt': … }`) only exists once deployed. A function
 * that checks its variables at load gets a value of the kind it will really get: a topic's ARN, a
 * queue's URL, a table's name.
 */
function standIn(value: unknown, resources: Record<string, TemplateResource>): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  const { Ref: ref, 'Fn::GetAtt': getAtt } = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] | string };
  if (ref !== undefined) {
    const type = resources[ref]?.Type;
    if (type === 'AWS::SNS::Topic') return `arn:aws:sns:${STAND_IN_ACCOUNT}:${ref}`;
    if (type === 'AWS::SQS::Queue') return `https://sqs.eu-west-1.amazonaws.com/123456789012/${ref}`;
    return ref;
  }
  if (getAtt !== undefined) {
    const [logicalId, attribute] = Array.isArray(getAtt) ? getAtt : (getAtt.split('.') as [string, string]);
    const service = resources[logicalId]?.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
    return attribute === 'Arn' ? `arn:aws:${service}:${STAND_IN_ACCOUNT}:${logicalId}` : `${logicalId}-${attribute}`;
  }
  return JSON.stringify(value);
}

/**
 * Every function as `serverless package` built it, from the CloudFormation template it wrote: its
 * zip (named after the function), its handler and the variables Lambda will set.
 */
function packagedFunctions(outputDir: string): ServiceFunction[] {
  const template = JSON.parse(readFileSync(join(outputDir, 'cloudformation-template-update-stack.json'), 'utf8')) as { Resources: Record<string, TemplateResource> };
  const resources = template.Resources;
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function' && typeof resource.Properties?.Code?.S3Key === 'string')
    .map((resource) => {
      const properties = resource.Properties!;
      const variables = (properties.Environment?.Variables ?? {}) as Record<string, unknown>;
      return {
        name: basename(properties.Code.S3Key as string, '.zip'),
        handler: String(properties.Handler),
        environment: Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, standIn(value, resources)])),
      };
    });
}

function runPackage(projectDir: string, configFile: string, outputDir: string): number {
  rmSync(outputDir, { recursive: true, force: true });
  const start = process.hrtime.bigint();
  const result = spawnSync(join(projectDir, 'node_modules', '.bin', 'serverless'), ['package', '--config', configFile, '--package', outputDir], {
    cwd: projectDir,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`serverless package --config ${configFile} failed:\n${result.stdout}\n${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Compiles every TypeScript source one file at a time, the way a zip without a bundler would ship it. */
function compileUnbundled(projectDir: string, outdir: string): void {
  rmSync(outdir, { recursive: true, force: true });
  const entryPoints: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) entryPoints.push(path);
    }
  };
  for (const dir of ['handlers', 'lib', 'resources', 'rules', 'remediations']) if (existsSync(join(projectDir, dir))) walk(join(projectDir, dir));
  buildSync({ entryPoints, outdir, outbase: projectDir, bundle: false, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
}

export async function measurePackaging(projectDir: string, workDir: string, runs: number): Promise<PackagingResult> {
  const config = readConfig(projectDir);
  const configured: SdkChoice = RUNTIME_SDK_EXCLUDES.every((pattern) => config.exclude.includes(pattern)) ? 'runtime' : 'bundled';
  const other: SdkChoice = configured === 'bundled' ? 'runtime' : 'bundled';
  const otherExclude = other === 'runtime' ? [...new Set([...config.exclude, ...RUNTIME_SDK_EXCLUDES])] : config.exclude.filter((pattern) => !RUNTIME_SDK_EXCLUDES.includes(pattern));

  // The alternative is packaged from a copy of serverless.yml that differs only in custom.esbuild.exclude.
  const alternativeConfig = `serverless.bench-sdk-${other}.yml`;
  config.document.setIn(['custom', 'esbuild', 'exclude'], otherExclude);
  if (other === 'runtime') {
    // The runtime's SDK is found through NODE_PATH, which ES modules do not read: that variant is CommonJS.
    for (const [key, value] of [['format', 'cjs'], ['splitting', false], ['outputFileExtension', '.js']] as const) config.document.setIn(['custom', 'esbuild', key], value);
    config.document.deleteIn(['custom', 'esbuild', 'banner']);
  }
  writeFileSync(join(projectDir, alternativeConfig), config.document.toString());

  const variants: PackagingVariant[] = [];
  let functions: ServiceFunction[] = [];
  try {
    for (const [sdk, configFile, exclude] of [
      [configured, 'serverless.yml', config.exclude],
      [other, alternativeConfig, otherExclude],
    ] as const) {
      const outputDir = join(workDir, `package-sdk-${sdk}`);
      const packageSeconds = runPackage(projectDir, configFile, outputDir);
      if (sdk === configured) functions = packagedFunctions(outputDir);
      const packages = [];
      for (const fn of functions) {
        const zip = join(outputDir, `${fn.name}.zip`);
        const files = (await readZipFiles(zip)).map((entry) => entry.name);
        // Emptied first: a handler file left by an earlier layout (`.js` beside today's `.mjs`) would be loaded instead.
        const extractDir = join(workDir, `extract-sdk-${sdk}`, fn.name);
        rmSync(extractDir, { recursive: true, force: true });
        await extractZip(zip, extractDir);
        packages.push({
          name: fn.name,
          handler: fn.handler,
          zipBytes: statSync(zip).size,
          files,
          shipsNodeModules: files.some((name) => name.startsWith('node_modules/')),
          shipsSourceMaps: files.some((name) => name.endsWith('.map')),
          load: { processMs: 0, cpuMs: 0, requireMs: 0 },
        });
      }
      variants.push({ sdk, exclude: [...exclude], packageSeconds, functions: packages });
    }
  } finally {
    rmSync(join(projectDir, alternativeConfig), { force: true });
  }

  const unbundledDir = join(workDir, 'unbundled');
  compileUnbundled(projectDir, unbundledDir);
  const emptyPath = join(workDir, 'empty.js');
  writeFileSync(emptyPath, '');
  const cpuReporter = join(workDir, 'cpu-reporter.js');
  writeFileSync(cpuReporter, CPU_REPORTER);

  // What Lambda sets for every function, beside each function's own variables from the package.
  // The SDK warns once on Node < 22 (printing costs tens of ms); nodejs22.x never does, so neither may the benchmark.
  const lambdaEnv = {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const target = (path: string, env: NodeJS.ProcessEnv = lambdaEnv): LoadTarget => ({ argv: ['-e', PROBE, path], env, process: [], cpu: [], require: [] });
  const empty = target(emptyPath);
  const cliVersion: LoadTarget = { argv: [join(projectDir, 'bin', 'driftwarden.js'), '--version'], env: { PATH: process.env.PATH }, process: [], cpu: [], require: [] };
  const envOf = (fn: ServiceFunction) => ({ ...lambdaEnv, AWS_LAMBDA_FUNCTION_NAME: `driftwarden-bench-${fn.name}`, ...fn.environment });
  const packaged = variants.map((variant) =>
    functions.map((fn) =>
      target(
        handlerFile(join(workDir, `extract-sdk-${variant.sdk}`, fn.name), fn.handler),
        // The runtime's SDK lives in /var/runtime/node_modules, on NODE_PATH; here the project's copy stands in for it.
        variant.sdk === 'runtime' ? { ...envOf(fn), NODE_PATH: join(projectDir, 'node_modules') } : envOf(fn),
      ),
    ),
  );
  const unbundled = functions.map((fn) => target(handlerFile(unbundledDir, fn.handler), envOf(fn)));
  const all = [empty, cliVersion, ...packaged.flat(), ...unbundled];
  // One untimed round fills the OS file cache, as a warm Lambda host would have it.
  timeLoads(all, 1, cpuReporter);
  for (const item of all) {
    item.process.length = 0;
    item.cpu.length = 0;
    item.require.length = 0;
  }
  timeLoads(all, runs, cpuReporter);

  variants.forEach((variant, v) => variant.functions.forEach((fn, f) => (fn.load = summarise(packaged[v]![f]!))));
  return {
    configured,
    variants,
    emptyModule: summarise(empty),
    cliVersion: { processMs: median(cliVersion.process), cpuMs: median(cliVersion.cpu) },
    unbundled: functions.map((fn, f) => ({ name: fn.name, load: summarise(unbundled[f]!) })),
    loadRuns: runs,
  };
}
