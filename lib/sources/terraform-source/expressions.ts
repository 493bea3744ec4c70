import type { SyntaxNode as Node } from './syntax';
import { unescapeQuoted, type Expression } from './parse';
import { callFunction } from './functions';

/**
 * Evaluates HCL expressions the way Terraform does at plan time, on the values a configuration
 * itself gives. What only apply (or a remote read) can tell is an `Unknown` carrying why.
 */

/** A value known only after apply, or one driftwarden does not evaluate: never a guess. */
export class Unknown {
  constructor(readonly reason: string) {}
}

/** A resource instance or module instance: its attributes are read one at a time, on demand. */
export class LazyObject {
  constructor(
    readonly label: string,
    readonly attribute: (name: string) => Value,
  ) {}
}

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | Unknown | LazyObject;

export type PlainObject = { [key: string]: Value };

export function isPlainObject(value: Value): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Unknown) && !(value instanceof LazyObject);
}

/** What names in an expression refer to. */
export interface Scope {
  /** `var.x`, `local.x`, `module.x`, `data.t.n`, `path.module`, `each`, `count`, `self`, a resource type, or a for/dynamic iterator. */
  lookup(root: string, next: string | undefined): { value: Value; consumed: number } | undefined;
}

/** A scope with iteration variables (`for` expressions, `dynamic` iterators) over another. */
export function withVariables(parent: Scope, variables: Record<string, Value>): Scope {
  return {
    lookup: (root, next) => (Object.hasOwn(variables, root) ? { value: variables[root]!, consumed: 1 } : parent.lookup(root, next)),
  };
}

function named(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
}

function firstUnknown(values: readonly Value[]): Unknown | undefined {
  for (const value of values) if (value instanceof Unknown) return value;
  return undefined;
}

