import type { SyntaxNode as Node } from './syntax';
import { isPlainObject, LazyObject, Unknown, type PlainObject, type Value } from './expressions';

/**
 * Terraform's built-in functions on known values (developer.hashicorp.com/terraform/language/functions).
 * A function not listed here gives an unknown naming it, never a guess.
 */

type Implementation = (args: Value[]) => Value;

function fail(message: string): Unknown {
  return new Unknown(message);
}

function asList(value: Value): Value[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

function asText(value: Value): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function distinct(values: Value[]): Value[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = JSON.stringify(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function flattenList(list: Value[]): Value[] {
  return list.flatMap((item) => (Array.isArray(item) ? flattenList(item) : [item]));
}

/** `format`'s verbs: %s, %d, %v, %q, %f and %%, with flags and width (`%02d`). */
function format(spec: string, args: Value[]): Value {
  let next = 0;
  let problem: Unknown | undefined;
  const result = spec.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdvqf%])/g, (_match, flags: string, width: string, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const value = args[next++];
    if (value === undefined) {
      problem = fail(`format("${spec}") has more verbs than arguments`);
      return '';
    }
    let text: string;
    if (verb === 'd') text = String(Math.trunc(Number(value)));
    else if (verb === 'f') text = Number(value).toFixed(precision === undefined ? 6 : Number(precision));
    else if (verb === 'q') text = JSON.stringify(asText(value) ?? '');
    else text = asText(value) ?? JSON.stringify(value);
    const size = Number(width || 0);
    if (text.length < size) text = flags.includes('-') ? text.padEnd(size) : text.padStart(size, flags.includes('0') ? '0' : ' ');
    return text;
  });
  return problem ?? result;
}

