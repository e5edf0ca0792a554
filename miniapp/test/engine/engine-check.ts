import fs from 'node:fs';
import path from 'node:path';
import { parse, type Node } from 'acorn';
import { fullAncestor } from 'acorn-walk';
// eslint-scope ships no types; only `analyze` and the reference shape below are used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { analyze } = require('eslint-scope') as {
  analyze(ast: unknown, options: { ecmaVersion: number; sourceType: 'script' | 'module' }): {
    globalScope: { through: { identifier: Node & { name: string } }[] };
  };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ENGINE_ECMA_VERSION } = require('../../config/engine-targets.cjs') as { ENGINE_ECMA_VERSION: number };

/**
 * What a phone's engine would refuse in an emitted mini-program script, found without a phone:
 *
 * - syntax newer than the engines parse (DingTalk's Android V8 6.9, iOS before 13.4): every script must parse with
 *   acorn at ENGINE_ECMA_VERSION (2018);
 * - a read of `globalThis` or `global` that is not guarded: DingTalk's engine has neither, and reading an undeclared
 *   name throws. eslint-scope finds the references that resolve to no declaration (a local `var globalThis` is fine);
 *   a reference is guarded when it is the operand of `typeof`, sits in a `try` block, or sits in the branch of a
 *   conditional, `&&` or `if` whose test reads `typeof` of the same name.
 */
export interface EngineProblem {
  file: string;
  kind: 'syntax' | 'unguarded-global';
  message: string;
  /** A short piece of the code around the problem. */
  excerpt: string;
}

export const FORBIDDEN_GLOBALS = ['globalThis', 'global'] as const;

function excerpt(source: string, offset: number): string {
  return source.slice(Math.max(0, offset - 60), offset + 60).replace(/\s+/g, ' ');
}

type AnyNode = Node & Record<string, unknown>;

/** True when `test` contains `typeof <name>`. */
function testsTypeof(test: unknown, name: string): boolean {
  let found = false;
  fullAncestor(test as Node, (node) => {
    const n = node as AnyNode;
    if (n.type === 'UnaryExpression' && n.operator === 'typeof' && (n.argument as AnyNode).type === 'Identifier' && (n.argument as AnyNode).name === name) found = true;
  });
  return found;
}

const within = (outer: unknown, inner: Node): boolean => !!outer && (outer as Node).start <= inner.start && inner.end <= (outer as Node).end;

function isGuarded(ref: Node & { name: string }, ancestors: Node[]): boolean {
  const parent = ancestors[ancestors.length - 2] as AnyNode | undefined;
  if (parent?.type === 'UnaryExpression' && parent.operator === 'typeof') return true;
  for (const node of ancestors as AnyNode[]) {
    if (node.type === 'TryStatement' && within(node.block, ref)) return true;
    if (node.type === 'ConditionalExpression' && within(node.consequent, ref) && testsTypeof(node.test, ref.name)) return true;
    if (node.type === 'LogicalExpression' && node.operator === '&&' && within(node.right, ref) && testsTypeof(node.left, ref.name)) return true;
    if (node.type === 'IfStatement' && within(node.consequent, ref) && testsTypeof(node.test, ref.name)) return true;
  }
  return false;
}

/** The problems of one script's source. */
export function checkScript(file: string, source: string): EngineProblem[] {
  let ast: Node;
  try {
    ast = parse(source, { ecmaVersion: ENGINE_ECMA_VERSION as 2018, sourceType: 'script', allowHashBang: true, ranges: true });
  } catch (err) {
    const pos = (err as { pos?: number }).pos ?? 0;
    return [{ file, kind: 'syntax', message: `not ES${ENGINE_ECMA_VERSION}: ${(err as Error).message}`, excerpt: excerpt(source, pos) }];
  }
  const free = new Set(
    analyze(ast, { ecmaVersion: ENGINE_ECMA_VERSION, sourceType: 'script' })
      .globalScope.through.map((r) => r.identifier)
      .filter((id) => (FORBIDDEN_GLOBALS as readonly string[]).includes(id.name)),
  );
  if (free.size === 0) return [];
  const problems: EngineProblem[] = [];
  fullAncestor(ast, (node, _state, ancestors) => {
    if (!free.has(node as Node & { name: string })) return;
    const id = node as Node & { name: string };
    if (!isGuarded(id, ancestors)) {
      problems.push({ file, kind: 'unguarded-global', message: `reads \`${id.name}\` without a typeof guard`, excerpt: excerpt(source, id.start) });
    }
  });
  return problems;
}

function scriptsUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return scriptsUnder(file);
    return e.name.endsWith('.js') ? [file] : [];
  });
}

/** Every emitted script of a build folder, checked; `scripts` says how many were read. */
export function checkBuild(dir: string): { scripts: number; problems: EngineProblem[] } {
  const files = scriptsUnder(dir);
  const problems = files.flatMap((file) => checkScript(path.relative(dir, file), fs.readFileSync(file, 'utf8')));
  return { scripts: files.length, problems };
}