function describe(value: Value): string {
  if (value instanceof Unknown) return 'unknown';
  if (value instanceof LazyObject) return value.label;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function getAttribute(value: Value, name: string): Value {
  if (value instanceof Unknown) return value;
  if (value instanceof LazyObject) return value.attribute(name);
  if (isPlainObject(value)) return Object.hasOwn(value, name) ? value[name]! : new Unknown(`${describe(value)} has no attribute "${name}"`);
  return new Unknown(`cannot read "${name}" of ${describe(value)}`);
}

function getIndex(value: Value, key: Value): Value {
  if (value instanceof Unknown) return value;
  if (key instanceof Unknown) return key;
  if (Array.isArray(value) && typeof key === 'number') return value[key] ?? new Unknown(`index ${key} is out of range`);
  if (isPlainObject(value) && (typeof key === 'string' || typeof key === 'number')) {
    return Object.hasOwn(value, String(key)) ? value[String(key)]! : new Unknown(`no element "${String(key)}"`);
  }
  if (value instanceof LazyObject && typeof key === 'string') return value.attribute(key);
  return new Unknown(`cannot index ${describe(value)} with ${describe(key)}`);
}

/** Applies `.name`, `[key]`, `.*` and `[*]` in order. */
function applyPostfix(value: Value, postfix: Node, scope: Scope, text: string): Value {
  switch (postfix.type) {
    case 'get_attr':
      return getAttribute(value, named(postfix)[0]!.text);
    case 'index': {
      const inner = named(postfix)[0]!;
      if (inner.type === 'legacy_index') return getIndex(value, Number(inner.text.replace(/^\./, '')));
      return getIndex(value, evaluateNode(named(inner)[0]!, scope, text));
    }
    case 'splat': {
      const splat = named(postfix)[0]!;
      if (value instanceof Unknown) return value;
      const list = value === null ? [] : Array.isArray(value) ? value : [value];
      return list.map((element) => named(splat).reduce((current, next) => applyPostfix(current, next, scope, text), element));
    }
    default:
      return new Unknown(`unsupported syntax ${postfix.type}`);
  }
}

/** A term followed by its postfix operations (`aws_vpc.main.id`, `var.m["k"][0]`, `f(x).y`). */
function evaluateChain(nodes: Node[], scope: Scope, text: string): Value {
  const [term, ...postfixes] = nodes;
  if (!term) return new Unknown('empty expression');
  let value: Value;
  let rest = postfixes;
  if (term.type === 'variable_expr') {
    const root = term.text;
    const firstAttribute = postfixes[0]?.type === 'get_attr' ? named(postfixes[0])[0]!.text : undefined;
    const found = scope.lookup(root, firstAttribute);
    if (!found) return new Unknown(`${root} is not declared`);
    value = found.value;
    rest = postfixes.slice(found.consumed - 1);
  } else {
    value = evaluateNode(term, scope, text);
  }
  for (const postfix of rest) value = applyPostfix(value, postfix, scope, text);
  return value;
}

function templateParts(node: Node, scope: Scope, text: string, quoted: boolean): Value {
  const children = node.children.filter((child): child is Node => child !== null);
  const isHeredoc = node.type === 'heredoc_template';
  const identifiers = children.filter((child) => child.type === 'heredoc_identifier');
  let start: number;
  let end: number;
  if (isHeredoc) {
    start = text.indexOf('\n', identifiers[0]!.endIndex) + 1;
    end = identifiers[1] ? text.lastIndexOf('\n', identifiers[1].startIndex - 1) + 1 : node.endIndex;
  } else {
    start = children[0]!.endIndex;
    end = children[children.length - 1]!.startIndex;
  }
  const parts: Value[] = [];
  let literals = 0;
  let cursor = start;
  for (const child of children) {
    if (child.type !== 'template_interpolation' && child.type !== 'template_directive') continue;
    if (child.startIndex > cursor) parts.push(literal(text.slice(cursor, child.startIndex)));
    if (child.type === 'template_directive') return new Unknown(`template directive ${child.text.slice(0, 40)} is not evaluated`);
    const expression = named(child).find((inner) => inner.type === 'expression');
    parts.push(expression ? evaluateNode(expression, scope, text) : '');
    cursor = child.endIndex;
  }
  if (end > cursor) parts.push(literal(text.slice(cursor, end)));
  function literal(raw: string): string {
    literals++;
    return quoted ? unescapeQuoted(raw) : raw.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  }
  // "${x}" alone is x itself, not its string form.
  if (parts.length === 1 && literals === 0) return parts[0]!;
  const unknown = firstUnknown(parts);
  if (unknown) return unknown;
  let result = '';
  for (const part of parts) {
    if (part === null) return new Unknown('a template interpolates null');
    if (typeof part === 'object') return new Unknown(`a template interpolates ${describe(part)}`);
    result += String(part);
  }
  if (isHeredoc && children[0]!.text === '<<-') {
    const lines = result.split('\n');
    const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)![0].length));
    result = lines.map((line) => line.slice(Math.min(indent, /^[ \t]*/.exec(line)![0].length))).join('\n');
  }
  return result;
}

function objectKey(node: Node, scope: Scope, text: string): Value {
  // `{ name = 1 }`: a bare identifier key is the name itself, not a variable.
  const parts = named(node);
  if (parts.length === 1 && parts[0]!.type === 'variable_expr') return parts[0]!.text;
  return evaluateNode(node, scope, text);
}

