import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputFormatError } from '../../errors';
import type { Resource } from '../../model';
import type { SourceResult } from '../source';
import { readTerraform } from '../terraform';
import { evaluate, Unknown, type Value } from './expressions';
import { parseExpressionText, parseVariableValues } from './parse';
import { isDirectory, SourcePlanner, type PlannedInstance } from './plan';

/**
 * `driftwarden scan --terraform DIR`: Terraform source read without a plan or credentials. The
 * source is evaluated into the JSON of the plan Terraform would make, which the plan reader judges,
 * so a source scan and a plan scan of the same code give the same verdicts.
 */

export interface TerraformSourceOptions {
  /** `--var-file` files, in order, after terraform.tfvars and *.auto.tfvars. */
  varFiles?: string[];
  /** `--var name=value`, in order, last. */
  vars?: string[];
}

const NO_NAMES = { lookup: () => undefined };

async function valuesOf(path: string, file: string): Promise<Map<string, Value>> {
  const values = new Map<string, Value>();
  for (const attribute of await parseVariableValues(path, file)) values.set(attribute.name, evaluate(attribute.expression, NO_NAMES));
  return values;
}

/** The root module's inputs: terraform.tfvars, *.auto.tfvars (in name order), `--var-file`, then `--var`. */
async function rootInputs(root: string, options: TerraformSourceOptions): Promise<Map<string, Value>> {
  const automatic = readdirSync(root)
    .filter((name) => name.endsWith('.auto.tfvars') || name.endsWith('.auto.tfvars.json'))
    .sort();
  const files = [
    ...['terraform.tfvars', 'terraform.tfvars.json'].filter((name) => existsSync(join(root, name))).map((name) => ({ path: join(root, name), file: name })),
    ...automatic.map((name) => ({ path: join(root, name), file: name })),
    ...(options.varFiles ?? []).map((path) => ({ path, file: path })),
  ];
  const inputs = new Map<string, Value>();
  for (const { path, file } of files) for (const [name, value] of await valuesOf(path, file)) inputs.set(name, value);
  for (const assignment of options.vars ?? []) {
    const separator = assignment.indexOf('=');
    if (separator < 1) throw new InputFormatError(`--var ${assignment}: expected name=value.`);
    const text = assignment.slice(separator + 1);
    // As Terraform does: a value that opens a list or a map is an HCL expression, anything else a string.
    const value = /^\s*[[{]/.test(text) ? evaluate(await parseExpressionText(text, `--var ${assignment}`), NO_NAMES) : text;
    inputs.set(assignment.slice(0, separator), value);
  }
  for (const [name, value] of inputs) {
    if (value instanceof Unknown) throw new InputFormatError(`The value given for variable "${name}" cannot be evaluated: ${value.reason}.`);
  }
  return inputs;
}

function locate(resource: Resource, declaration: PlannedInstance | undefined): void {
  if (!declaration) return;
  resource.file = declaration.file;
  resource.line = declaration.line;
  if (Object.keys(declaration.ruleExemptions).length > 0) resource.ruleExemptions = declaration.ruleExemptions;
  if (declaration.attributeLines) resource.attributeLines = declaration.attributeLines;
  if (declaration.unknownReasons) resource.unknownReasons = declaration.unknownReasons;
}

/**
 * `--source-root DIR` on a plan or state scan: each resource's declaration in the configuration's
 * source (`module.app[0].aws_vpc.x[2]` is declared as `module.app.aws_vpc.x`).
 */
export async function locateInSource(result: SourceResult, sourceRoot: string): Promise<SourceResult> {
  if (!isDirectory(sourceRoot)) throw new InputFormatError(`--source-root ${sourceRoot}: not a folder.`);
  const declarations = await new SourcePlanner(sourceRoot).declarations();
  for (const resource of result.resources) {
    if (resource.address !== undefined) locate(resource, declarations.get(resource.address.replace(/\[[^\]]*\]/g, '')));
  }
  return { ...result, origin: { ...result.origin, sourceRoot } };
}

export async function readTerraformSource(path: string, options: TerraformSourceOptions = {}): Promise<SourceResult> {
  if (!existsSync(path)) throw new InputFormatError(`Cannot read ${path}: no such file or folder.`);
  const folder = isDirectory(path);
  const root = folder ? path : dirname(path);
  const planner = new SourcePlanner(root, folder ? undefined : [basename(path)]);
  const sourcePlan = await planner.plan(await rootInputs(root, options));
  const result = readTerraform(sourcePlan.plan, path);
  const instances = new Map(sourcePlan.instances.map((instance) => [instance.address, instance]));
  for (const resource of result.resources) {
    if (resource.address !== undefined) locate(resource, instances.get(resource.address));
  }
  const incomplete = [
    ...sourcePlan.skippedModules.map((skipped) => ({
      resourceType: 'Terraform module',
      reason: `${skipped.address} (source "${skipped.source}") is not a local folder, so its resources were not read`,
    })),
    ...sourcePlan.unexpanded.map((block) => ({ resourceType: 'Terraform resource', reason: `${block.address}: its count or for_each cannot be evaluated (${block.reason})` })),
  ];
  return { ...result, origin: { kind: 'terraform', file: path, sourceRoot: root }, ...(incomplete.length > 0 && { incomplete }) };
}
