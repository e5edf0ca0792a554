import fs from 'node:fs';
import path from 'node:path';

// CommonJS helper shared with scripts/test.mjs and scripts/start.mjs: builds a target only when its sources changed.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt, outputDir } = require('../scripts/ensure-build.cjs') as {
  ensureBuilt: (target: string, opts?: { log?: (t: string) => void }) => { built: boolean; ms: number };
  outputDir: (target: string) => string;
};

/** DESIGN §14: each main package ≤ 1.5 MB (the platforms' limit is 2 MB). */
const MAX_MAIN_PACKAGE_BYTES = 1.5 * 1024 * 1024;

function registeredPages(): string[] {
  // app.config.ts calls Taro's compile-time global; give it an identity so the real file can be read here.
  (globalThis as { defineAppConfig?: (c: unknown) => unknown }).defineAppConfig = (c) => c;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../src/app.config') as { pages: string[] }).pages;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(file) : [file];
  });
}

/** What a platform counts against the package limit: every shipped file (source maps are not shipped). */
function packageBytes(target: string): number {
  return filesUnder(outputDir(target))
    .filter((f) => !f.endsWith('.map'))
    .reduce((sum, f) => sum + fs.statSync(f).size, 0);
}

const sizes: Record<string, number> = {};

describe('mini-program builds', () => {
  beforeAll(() => {
    for (const target of ['dd', 'qywx', 'h5']) {
      const { built, ms } = ensureBuilt(target);
      if (built) process.stdout.write(`built ${target} in ${(ms / 1000).toFixed(1)} s\n`);
    }
  }, 600_000);

  afterAll(() => {
    const lines = Object.entries(sizes).map(([t, b]) => `  ${t.padEnd(5)} ${(b / 1024).toFixed(1).padStart(7)} KB`);
    process.stdout.write(`main package sizes (limit ${MAX_MAIN_PACKAGE_BYTES / 1024} KB):\n${lines.join('\n')}\n`);
  });

  it.each(['dd', 'qywx'])('registers exactly the pages of app.config.ts in the %s app.json, tab bar included', (target) => {
    const appJson = JSON.parse(fs.readFileSync(path.join(outputDir(target), 'app.json'), 'utf8'));
    expect(appJson.pages).toEqual(registeredPages());
    // alipay-style tab bars use `items`, weapp-style `list`; both must carry the three tabs.
    const tabs = (appJson.tabBar.items ?? appJson.tabBar.list).map((t: { pagePath: string }) => t.pagePath);
    expect(tabs).toEqual(['pages/map/index', 'pages/mine/index', 'pages/workbench/index']);
    for (const page of registeredPages()) {
      const ext = target === 'dd' ? 'axml' : 'wxml';
      expect(fs.existsSync(path.join(outputDir(target), `${page}.js`))).toBe(true);
      expect(fs.existsSync(path.join(outputDir(target), `${page}.${ext}`))).toBe(true);
    }
  });

  it('routes every page of app.config.ts in the H5 build', () => {
    const dir = outputDir('h5');
    const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<div id="app">');
    const js = filesUnder(dir).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    for (const page of registeredPages()) expect(js).toContain(`"${page}"`);
  });

  it('leaves no dd script using the `my` global without the dd shim, and loads chunks through dd', () => {
    const dir = outputDir('dd');
    const scripts = filesUnder(dir).filter((f) => f.endsWith('.js'));
    const unshimmed = scripts.filter((f) => {
      const text = fs.readFileSync(f, 'utf8');
      return /\bmy\b/.test(text) && !text.startsWith('var my = dd;\n');
    });
    expect(unshimmed.map((f) => path.relative(dir, f))).toEqual([]);
    const all = scripts.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    expect(all).toContain('dd["webpackJsonp"]');
    expect(all).not.toContain('my["webpackJsonp"]');
    // The runtime does call my.* (request, event centre): the shim is what makes those work, so they must be there.
    expect(/\bmy\.httpRequest\b/.test(all)).toBe(true);
    // Templates and script modules cannot carry the shim, so they must not mention `my` at all.
    const others = filesUnder(dir).filter((f) => /\.(sjs|axml)$/.test(f) && /\bmy\./.test(fs.readFileSync(f, 'utf8')));
    expect(others).toEqual([]);
  });

  it.each(['dd', 'qywx'])('ships only its own platform file in %s: no browser SDK, no H5 map', (target) => {
    const js = filesUnder(outputDir(target))
      .filter((f) => f.endsWith('.js'))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    expect(js.includes('biz.util.datetimepicker')).toBe(false); // dingtalk-jsapi's API table
    expect(js.includes('appmaptile')).toBe(false); // the H5 map's tiles
  });

  it.each(['dd', 'qywx', 'h5'])('keeps the %s main package within 1.5 MB', (target) => {
    sizes[target] = packageBytes(target);
    expect(sizes[target]).toBeGreaterThan(50 * 1024);
    expect(sizes[target]).toBeLessThanOrEqual(MAX_MAIN_PACKAGE_BYTES);
  });
});
