import { readFileSync } from 'node:fs';
import type { Language, Node as TreeNode, Parser as TreeParser } from 'web-tree-sitter';
import { InputFormatError } from '../../errors';
import { copyTree, type SyntaxNode as Node } from './syntax';

/**
 * Terraform source files (`.tf` and `.tf.json`) as blocks and attributes with their positions.
 * The HCL grammar of tree-sitter parses both: a `.tf.json` document is read as an HCL object
 * expression (HCL objects accept `"key": value`), so its strings are templates exactly as
 * Terraform reads them, and every value keeps its line.
 */

/** An attribute's expression: a syntax node of the HCL grammar and the text it was parsed from. */
export interface Expression {
  node: Node;
  /** The whole file's text: template literals are sliced from it. */
  text: string;
  file: string;
}

export interface SourceAttribute {
  name: string;
  expression: Expression;
  line: number;
}

export interface SourceBody {
  attributes: Map<string, SourceAttribute>;
  blocks: SourceBlock[];
}

export interface SourceBlock {
  type: string;
  labels: string[];
  body: SourceBody;
  /** Relative to the scanned folder. */
  file: string;
  /** 1-based line of the block's first label (`resource "aws_vpc" "main"`). */
  line: number;
  /** Comment lines directly above the block and at the top level of its body, without `#`/`//`. */
  comments: string[];
}

/** Which keys of a `.tf.json` body are nested blocks: the schema decides (see resource-schema.json). */
export interface BlockSchema {
  a?: string[];
  b?: Record<string, BlockSchema>;
}

let parserPromise: Promise<TreeParser> | undefined;