/** `for` expression: `[for k, v in coll : v if cond]` or `{for k, v in coll : k => v}`. */
function evaluateFor(node: Node, scope: Scope, text: string): Value {
  const parts = named(node);
  const intro = parts.find((part) => part.type === 'for_intro')!;
  const names = named(intro).filter((part) => part.type === 'identifier').map((part) => part.text);
  const collection = evaluateNode(named(intro).find((part) => part.type === 'expression')!, scope, text);
  if (collection instanceof Unknown) return collection;
  const bodies = parts.filter((part) => part.type === 'expression');
  const condition = parts.find((part) => part.type === 'for_cond');
  const grouped = parts.some((part) => part.type === 'ellipsis');
  const entries = iterationEntries(collection);
  if (entries instanceof Unknown) return entries;
  const tupleResult: Value[] = [];
  const objectResult: PlainObject = {};
  for (const [key, value] of entries) {
    const inner = withVariables(scope, names.length === 2 ? { [names[0]!]: key, [names[1]!]: value } : { [names[0]!]: value });
    if (condition) {
      const keep = evaluateNode(named(condition)[0]!, inner, text);
      if (keep instanceof Unknown) return keep;
      if (keep !== true) continue;
    }
    if (node.type === 'for_tuple_expr') {
      tupleResult.push(evaluateNode(bodies[0]!, inner, text));
      continue;
    }
    const resultKey = evaluateNode(bodies[0]!, inner, text);
    if (resultKey instanceof Unknown) return resultKey;
    const resultValue = evaluateNode(bodies[1]!, inner, text);
    const keyText = String(resultKey);
    if (grouped) objectResult[keyText] = [...((objectResult[keyText] as Value[] | undefined) ?? []), resultValue];
    else objectResult[keyText] = resultValue;
  }
  return node.type === 'for_tuple_expr' ? tupleResult : objectResult;
}

/** Key/value pairs of a collection, as `for` and `for_each` see them (a list's key is its index). */
export function iterationEntries(collection: Value): [Value, Value][] | Unknown {
  if (collection instanceof Unknown) return collection;
  if (Array.isArray(collection)) return collection.map((value, index) => [index, value]);
  if (isPlainObject(collection)) return Object.keys(collection).sort().map((key) => [key, collection[key]!]);
  return new Unknown(`cannot iterate over ${describe(collection)}`);
}

function arithmetic(operator: string, left: Value, right: Value): Value {
  const unknown = firstUnknown([left, right]);
  if (unknown) return unknown;
  switch (operator) {
    case '==':
      return JSON.stringify(left) === JSON.stringify(right);
    case '!=':
      return JSON.stringify(left) !== JSON.stringify(right);
    case '&&':
      return left === true && right === true;
    case '||':
      return left === true || right === true;
  }
  const a = typeof left === 'string' ? Number(left) : left;
  const b = typeof right === 'string' ? Number(right) : right;
  if (typeof a !== 'number' || typeof b !== 'number' || Number.isNaN(a) || Number.isNaN(b)) {
    return new Unknown(`${operator} needs numbers, not ${describe(left)} and ${describe(right)}`);
  }
  switch (operator) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
    default:
      return new Unknown(`operator ${operator} is not evaluated`);
  }
}

/** Splits a flat operation's children at its operator. */
function evaluateOperation(node: Node, scope: Scope, text: string): Value {
  const children = node.children.filter((child): child is Node => child !== null && child.type !== 'comment');
  if (node.type === 'unary_operation') {
    const operand = evaluateChain(children.slice(1), scope, text);
    if (operand instanceof Unknown) return operand;
    if (children[0]!.type === '!') return typeof operand === 'boolean' ? !operand : new Unknown(`! needs a bool, not ${describe(operand)}`);
    return typeof operand === 'number' ? -operand : new Unknown(`- needs a number, not ${describe(operand)}`);
  }
  const operatorIndex = children.findIndex((child, index) => index > 0 && !child.isNamed);
  const operator = children[operatorIndex]!.type;
  const left = evaluateChain(children.slice(0, operatorIndex), scope, text);
  // Terraform evaluates both sides; only `&&`/`||` on known booleans short-circuit here, harmlessly.
  const right = evaluateChain(children.slice(operatorIndex + 1), scope, text);
  return arithmetic(operator, left, right);
}

