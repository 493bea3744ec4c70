import type { Tree } from 'web-tree-sitter';

/**
 * A parsed file's syntax tree as plain objects. The parser's own nodes live in WebAssembly memory
 * and cost a call into it for every property read; copying each tree once, with a cursor, and
 * freeing it keeps a scan of hundreds of files fast and its memory flat.
 */
export class SyntaxNode {
  readonly children: SyntaxNode[] = [];
  parent: SyntaxNode | undefined;

  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly startPosition: { row: number },
    readonly endPosition: { row: number },
    /** The grammar's field name for this child of its parent (`key`, `val`), if any. */
    readonly field: string | null,
    /** The whole file's text: every node's text is a slice of it. */
    readonly source: string,
  ) {}

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  get namedChildren(): SyntaxNode[] {
    return this.children.filter((child) => child.isNamed);
  }

  childForFieldName(field: string): SyntaxNode | null {
    return this.children.find((child) => child.field === field) ?? null;
  }

  get nextNamedSibling(): SyntaxNode | null {
    const siblings = this.parent?.children ?? [];
    for (let index = siblings.indexOf(this) + 1; index < siblings.length; index++) if (siblings[index]!.isNamed) return siblings[index]!;
    return null;
  }

  descendantsOfType(type: string): SyntaxNode[] {
    const found: SyntaxNode[] = [];
    const pending: SyntaxNode[] = [...this.children].reverse();
    for (let node = pending.pop(); node; node = pending.pop()) {
      if (node.type === type) found.push(node);
      for (let index = node.children.length - 1; index >= 0; index--) pending.push(node.children[index]!);
    }
    return found;
  }
}

/** Copies a tree, comments included, and frees it. */
export function copyTree(tree: Tree, source: string): SyntaxNode {
  const cursor = tree.walk();
  try {
    const make = (): SyntaxNode =>
      new SyntaxNode(cursor.nodeType, cursor.nodeIsNamed, cursor.startIndex, cursor.endIndex, { row: cursor.startPosition.row }, { row: cursor.endPosition.row }, cursor.currentFieldName, source);
    const root = make();
    const stack = [root];
    // Depth-first with the cursor: one call per step instead of a node object per visit.
    if (!cursor.gotoFirstChild()) return root;
    for (;;) {
      const node = make();
      const parent = stack[stack.length - 1]!;
      node.parent = parent;
      parent.children.push(node);
      if (cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return root;
        stack.pop();
        if (stack.length === 0) return root;
      }
    }
  } finally {
    cursor.delete();
    tree.delete();
  }
}