/** The parser, loaded on first use so that the CLI starts without it. */
function loadParser(): Promise<TreeParser> {
  parserPromise ??= (async () => {
    const { Parser, Language } = await import('web-tree-sitter');
    await Parser.init();
    // Bytes rather than a path: web-tree-sitter would otherwise import `fs` itself, dynamically.
    const language: Language = await Language.load(readFileSync(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm')));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

/** The first syntax error of a tree, as `file:line: …`. */
function syntaxError(root: TreeNode, file: string, lineOffset = 0): InputFormatError | undefined {
  if (!root.hasError) return undefined;
  const cursor = [root];
  for (let node = cursor.pop(); node; node = cursor.pop()) {
    if (node.isError || node.isMissing) {
      const what = node.isMissing ? `missing ${node.type}` : `unexpected ${JSON.stringify(node.text.slice(0, 20))}`;
      return new InputFormatError(`${file}:${node.startPosition.row + 1 - lineOffset}: Terraform syntax error (${what}).`);
    }
    if (node.hasError) cursor.push(...[...node.children].reverse().filter((child): child is TreeNode => child !== null));
  }
  return new InputFormatError(`${file}: Terraform syntax error.`);
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** The text of a quoted string's literal part, its escapes (`\n`, `\u00e9`, `$${`, `%%{`) resolved. */
export function unescapeQuoted(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|\$\$\{|%%\{/g, (match, escape: string | undefined) => {
    if (escape === undefined) return match.slice(1);
    if (escape.length > 1) return String.fromCodePoint(parseInt(escape.slice(1), 16));
    return ESCAPES[escape] ?? escape;
  });
}

/** Labels and JSON keys: a quoted string without interpolation. */
function stringLiteral(node: Node): string {
  const start = node.descendantsOfType('quoted_template_start')[0];
  const end = node.descendantsOfType('quoted_template_end')[0];
  return start && end ? unescapeQuoted(node.source.slice(start.endIndex, end.startIndex)) : node.text;
}

function commentText(node: Node): string {
  return node.text.replace(/^(#|\/\/|\/\*)\s*/, '').replace(/\s*\*\/$/, '');
}

// ---------------------------------------------------------------------------------------------
// .tf

function hclBody(body: Node | null, text: string, file: string): SourceBody {
  const result: SourceBody = { attributes: new Map(), blocks: [] };
  if (!body) return result;
  let comments: string[] = [];
  let lastCommentRow = -2;
  for (const child of body.namedChildren) {
    if (!child) continue;
    if (child.type === 'comment') {
      // Only comments on the lines right above a block belong to it.
      if (child.startPosition.row !== lastCommentRow + 1) comments = [];
      comments.push(commentText(child));
      lastCommentRow = child.endPosition.row;
      continue;
    }
    if (child.type === 'attribute') {
      const name = child.namedChildren[0]!.text;
      const expression = child.namedChildren.find((node) => node?.type === 'expression')!;
      result.attributes.set(name, { name, expression: { node: expression, text, file }, line: lineOf(child) });
    } else if (child.type === 'block') {
      const above = lastCommentRow === child.startPosition.row - 1 ? comments : [];
      result.blocks.push(hclBlock(child, text, file, above));
    }
    comments = [];
    lastCommentRow = -2;
  }
  return result;
}

function hclBlock(node: Node, text: string, file: string, commentsAbove: string[]): SourceBlock {
  const children = node.namedChildren.filter((child): child is Node => child !== null);
  const type = children[0]!.text;
  const labels = children.filter((child) => child.type === 'string_lit' || (child.type === 'identifier' && child !== children[0])).map((label) => (label.type === 'string_lit' ? stringLiteral(label) : label.text));
  const bodyNode = children.find((child) => child.type === 'body') ?? null;
  const inner = bodyNode ? bodyNode.namedChildren.filter((child): child is Node => child?.type === 'comment').map(commentText) : [];
  return { type, labels, body: hclBody(bodyNode, text, file), file, line: lineOf(node), comments: [...commentsAbove, ...inner] };
}

// ---------------------------------------------------------------------------------------------
// .tf.json

/** The `object_elem`s of an expression that is an object, with their keys; undefined for anything else. */
function objectElements(expression: Node): { key: string; keyNode: Node; value: Node }[] | undefined {
  const object = expression.namedChildren[0]?.namedChildren[0];
  if (expression.namedChildren[0]?.type !== 'collection_value' || object?.type !== 'object') return undefined;
  return object.namedChildren
    .filter((child): child is Node => child?.type === 'object_elem')
    .map((element) => {
      const keyNode = element.childForFieldName('key')!;
      const literal = keyNode.descendantsOfType('string_lit')[0];
      return { key: literal ? stringLiteral(literal) : keyNode.text, keyNode, value: element.childForFieldName('val')! };
    });
}

/** The elements of a JSON array, or the value itself when it is not one (`"rule": {…}` is one block). */
function arrayOrOne(expression: Node): Node[] {
  const tuple = expression.namedChildren[0]?.namedChildren[0];
  if (expression.namedChildren[0]?.type === 'collection_value' && tuple?.type === 'tuple') {
    return tuple.namedChildren.filter((child): child is Node => child?.type === 'expression');
  }
  return [expression];
}

function jsonBody(value: Node, text: string, file: string, schema: BlockSchema | undefined): SourceBody {
  const result: SourceBody = { attributes: new Map(), blocks: [] };
  for (const element of objectElements(value) ?? []) {
    const { key, value: inner } = element;
    if (key === '//') continue;
    const elementLine = lineOf(element.keyNode);
    if (key === 'dynamic') {
      for (const dynamic of objectElements(inner) ?? []) {
        for (const one of arrayOrOne(dynamic.value)) {
          const body = jsonBody(one, text, file, { b: { content: schema?.b?.[dynamic.key] ?? {} } });
          result.blocks.push({ type: 'dynamic', labels: [dynamic.key], body, file, line: lineOf(dynamic.keyNode), comments: [] });
        }
      }
    } else if (schema?.b?.[key] !== undefined || key === 'lifecycle' || key === 'content') {
      for (const one of arrayOrOne(inner)) {
        result.blocks.push({ type: key, labels: [], body: jsonBody(one, text, file, schema?.b?.[key]), file, line: lineOf(one), comments: [] });
      }
    } else {
      result.attributes.set(key, { name: key, expression: { node: inner, text, file }, line: elementLine });
    }
  }
  return result;
}

/** `"//"` keys are the JSON syntax's comments. */
function jsonComments(value: Node): string[] {
  return (objectElements(value) ?? []).filter((element) => element.key === '//').map((element) => stringLiteral(element.value.descendantsOfType('string_lit')[0] ?? element.value));
}

/** Blocks with labels, nested as JSON objects: `resource` → type → name → body (or a list of bodies). */
function jsonBlocks(root: Node, text: string, file: string, schemas: Record<string, BlockSchema>): SourceBlock[] {
  const blocks: SourceBlock[] = [];
  const labelCount: Record<string, number> = { resource: 2, data: 2, module: 1, variable: 1, output: 1, provider: 1, locals: 0, terraform: 0 };
  for (const top of objectElements(root) ?? []) {
    const depth = labelCount[top.key];
    if (depth === undefined) continue;
    const walk = (value: Node, labels: string[], line: number): void => {
      if (labels.length === depth) {
        for (const one of arrayOrOne(value)) {
          const schema = top.key === 'resource' ? schemas[labels[0]!] : undefined;
          blocks.push({ type: top.key, labels, body: jsonBody(one, text, file, schema), file, line, comments: jsonComments(one) });
        }
        return;
      }
      for (const element of objectElements(value) ?? []) walk(element.value, [...labels, element.key], lineOf(element.keyNode));
    };
    walk(top.value, [], lineOf(top.keyNode));
  }
  return blocks;
}

/** Parses one file; a syntax error is an InputFormatError naming the file and line. */
/** Parses a file's text; a syntax error names the file and line. The copy outlives the parser's tree. */
async function parseText(text: string, file: string): Promise<Node> {
  const tree = (await loadParser()).parse(text)!;
  const error = syntaxError(tree.rootNode, file);
  if (error) {
    tree.delete();
    throw error;
  }
  return copyTree(tree, text);
}

function readText(path: string, file: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputFormatError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { cause: error });
  }
}

export async function parseTerraformFile(path: string, file: string, schemas: Record<string, BlockSchema>): Promise<SourceBlock[]> {
  const text = readText(path, file);
  if (file.endsWith('.json')) {
    // `_=` on the first line keeps every line number as it is in the file.
    const wrapped = `_=${text}`;
    const root = await parseText(wrapped, file);
    const expression = root.descendantsOfType('expression')[0];
    if (!expression || !objectElements(expression)) throw new InputFormatError(`${file}:1: a .tf.json file must hold one JSON object.`);
    return jsonBlocks(expression, wrapped, file, schemas);
  }
  const root = await parseText(text, file);
  const body = root.namedChildren.find((child) => child.type === 'body') ?? null;
  return hclBody(body, text, file).blocks;
}

/** A `.tfvars` file's assignments (HCL, or JSON for `.tfvars.json`). */
export async function parseVariableValues(path: string, file: string): Promise<SourceAttribute[]> {
  const text = readText(path, file);
  const source = file.endsWith('.json') ? `_=${text}` : text;
  const root = await parseText(source, file);
  if (file.endsWith('.json')) {
    const expression = root.descendantsOfType('expression')[0];
    return (expression ? (objectElements(expression) ?? []) : []).map((element) => ({ name: element.key, expression: { node: element.value, text: source, file }, line: lineOf(element.keyNode) }));
  }
  const body = root.namedChildren.find((child) => child.type === 'body') ?? null;
  return [...hclBody(body, source, file).attributes.values()];
}

/** One expression given on the command line (`--var 'ports=[80,443]'`). */
export async function parseExpressionText(text: string, origin: string): Promise<Expression> {
  const source = `_ = ${text}\n`;
  const root = await parseText(source, origin);
  const body = root.namedChildren.find((child) => child.type === 'body') ?? null;
  const attribute = hclBody(body, source, origin).attributes.get('_');
  if (!attribute) throw new InputFormatError(`${origin}: not an expression.`);
  return attribute.expression;
}