const FUNCTIONS: Record<string, Implementation> = {
  concat: (args) => (args.every(Array.isArray) ? (args as Value[][]).flat() : fail('concat takes lists')),
  merge: (args) => {
    const result: PlainObject = {};
    for (const arg of args) {
      if (arg === null) continue;
      if (!isPlainObject(arg)) return fail('merge takes maps or objects');
      Object.assign(result, arg);
    }
    return result;
  },
  lookup: ([map, key, fallback]) => {
    if (!isPlainObject(map ?? null) || typeof key !== 'string') return fail('lookup takes a map and a key');
    if (Object.hasOwn(map as PlainObject, key)) return (map as PlainObject)[key]!;
    return fallback === undefined ? fail(`lookup: no key "${key}" and no default`) : fallback;
  },
  format: ([spec, ...args]) => (typeof spec === 'string' ? format(spec, args) : fail('format takes a format string')),
  formatlist: ([spec, ...args]) => {
    if (typeof spec !== 'string') return fail('formatlist takes a format string');
    const length = Math.max(0, ...args.map((arg) => (Array.isArray(arg) ? arg.length : 0)));
    return Array.from({ length }, (_, index) => format(spec, args.map((arg) => (Array.isArray(arg) ? arg[index]! : arg))));
  },
  tolist: ([value]) => (Array.isArray(value) ? value : fail('tolist takes a list or set')),
  toset: ([value]) => (Array.isArray(value) ? distinct(value) : fail('toset takes a list or set')),
  tomap: ([value]) => (isPlainObject(value ?? null) ? value! : fail('tomap takes an object')),
  tostring: ([value]) => (value === null ? null : (asText(value!) ?? fail('tostring takes a primitive'))),
  tonumber: ([value]) => (value === null ? null : Number.isNaN(Number(value)) ? fail(`tonumber: "${String(value)}" is not a number`) : Number(value)),
  tobool: ([value]) => (value === null ? null : value === true || value === 'true' ? true : value === false || value === 'false' ? false : fail('tobool takes true or false')),
  keys: ([value]) => (isPlainObject(value ?? null) ? Object.keys(value as PlainObject).sort() : fail('keys takes a map')),
  values: ([value]) => (isPlainObject(value ?? null) ? Object.keys(value as PlainObject).sort().map((key) => (value as PlainObject)[key]!) : fail('values takes a map')),
  length: ([value]) => {
    if (typeof value === 'string') return [...value].length;
    if (Array.isArray(value)) return value.length;
    if (isPlainObject(value ?? null)) return Object.keys(value as PlainObject).length;
    return fail('length takes a string or a collection');
  },
  join: ([separator, ...lists]) => {
    const items = lists.flatMap((list) => asList(list) ?? [undefined]);
    return typeof separator === 'string' && items.every((item) => item !== undefined && asText(item) !== undefined)
      ? items.map((item) => asText(item!)).join(separator)
      : fail('join takes a separator and lists of strings');
  },
  split: ([separator, text]) => (typeof separator === 'string' && typeof text === 'string' ? text.split(separator) : fail('split takes strings')),
  lower: ([text]) => (typeof text === 'string' ? text.toLowerCase() : fail('lower takes a string')),
  upper: ([text]) => (typeof text === 'string' ? text.toUpperCase() : fail('upper takes a string')),
  trimspace: ([text]) => (typeof text === 'string' ? text.trim() : fail('trimspace takes a string')),
  trimprefix: ([text, prefix]) => (typeof text === 'string' && typeof prefix === 'string' ? (text.startsWith(prefix) ? text.slice(prefix.length) : text) : fail('trimprefix takes strings')),
  trimsuffix: ([text, suffix]) => (typeof text === 'string' && typeof suffix === 'string' ? (text.endsWith(suffix) && suffix ? text.slice(0, -suffix.length) : text) : fail('trimsuffix takes strings')),
  replace: ([text, search, replacement]) => {
    if (typeof text !== 'string' || typeof search !== 'string' || typeof replacement !== 'string') return fail('replace takes strings');
    // A /regular expression/ search follows RE2 rules, which are not evaluated here.
    if (search.length > 1 && search.startsWith('/') && search.endsWith('/')) return fail(`replace with the pattern ${search} is not evaluated`);
    return text.split(search).join(replacement);
  },
  substr: ([text, offset, length]) =>
    typeof text === 'string' && typeof offset === 'number' && typeof length === 'number'
      ? [...text].slice(offset, length < 0 ? undefined : offset + length).join('')
      : fail('substr takes a string, an offset and a length'),
  coalesce: (args) => args.find((arg) => arg !== null && arg !== '') ?? fail('coalesce: every argument is null or empty'),
  coalescelist: (args) => args.find((arg) => Array.isArray(arg) && arg.length > 0) ?? fail('coalescelist: every list is empty'),
  compact: ([list]) => (Array.isArray(list) ? list.filter((item) => item !== null && item !== '') : fail('compact takes a list')),
  contains: ([list, value]) => (Array.isArray(list) ? list.some((item) => JSON.stringify(item) === JSON.stringify(value)) : fail('contains takes a list')),
  distinct: ([list]) => (Array.isArray(list) ? distinct(list) : fail('distinct takes a list')),
  flatten: ([list]) => (Array.isArray(list) ? flattenList(list) : fail('flatten takes a list')),
  element: ([list, index]) => (Array.isArray(list) && typeof index === 'number' && list.length > 0 ? list[index % list.length]! : fail('element takes a non-empty list and an index')),
  index: ([list, value]) => {
    const position = Array.isArray(list) ? list.findIndex((item) => JSON.stringify(item) === JSON.stringify(value)) : -1;
    return position >= 0 ? position : fail('index: value not in list');
  },
  zipmap: ([keys, values]) =>
    Array.isArray(keys) && Array.isArray(values) ? Object.fromEntries(keys.map((key, index) => [String(key), values[index] ?? null])) : fail('zipmap takes two lists'),
  range: (args) => {
    const numbers = args.map(Number);
    const [start, end, step] = numbers.length === 1 ? [0, numbers[0]!, 1] : [numbers[0]!, numbers[1]!, numbers[2] ?? (numbers[0]! <= numbers[1]! ? 1 : -1)];
    if (numbers.some(Number.isNaN) || step === 0) return fail('range takes numbers');
    const result: number[] = [];
    for (let value = start; step > 0 ? value < end : value > end; value += step) result.push(value);
    return result;
  },
  min: (args) => (args.every((arg) => typeof arg === 'number') ? Math.min(...(args as number[])) : fail('min takes numbers')),
  max: (args) => (args.every((arg) => typeof arg === 'number') ? Math.max(...(args as number[])) : fail('max takes numbers')),
  abs: ([value]) => (typeof value === 'number' ? Math.abs(value) : fail('abs takes a number')),
  setunion: (args) => (args.every(Array.isArray) ? distinct((args as Value[][]).flat()) : fail('setunion takes sets')),
  jsonencode: ([value]) => JSON.stringify(value),
  jsondecode: ([text]) => {
    if (typeof text !== 'string') return fail('jsondecode takes a string');
    try {
      return JSON.parse(text) as Value;
    } catch {
      return fail('jsondecode: not JSON');
    }
  },
};

/** `try` and `can` look at whether an argument can be evaluated, so they take the unevaluated nodes. */
function tryArguments(argumentNodes: Node[], evaluate: (node: Node) => Value, asCan: boolean): Value {
  for (const node of argumentNodes) {
    const value = evaluate(node);
    if (!(value instanceof Unknown)) return asCan ? true : value;
    // An unknown that only apply can tell is not an error: try() keeps it unknown.
    if (!value.reason.includes('has no attribute') && !value.reason.includes('no element') && !value.reason.includes('out of range')) return value;
  }
  return asCan ? false : fail('try: no argument could be evaluated');
}

/** Calls a function on evaluated arguments; an unknown argument makes the result unknown. */
export function callFunction(name: string, argumentNodes: Node[], expandLast: boolean, evaluate: (node: Node) => Value): Value {
  if (name === 'try' || name === 'can') return tryArguments(argumentNodes, evaluate, name === 'can');
  const implementation = FUNCTIONS[name];
  if (!implementation) return fail(`function ${name}() is not evaluated`);
  let args = argumentNodes.map(evaluate);
  if (expandLast) {
    const last = args[args.length - 1];
    if (!Array.isArray(last)) return last instanceof Unknown ? last : fail(`${name}(…): the expanded argument is not a list`);
    args = [...args.slice(0, -1), ...last];
  }
  for (const arg of args) {
    if (arg instanceof Unknown) return arg;
    if (arg instanceof LazyObject) return fail(`${name}() of ${arg.label} is not evaluated`);
  }
  return implementation(args);
}
