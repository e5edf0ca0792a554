import fs from 'node:fs';
import path from 'node:path';
import { checkBuild, checkScript } from '../test/engine/engine-check';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt, outputDir } = require('../scripts/ensure-build.cjs') as {
  ensureBuilt: (target: string) => { built: boolean; ms: number };
  outputDir: (target: string) => string;
};

describe('the engine check finds what a phone would refuse', () => {
  it.each([
    ['optional chaining', 'var a = b?.c;'],
    ['nullish coalescing', 'var a = b ?? 1;'],
    ['logical assignment', 'a ??= 1;'],
    ['class fields', 'class A { x = 1 }'],
    ['optional catch binding (ES2019)', 'try { a() } catch { b() }'],
  ])('syntax newer than ES2018: %s', (_name, source) => {
    expect(checkScript('x.js', source)).toEqual([expect.objectContaining({ file: 'x.js', kind: 'syntax' })]);
  });

  it('accepts ES2018 syntax: async functions, object spread, rest, async iteration', () => {
    expect(checkScript('x.js', 'async function* f(){ for await (const x of y) yield x } var o = { ...a }; var { p, ...q } = o; /(?<y>\\d{4})/u.exec(s);')).toEqual([]);
  });

  it('flags an unguarded read of globalThis or global (the fix of item 1: request.ts read globalThis.crypto)', () => {
    const problems = checkScript('x.js', 'var c = globalThis.crypto; function f(){ return global.process }');
    expect(problems.map((p) => [p.kind, p.message])).toEqual([
      ['unguarded-global', 'reads `globalThis` without a typeof guard'],
      ['unguarded-global', 'reads `global` without a typeof guard'],
    ]);
  });

  it('accepts guarded reads and locals of the same name', () => {
    const guarded = [
      'var a = typeof globalThis;',
      'var g = typeof globalThis === "object" ? globalThis : {};',
      'var g = typeof global !== "undefined" && global.x;',
      'if (typeof globalThis === "object") { globalThis.x = 1 }',
      'try { globalThis.x } catch (e) {}',
      'function f(global) { return global.x }',
      'var f = function(){ var globalThis = {}; return globalThis.a };',
    ].join('\n');
    expect(checkScript('x.js', guarded)).toEqual([]);
  });
});

describe('the dd and qywx builds at the engines’ level', () => {
  const results: Record<string, { scripts: number; problems: number }> = {};

  beforeAll(() => {
    for (const target of ['dd', 'qywx']) ensureBuilt(target);
  }, 600_000);

  afterAll(() => {
    const lines = Object.entries(results).map(([t, r]) => `  ${t.padEnd(5)} ${r.scripts} scripts parsed as ES2018, ${r.problems} problems`);
    process.stdout.write(`engine check:\n${lines.join('\n')}\n`);
  });

  it.each(['dd', 'qywx'])('every %s script parses as ES2018 and reads no globalThis/global unguarded', (target) => {
    const { scripts, problems } = checkBuild(outputDir(target));
    results[target] = { scripts, problems: problems.length };
    expect(scripts).toBeGreaterThanOrEqual(20);
    expect(problems).toEqual([]);
  });

  it('dd ships mini.project.json, so the DingTalk IDE and dingtalk-design-cli accept the folder', () => {
    const project = JSON.parse(fs.readFileSync(path.join(outputDir('dd'), 'mini.project.json'), 'utf8'));
    // component2 is the component model Taro's alipay-family runtime is built for.
    expect(project).toMatchObject({ format: 2, compileType: 'mini', compileOptions: { component2: true } });
  });

  it('qywx ships its devtools project file with compression on and lazy code loading in app.json', () => {
    const project = JSON.parse(fs.readFileSync(path.join(outputDir('qywx'), 'project.config.json'), 'utf8'));
    expect(project).toMatchObject({ miniprogramRoot: './', compileType: 'miniprogram', setting: { minified: true, minifyWXML: true, minifyWXSS: true, es6: false, enhance: false } });
    expect(JSON.parse(fs.readFileSync(path.join(outputDir('qywx'), 'app.json'), 'utf8')).lazyCodeLoading).toBe('requiredComponents');
    expect(JSON.parse(fs.readFileSync(path.join(outputDir('dd'), 'app.json'), 'utf8')).lazyCodeLoading).toBeUndefined();
  });
});
