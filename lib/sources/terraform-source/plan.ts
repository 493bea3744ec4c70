import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { InputFormatError } from '../../errors';
import { evaluate, isPlainObject, iterationEntries, LazyObject, referencesOf, Unknown, withVariables, type PlainObject, type Scope, type Value } from './expressions';
import { parseTerraformFile, type BlockSchema, type Expression, type SourceBlock, type SourceBody } from './parse';
import resourceSchemas from './resource-schema.json';

/**
 * Evaluates a Terraform configuration's source into the JSON `terraform show -json` gives for a plan
 * that creates it: `resource_changes` with `after` / `after_unknown`, and `configuration` with each
 * attribute's `references`. The plan reader then judges it exactly as it judges a real plan.
 */

const SCHEMAS = resourceSchemas as Record<string, BlockSchema>;

/** Arguments Terraform itself interprets, not part of the resource's values. */
const META_ARGUMENTS = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'provisioner', 'connection']);

const EXEMPT_COMMENT = /^driftwarden:exempt\s+(\S+)(?:\s+(.*))?$/;

export interface SourceLocation {
  /** Relative to the scanned folder. */
  file: string;
  line: number;
}

export interface PlannedInstance extends SourceLocation {
  address: string;
  /** Inline `# driftwarden:exempt <rule-id> <reason>` comments on the block, by rule id. */
  ruleExemptions: Record<string, string>;
  /** The line of each top-level attribute and nested block (the first, when repeated), by Terraform name. */
  attributeLines?: Record<string, number>;
  /** Why each top-level attribute the configuration sets could not be evaluated, by Terraform name. */
  unknownReasons?: Record<string, string>;
}

export interface SkippedModule {
  address: string;
  source: string;
}

export interface SourcePlan {
  /** Shaped like `terraform show -json` of a saved plan. */
  plan: PlainObject;
  instances: PlannedInstance[];
  skippedModules: SkippedModule[];
  /** Blocks whose `count`/`for_each` could not be evaluated, so whose instances are unknown. */
  unexpanded: { address: string; reason: string }[];
}

interface LoadedModule {
  dir: string;
  variables: Map<string, SourceBlock>;
  locals: Map<string, Expression>;
  resources: SourceBlock[];
  data: SourceBlock[];
  moduleCalls: SourceBlock[];
  outputs: Map<string, SourceBlock>;
  providers: SourceBlock[];
}

function isTerraformFile(name: string): boolean {
  return name.endsWith('.tf') || name.endsWith('.tf.json');
}

function isLocalSource(source: string): boolean {
  return source.startsWith('./') || source.startsWith('../');
}

/** Plain JSON of a value, with unknowns omitted (objects) or null (lists), as in a plan's `after`. */
function afterOf(value: Value): unknown {
  if (value instanceof Unknown || value instanceof LazyObject) return undefined;
  if (Array.isArray(value)) return value.map((item) => afterOf(item) ?? null);
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    // Terraform writes map and object keys in sorted order.
    for (const key of Object.keys(value).sort()) {
      const plain = afterOf(value[key]!);
      if (plain !== undefined) result[key] = plain;
    }
    return result;
  }
  return value;
}

/** The plan's `after_unknown` mirror of a value: `true` where unknown. */
function unknownOf(value: Value): unknown {
  if (value instanceof Unknown || value instanceof LazyObject) return true;
  if (Array.isArray(value)) return value.map(unknownOf);
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const mirror = unknownOf(item);
      if (mirror !== false) result[key] = mirror;
    }
    return result;
  }
  return false;
}

