/**
 * What a page shows, rebuilt from its setData calls. Taro's runtime drives the view only through
 * `page.setData({ 'root.cn.[0].cn': [...] })`: path keys into the page's data, with `.[n]` (and `[n]`) for array
 * indexes. Nodes look like `{ nn, sid, uid?, cl, v, cn }`: node name, Taro's node id, the user id, class, text, children.
 */
export interface ViewNode {
  /** Node name (a tag or a template id; `#text` for text). */
  nn?: string | number;
  /** Taro's id for the node: the key a tap is dispatched with. */
  sid?: string;
  uid?: string;
  /** Class names. */
  cl?: string;
  /** A text node's text. */
  v?: string;
  /** Children. */
  cn?: ViewNode[];
  [attr: string]: unknown;
}

/** Splits `root.cn.[0].cn[2].v` into `['root', 'cn', 0, 'cn', 2, 'v']`. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const re = /([^[\]]+)|\[(\d+)\]/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(part))) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  }
  return out;
}

/** Applies one setData payload to a page's data, the way the view layer merges it. */
export function applySetData(data: Record<string, unknown>, payload: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(payload)) {
    const path = parsePath(key);
    let node: Record<string | number, unknown> = data;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i]!;
      if (node[seg] === null || typeof node[seg] !== 'object') node[seg] = typeof path[i + 1] === 'number' ? [] : {};
      node = node[seg] as Record<string | number, unknown>;
    }
    // The view layer receives a serialised copy, so later changes of the runtime's objects must not leak in.
    node[path[path.length - 1]!] = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }
}

/** Every node under `root`, depth first, in document order. */
export function allNodes(root: ViewNode | undefined): ViewNode[] {
  if (!root) return [];
  const out: ViewNode[] = [];
  const walk = (n: ViewNode) => {
    out.push(n);
    for (const c of n.cn ?? []) if (c && typeof c === 'object') walk(c);
  };
  walk(root);
  return out;
}

/** The text a node shows: its own and its descendants', concatenated. */
export function textOf(node: ViewNode | undefined): string {
  return allNodes(node)
    .map((n) => (typeof n.v === 'string' ? n.v : ''))
    .join('');
}

export function hasClass(node: ViewNode, className: string): boolean {
  return typeof node.cl === 'string' && node.cl.split(/\s+/).includes(className);
}

/** Nodes carrying `className`, optionally only those whose text contains (or matches) `text`. */
export function byClass(root: ViewNode | undefined, className: string, text?: string | RegExp): ViewNode[] {
  return allNodes(root).filter((n) => hasClass(n, className) && matches(textOf(n), text));
}

function matches(actual: string, expected: string | RegExp | undefined): boolean {
  if (expected === undefined) return true;
  return typeof expected === 'string' ? actual.includes(expected) : expected.test(actual);
}
