import type { Tree } from 'web-tree-sitter';

/**
 * A parsed file's syntax tree as plain objects. The parser's own nodes live in WebAssembly memory
 * and cost a call into it for every property read; copying each tree once, with a cursor, and
 * freeing it keeps a scan of hundreds of files fast and its memory flat. Each step of the copy
 * reads only what cannot be derived in JavaScript (type id, field id, start and end offsets): whether
 * a type is named comes from a per-language table and lines from the file's line starts, so a node
 * costs four calls into the parser and one small object.
 */

const NO_CHILDREN: readonly SyntaxNode[] = Object.freeze([]);

/** What every node of one file shares: its text and where its lines start. */
class SourceText {
  private lineStarts: number[] | undefined;

  constructor(readonly text: string) {}

  /** 0-based line of an offset into the text. */
  rowOf(index: number): number {
    this.lineStarts ??= lineStartsOf(this.text);
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= index) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

export class SyntaxNode {
  children: readonly SyntaxNode[] = NO_CHILDREN;
  parent: SyntaxNode | undefined;
  private named: readonly SyntaxNode[] | undefined;

  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    /** The grammar's field name for this child of its parent (`key`, `val`), if any. */
    readonly field: string | null,
    private readonly file: SourceText,
  ) {}

  /** The whole file's text: every node's text is a slice of it. */
  get source(): string {
    return this.file.text;
  }

  get text(): string {
    return this.file.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): { row: number } {
    return { row: this.file.rowOf(this.startIndex) };
  }

  get endPosition(): { row: number } {
    return { row: this.file.rowOf(this.endIndex) };
  }

  get namedChildren(): readonly SyntaxNode[] {
    this.named ??= this.children.every((child) => child.isNamed) ? this.children : this.children.filter((child) => child.isNamed);
    return this.named;
  }

  childForFieldName(field: string): SyntaxNode | null {
    return this.children.find((child) => child.field === field) ?? null;
  }

  get nextNamedSibling(): SyntaxNode | null {
    const siblings = this.parent?.children ?? NO_CHILDREN;
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

  /** Appends a child while the tree is copied. */
  adopt(child: SyntaxNode): void {
    if (this.children === NO_CHILDREN) this.children = [];
    (this.children as SyntaxNode[]).push(child);
    child.parent = this;
  }
}

/** Copies a tree, comments included, and frees it. */
export function copyTree(tree: Tree, source: string): SyntaxNode {
  const { types, fields } = tree.language;
  const named = new Map<number, boolean>();
  const isNamed = (typeId: number): boolean => {
    let value = named.get(typeId);
    if (value === undefined) named.set(typeId, (value = tree.language.nodeTypeIsNamed(typeId)));
    return value;
  };
  const file = new SourceText(source);
  const cursor = tree.walk();
  try {
    const make = (): SyntaxNode => {
      const typeId = cursor.nodeTypeId;
      return new SyntaxNode(types[typeId] || 'ERROR', isNamed(typeId), cursor.startIndex, cursor.endIndex, fields[cursor.currentFieldId] ?? null, file);
    };
    const root = make();
    let parent = root;
    // Depth-first with the cursor: one call per step instead of a node object per visit.
    if (!cursor.gotoFirstChild()) return root;
    for (;;) {
      const node = make();
      parent.adopt(node);
      if (cursor.gotoFirstChild()) {
        parent = node;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || parent === root) return root;
        parent = parent.parent!;
      }
    }
  } finally {
    cursor.delete();
    tree.delete();
  }
}