function instanceKey(key: Value): string {
  return typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

/** A resource or module's instances: `[]` for count = 0, one unkeyed instance without count/for_each. */
function expand(body: SourceBody, scope: Scope): { instances: { key?: Value; each?: { key: Value; value: Value } }[] } | Unknown {
  const count = body.attributes.get('count');
  if (count) {
    const value = evaluate(count.expression, scope);
    if (typeof value !== 'number') return value instanceof Unknown ? value : new Unknown('count is not a number');
    return { instances: Array.from({ length: value }, (_, index) => ({ key: index })) };
  }
  const forEach = body.attributes.get('for_each');
  if (forEach) {
    const value = evaluate(forEach.expression, scope);
    if (value instanceof Unknown) return value;
    // A set of strings iterates with each.key = each.value.
    const entries = Array.isArray(value) ? value.map((item): [Value, Value] => [item, item]) : iterationEntries(value);
    if (entries instanceof Unknown) return entries;
    return { instances: entries.map(([key, item]) => ({ key, each: { key, value: item } })) };
  }
  return { instances: [{}] };
}

/** The first unknown inside a value, if any. */
function firstUnknown(value: Value): Unknown | undefined {
  if (value instanceof Unknown) return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstUnknown(item);
      if (found) return found;
    }
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) {
      const found = firstUnknown(item);
      if (found) return found;
    }
  }
  return undefined;
}

/** Where each top-level attribute and nested block of a resource is written. */
function attributeLinesOf(body: SourceBody): Record<string, number> {
  const lines: Record<string, number> = {};
  for (const [name, attribute] of body.attributes) if (!META_ARGUMENTS.has(name)) lines[name] = attribute.line;
  for (const block of body.blocks) {
    const name = block.type === 'dynamic' ? block.labels[0]! : block.type;
    if (!META_ARGUMENTS.has(block.type)) lines[name] ??= block.line;
  }
  return lines;
}

/** Why what the configuration writes could not be evaluated: `kms_key_id (data.aws_kms_key.x.arn): …`. */
function unknownReasonsOf(body: SourceBody, values: PlainObject): Record<string, string> {
  const reasons: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value instanceof LazyObject) continue;
    const unknown = firstUnknown(value);
    if (!unknown) continue;
    const attribute = body.attributes.get(name);
    reasons[name] = attribute ? `${name} (${expressionSource(attribute.expression)}): ${unknown.reason}` : `${name}: ${unknown.reason}`;
  }
  return reasons;
}

function expressionSource(expression: Expression): string {
  return expression.node.text.replace(/\s+/g, ' ').slice(0, 120);
}

export class SourcePlanner {
  private readonly modules = new Map<string, LoadedModule>();
  private readonly instances: PlannedInstance[] = [];
  private readonly resourceChanges: PlainObject[] = [];
  private readonly skippedModules: SkippedModule[] = [];
  private readonly unexpanded: { address: string; reason: string }[] = [];
  private defaultTags: Value = null;

  /** `rootFiles` limits the root module to those files (a scan of one `.tf` file). */
  constructor(
    private readonly root: string,
    private readonly rootFiles?: string[],
  ) {}