export function evaluateNode(node: Node, scope: Scope, text: string): Value {
  switch (node.type) {
    case 'expression': {
      const children = node.children.filter((child): child is Node => child !== null && child.type !== 'comment');
      if (children[0]?.type === '(') return evaluateChain([children[1]!, ...children.slice(3)], scope, text);
      return evaluateChain(named(node), scope, text);
    }
    case 'literal_value':
      return evaluateNode(named(node)[0]!, scope, text);
    case 'numeric_lit':
      return Number(node.text);
    case 'bool_lit':
      return node.text === 'true';
    case 'null_lit':
      return null;
    case 'string_lit':
    case 'quoted_template':
      return templateParts(node, scope, text, true);
    case 'heredoc_template':
      return templateParts(node, scope, text, false);
    case 'template_expr':
      return evaluateNode(named(node)[0]!, scope, text);
    case 'collection_value':
    case 'for_expr':
    case 'operation':
      return evaluateNode(named(node)[0]!, scope, text);
    case 'tuple':
      return named(node)
        .filter((child) => child.type === 'expression')
        .map((child) => evaluateNode(child, scope, text));
    case 'object': {
      const result: PlainObject = {};
      for (const element of named(node).filter((child) => child.type === 'object_elem')) {
        const key = objectKey(element.childForFieldName('key')!, scope, text);
        if (key instanceof Unknown) return key;
        result[String(key)] = evaluateNode(element.childForFieldName('val')!, scope, text);
      }
      return result;
    }
    case 'for_tuple_expr':
    case 'for_object_expr':
      return evaluateFor(node, scope, text);
    case 'conditional': {
      const [condition, whenTrue, whenFalse] = named(node);
      const test = evaluateNode(condition!, scope, text);
      if (test instanceof Unknown) return test;
      if (typeof test !== 'boolean') return new Unknown(`a condition is ${describe(test)}, not a bool`);
      return evaluateNode(test ? whenTrue! : whenFalse!, scope, text);
    }
    case 'binary_operation':
    case 'unary_operation':
      return evaluateOperation(node, scope, text);
    case 'function_call': {
      const [name, argumentsNode] = named(node);
      const argumentNodes = argumentsNode ? named(argumentsNode).filter((child) => child.type === 'expression') : [];
      const expandLast = argumentsNode ? named(argumentsNode).some((child) => child.type === 'ellipsis') : false;
      return callFunction(name!.text, argumentNodes, expandLast, (argument) => evaluateNode(argument, scope, text));
    }
    case 'variable_expr':
      return evaluateChain([node], scope, text);
    default:
      return new Unknown(`unsupported syntax ${node.type}`);
  }
}

export function evaluate(expression: Expression, scope: Scope): Value {
  return evaluateNode(expression.node, scope, expression.text);
}

/**
 * What an expression refers to, as `terraform show -json` lists it in `configuration`:
 * `aws_vpc.main.id` then `aws_vpc.main`, `module.api.security_group_id` then `module.api`, `var.x`.
 */
export function referencesOf(expression: Expression): string[] {
  const references: string[] = [];
  for (const variable of expression.node.descendantsOfType('variable_expr')) {
    if (!variable) continue;
    const root = variable.text;
    const steps: string[] = [];
    for (let next = variable.nextNamedSibling; next && (next.type === 'get_attr' || next.type === 'index'); next = next.nextNamedSibling) {
      if (next.type === 'get_attr') steps.push(`.${named(next)[0]!.text}`);
      else {
        const inner = named(named(next)[0]!)[0];
        const literalNode = inner?.type === 'expression' ? named(inner)[0] : undefined;
        if (literalNode?.type !== 'literal_value') break;
        steps.push(`[${literalNode.text}]`);
      }
    }
    const isResource = root.includes('_') && steps[0]?.startsWith('.');
    if (root === 'module' || root === 'data' || isResource) {
      const base = root === 'data' ? 3 : 2;
      const nameEnd = root === 'data' ? 2 : 1;
      const full = `${root}${steps.slice(0, base).join('')}`;
      const address = `${root}${steps.slice(0, nameEnd).join('')}`;
      const indexed = steps[nameEnd]?.startsWith('[') ? `${address}${steps[nameEnd]}` : undefined;
      if (steps.length > nameEnd) references.push(indexed && steps.length > nameEnd + 1 ? `${indexed}${steps[nameEnd + 1]}` : full);
      if (indexed) references.push(indexed);
      references.push(address);
    } else if (['var', 'local', 'each', 'count', 'path', 'self', 'terraform'].includes(root) && steps[0]?.startsWith('.')) {
      references.push(`${root}${steps[0]}`);
    }
  }
  return references;
}