  async loadModule(dir: string): Promise<LoadedModule> {
    const cached = this.modules.get(dir);
    if (cached) return cached;
    let names: string[];
    try {
      names = dir === this.root && this.rootFiles ? this.rootFiles : readdirSync(dir).filter(isTerraformFile).sort();
    } catch (error) {
      throw new InputFormatError(`Cannot read the Terraform folder ${relative(this.root, dir) || '.'}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { cause: error });
    }
    const module: LoadedModule = { dir, variables: new Map(), locals: new Map(), resources: [], data: [], moduleCalls: [], outputs: new Map(), providers: [] };
    for (const name of names) {
      const path = join(dir, name);
      for (const block of await parseTerraformFile(path, relative(this.root, path).split('\\').join('/'), SCHEMAS)) {
        switch (block.type) {
          case 'variable':
            module.variables.set(block.labels[0]!, block);
            break;
          case 'locals':
            for (const [localName, attribute] of block.body.attributes) module.locals.set(localName, attribute.expression);
            break;
          case 'resource':
            module.resources.push(block);
            break;
          case 'data':
            module.data.push(block);
            break;
          case 'module':
            module.moduleCalls.push(block);
            break;
          case 'output':
            module.outputs.set(block.labels[0]!, block);
            break;
          case 'provider':
            module.providers.push(block);
            break;
        }
      }
    }
    this.modules.set(dir, module);
    for (const call of module.moduleCalls) {
      const source = call.body.attributes.get('source');
      const text = source ? evaluate(source.expression, { lookup: () => undefined }) : null;
      if (typeof text === 'string' && isLocalSource(text)) await this.loadModule(resolve(dir, text));
    }
    return module;
  }

  /** Where each resource block is declared, by configuration address (`module.api.aws_vpc.main`), without evaluating anything. */
  async declarations(): Promise<Map<string, PlannedInstance>> {
    const found = new Map<string, PlannedInstance>();
    const visit = (module: LoadedModule, prefix: string): void => {
      for (const block of module.resources) {
        const address = `${prefix}${block.labels[0]}.${block.labels[1]}`;
        found.set(address, { address, file: block.file, line: block.line, ruleExemptions: ruleExemptionsOf(block) });
      }
      for (const call of module.moduleCalls) {
        const source = call.body.attributes.get('source');
        const text = source ? evaluate(source.expression, { lookup: () => undefined }) : null;
        const child = typeof text === 'string' && isLocalSource(text) ? this.modules.get(resolve(module.dir, text)) : undefined;
        if (child) visit(child, `${prefix}module.${call.labels[0]}.`);
      }
    };
    visit(await this.loadModule(this.root), '');
    return found;
  }

  /** Plans the root module and every local module under it. */
  async plan(rootInputs: Map<string, Value>): Promise<SourcePlan> {
    const rootModule = await this.loadModule(this.root);
    const rootScope = this.moduleScope(rootModule, '', rootInputs);
    for (const provider of rootModule.providers) {
      if (provider.labels[0] !== 'aws') continue;
      const defaults = provider.body.blocks.find((block) => block.type === 'default_tags')?.body.attributes.get('tags');
      if (defaults) this.defaultTags = evaluate(defaults.expression, rootScope.scope);
    }
    rootScope.planAll();
    return {
      plan: {
        format_version: '1.2',
        terraform_version: 'driftwarden-source',
        resource_changes: this.resourceChanges,
        configuration: { root_module: this.configurationOf(rootModule) },
      },
      instances: this.instances,
      skippedModules: this.skippedModules,
      unexpanded: this.unexpanded,
    };
  }

  /** The `configuration` part of a plan for a module: each attribute's references or constant value. */
  private configurationOf(module: LoadedModule): PlainObject {
    const expressionsOf = (body: SourceBody): PlainObject => {
      const result: PlainObject = {};
      for (const [name, attribute] of body.attributes) {
        if (META_ARGUMENTS.has(name)) continue;
        const references = referencesOf(attribute.expression);
        result[name] = references.length > 0 ? { references } : {};
      }
      for (const block of body.blocks) {
        if (META_ARGUMENTS.has(block.type)) continue;
        const name = block.type === 'dynamic' ? block.labels[0]! : block.type;
        const inner = block.type === 'dynamic' ? block.body.blocks.find((content) => content.type === 'content')?.body : block.body;
        result[name] = [...((result[name] as Value[] | undefined) ?? []), inner ? expressionsOf(inner) : {}];
      }
      return result;
    };
    const moduleCalls: PlainObject = {};
    for (const call of module.moduleCalls) {
      const source = call.body.attributes.get('source');
      const text = source ? evaluate(source.expression, { lookup: () => undefined }) : null;
      const child = typeof text === 'string' && isLocalSource(text) ? this.modules.get(resolve(module.dir, text)) : undefined;
      const { source: _source, ...inputs } = expressionsOf(call.body);
      moduleCalls[call.labels[0]!] = { source: typeof text === 'string' ? text : '', expressions: inputs, ...(child && { module: this.configurationOf(child) }) };
    }
    return {
      resources: module.resources.map((block) => ({
        address: `${block.labels[0]}.${block.labels[1]}`,
        mode: 'managed',
        type: block.labels[0]!,
        name: block.labels[1]!,
        provider_config_key: block.labels[0]!.split('_')[0]!,
        expressions: expressionsOf(block.body),
      })),
      module_calls: moduleCalls,
      // The plan reader follows a module's outputs to the resources they name, as in a real plan.
      outputs: Object.fromEntries(
        [...module.outputs].map(([name, block]) => {
          const value = block.body.attributes.get('value');
          const references = value ? referencesOf(value.expression) : [];
          const expression: PlainObject = references.length > 0 ? { references } : {};
          return [name, { expression }];
        }),
      ),
    };
  }

  /** The scope of one module instance, and the planning of everything in it. */
  private moduleScope(module: LoadedModule, address: string, inputs: Map<string, Value>): { scope: Scope; planAll: () => void } {
    const prefix = address ? `${address}.` : '';
    const localValues = new Map<string, Value>();
    const evaluatingLocals = new Set<string>();
    const resourceValues = new Map<string, Value>();
    const moduleValues = new Map<string, Value>();
    const resourcesByKey = new Map(module.resources.map((block) => [`${block.labels[0]}.${block.labels[1]}`, block]));
    const callsByName = new Map(module.moduleCalls.map((block) => [block.labels[0]!, block]));
    const dataKeys = new Set(module.data.map((block) => `${block.labels[0]}.${block.labels[1]}`));
    const planned = new Map<string, { after: PlainObject; unknown: PlainObject }>();
    const planner = this;

    const scope: Scope = {
      lookup(root, next) {
        switch (root) {
          case 'var': {
            if (next === undefined) return undefined;
            if (inputs.has(next)) return { value: inputs.get(next)!, consumed: 2 };
            if (!module.variables.has(next)) return { value: new Unknown(`variable "${next}" is not declared`), consumed: 2 };
            const fallback = module.variables.get(next)!.body.attributes.get('default');
            return { value: fallback ? evaluate(fallback.expression, scope) : new Unknown(`variable "${next}" has no value (give it in terraform.tfvars, --var-file or --var)`), consumed: 2 };
          }
          case 'local': {
            if (next === undefined) return undefined;
            if (!localValues.has(next)) {
              const expression = module.locals.get(next);
              if (!expression) return { value: new Unknown(`local.${next} is not declared`), consumed: 2 };
              if (evaluatingLocals.has(next)) return { value: new Unknown(`local.${next} refers to itself`), consumed: 2 };
              evaluatingLocals.add(next);
              localValues.set(next, evaluate(expression, scope));
              evaluatingLocals.delete(next);
            }
            return { value: localValues.get(next)!, consumed: 2 };
          }
          case 'path':
            return { value: next === 'module' ? module.dir : planner.root, consumed: 2 };
          case 'data':
            return { value: new Unknown(`data.${next ?? ''} is a data source, read from AWS only at plan time`), consumed: 3 };
          case 'module': {
            if (next === undefined || !callsByName.has(next)) return { value: new Unknown(`module.${next ?? ''} is not declared`), consumed: 2 };
            if (!moduleValues.has(next)) moduleValues.set(next, planModuleCall(callsByName.get(next)!));
            return { value: moduleValues.get(next)!, consumed: 2 };
          }
          case 'terraform':
            return { value: next === 'workspace' ? 'default' : new Unknown(`terraform.${next ?? ''}`), consumed: 2 };
          default: {
            if (next === undefined) return undefined;
            const key = `${root}.${next}`;
            if (dataKeys.has(key)) return undefined;
            const block = resourcesByKey.get(key);
            if (!block) return root.includes('_') ? { value: new Unknown(`${key} is not declared in ${address || 'the root module'}`), consumed: 2 } : undefined;
            if (!resourceValues.has(key)) resourceValues.set(key, planResource(block));
            return { value: resourceValues.get(key)!, consumed: 2 };
          }
        }
      },
    };

    function instanceScope(each?: { key: Value; value: Value }, key?: Value): Scope {
      const variables: Record<string, Value> = {};
      if (each) variables.each = { key: each.key, value: each.value };
      else if (typeof key === 'number') variables.count = { index: key };
      return Object.keys(variables).length > 0 ? withVariables(scope, variables) : scope;
    }

    /** Plans every instance of a resource block; its value is what references to it see. */
    function planResource(block: SourceBlock): Value {
      const [type, name] = block.labels as [string, string];
      const configAddress = `${type}.${name}`;
      const expansion = expand(block.body, scope);
      if (expansion instanceof Unknown) {
        planner.unexpanded.push({ address: `${prefix}${configAddress}`, reason: expansion.reason });
        return expansion;
      }
      const byKey: { key?: Value; value: Value }[] = [];
      for (const { key, each } of expansion.instances) {
        const instanceAddress = `${prefix}${configAddress}${key === undefined ? '' : instanceKey(key)}`;
        const values = planner.bodyValues(block.body, instanceScope(each, key), SCHEMAS[type]);
        const after = afterOf(values) as PlainObject;
        const unknown = unknownOf(values) as PlainObject;
        planner.completeComputed(type, after, unknown);
        planned.set(instanceAddress, { after, unknown });
        planner.resourceChanges.push({
          address: instanceAddress,
          ...(address && { module_address: address }),
          mode: 'managed',
          type,
          name,
          ...(key !== undefined && { index: key }),
          provider_name: `registry.terraform.io/hashicorp/${type.split('_')[0]}`,
          change: { actions: ['create'], before: null, after, after_unknown: unknown, before_sensitive: false, after_sensitive: {} },
        });
        const unknownReasons = unknownReasonsOf(block.body, values);
        planner.instances.push({
          address: instanceAddress,
          file: block.file,
          line: block.line,
          ruleExemptions: ruleExemptionsOf(block),
          attributeLines: attributeLinesOf(block.body),
          ...(Object.keys(unknownReasons).length > 0 && { unknownReasons }),
        });
        const attribute = (attributeName: string): Value => {
          if (Object.hasOwn(after, attributeName)) return after[attributeName] as Value;
          if (unknown[attributeName] === true) {
            const expression = block.body.attributes.get(attributeName)?.expression;
            return new Unknown(expression ? `${expressionSource(expression)} is not known before apply` : `${instanceAddress}.${attributeName} is known only after apply`);
          }
          const schema = SCHEMAS[type];
          // A type without a schema here: an unset attribute may well be computed.
          return schema ? null : new Unknown(`${instanceAddress}.${attributeName} is known only after apply`);
        };
        byKey.push({ key, value: new LazyObject(instanceAddress, attribute) });
      }
      if (block.body.attributes.has('count')) return byKey.map((entry) => entry.value);
      if (block.body.attributes.has('for_each')) return Object.fromEntries(byKey.map((entry) => [String(entry.key), entry.value]));
      return byKey[0]!.value;
    }

    /** Plans every instance of a module call; its value holds the outputs. */
    function planModuleCall(call: SourceBlock): Value {
      const name = call.labels[0]!;
      const sourceAttribute = call.body.attributes.get('source');
      const source = sourceAttribute ? evaluate(sourceAttribute.expression, { lookup: () => undefined }) : null;
      if (typeof source !== 'string' || !isLocalSource(source)) {
        planner.skippedModules.push({ address: `${prefix}module.${name}`, source: typeof source === 'string' ? source : '(none)' });
        return new Unknown(`module.${name} comes from ${typeof source === 'string' ? source : 'an unknown source'}, which is not read offline`);
      }
      const child = planner.modules.get(resolve(module.dir, source))!;
      const expansion = expand(call.body, scope);
      if (expansion instanceof Unknown) {
        planner.unexpanded.push({ address: `${prefix}module.${name}`, reason: expansion.reason });
        return expansion;
      }
      const results: { key?: Value; value: Value }[] = [];
      for (const { key, each } of expansion.instances) {
        const childAddress = `${prefix}module.${name}${key === undefined ? '' : instanceKey(key)}`;
        const callScope = instanceScope(each, key);
        const childInputs = new Map<string, Value>();
        for (const [inputName, attribute] of call.body.attributes) {
          if (inputName === 'source' || inputName === 'version' || META_ARGUMENTS.has(inputName)) continue;
          childInputs.set(inputName, evaluate(attribute.expression, callScope));
        }
        const childScope = planner.moduleScope(child, childAddress, childInputs);
        childScope.planAll();
        const outputs: PlainObject = {};
        for (const [outputName, output] of child.outputs) {
          const value = output.body.attributes.get('value');
          outputs[outputName] = value ? evaluate(value.expression, childScope.scope) : null;
        }
        results.push({ key, value: outputs });
      }
      if (call.body.attributes.has('count')) return results.map((entry) => entry.value);
      if (call.body.attributes.has('for_each')) return Object.fromEntries(results.map((entry) => [String(entry.key), entry.value]));
      return results[0]!.value;
    }

    return {
      scope,
      planAll() {
        for (const block of module.resources) scope.lookup(block.labels[0]!, block.labels[1]);
        for (const call of module.moduleCalls) scope.lookup('module', call.labels[0]);
      },
    };
  }

  /** The values of a resource body: attributes, then nested and `dynamic` blocks as lists of objects. */
  bodyValues(body: SourceBody, scope: Scope, schema: BlockSchema | undefined): PlainObject {
    const values: PlainObject = {};
    for (const [name, attribute] of body.attributes) {
      if (!META_ARGUMENTS.has(name)) values[name] = evaluate(attribute.expression, scope);
    }
    for (const block of body.blocks) {
      if (META_ARGUMENTS.has(block.type)) continue;
      if (block.type !== 'dynamic') {
        values[block.type] = [...((values[block.type] as Value[] | undefined) ?? []), this.bodyValues(block.body, scope, schema?.b?.[block.type])];
        continue;
      }
      const blockName = block.labels[0]!;
      const forEach = block.body.attributes.get('for_each');
      const iterator = block.body.attributes.get('iterator');
      const iteratorName = iterator ? iterator.expression.node.text.trim() : blockName;
      const content = block.body.blocks.find((inner) => inner.type === 'content');
      const collection = forEach ? evaluate(forEach.expression, scope) : new Unknown(`dynamic "${blockName}" has no for_each`);
      const entries = collection instanceof Unknown ? collection : Array.isArray(collection) ? collection.map((item, index): [Value, Value] => [index, item]) : iterationEntries(collection);
      if (entries instanceof Unknown || !content) {
        values[blockName] = entries instanceof Unknown ? entries : new Unknown(`dynamic "${blockName}" has no content`);
        continue;
      }
      const existing = (values[blockName] as Value[] | undefined) ?? [];
      values[blockName] = [
        ...existing,
        ...entries.map(([key, value]) => this.bodyValues(content.body, withVariables(scope, { [iteratorName]: { key, value } }), schema?.b?.[blockName])),
      ];
    }
    return values;
  }

  /** What Terraform adds to a created resource's values: unknown computed attributes, `tags_all`. */
  completeComputed(type: string, after: PlainObject, unknown: PlainObject): void {
    const schema = SCHEMAS[type];
    if (!schema) return;
    const tagsKnown = isPlainObject((after.tags ?? null) as Value) || isPlainObject(this.defaultTags);
    for (const name of schema.a ?? []) {
      if (Object.hasOwn(after, name) || Object.hasOwn(unknown, name)) continue;
      if (name === 'tags_all' && tagsKnown && unknown.tags === undefined) {
        after.tags_all = { ...(isPlainObject(this.defaultTags) ? (afterOf(this.defaultTags) as PlainObject) : {}), ...((after.tags as PlainObject | undefined) ?? {}) };
        continue;
      }
      unknown[name] = true;
    }
  }
}

function ruleExemptionsOf(block: SourceBlock): Record<string, string> {
  const exemptions: Record<string, string> = {};
  for (const comment of block.comments) {
    const match = EXEMPT_COMMENT.exec(comment.trim());
    if (match) exemptions[match[1]!] = match[2]?.trim() || 'no reason given';
  }
  return exemptions;
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
