import { spawnSync } from 'node:child_process';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt, outputDir } = require('../scripts/ensure-build.cjs') as {
  ensureBuilt: (target: string) => { built: boolean; ms: number };
  outputDir: (target: string) => string;
};

interface WechatCiResult {
  quality: { name: string; success: boolean; text: string }[];
  analysedFiles: number;
  compiled: { files: string[]; bytes: number } | null;
  compileError: string | null;
}

/** WeChat's own CI package (miniprogram-ci), offline, on the qywx build: in a child process, as CI would run it. */
function wechatCi(dir: string): { status: number | null; result: WechatCiResult; output: string } {
  const run = spawnSync(process.execPath, [path.join(__dirname, '../scripts/wechat-ci.cjs'), dir], { encoding: 'utf8', timeout: 240_000 });
  const lines = run.stdout.trim().split('\n');
  return { status: run.status, result: JSON.parse(lines[lines.length - 1]!) as WechatCiResult, output: run.stdout + run.stderr };
}

describe('miniprogram-ci on the qywx build', () => {
  let ci: ReturnType<typeof wechatCi>;

  beforeAll(() => {
    ensureBuilt('qywx');
    ci = wechatCi(outputDir('qywx'));
    process.stdout.write(ci.output.split('\n').filter((l) => /^(miniprogram-ci|  )/.test(l)).join('\n') + '\n');
  }, 600_000);

  it('passes every code-quality item, compression and lazy code loading included', () => {
    expect(ci.result.quality.map((q) => q.name)).toEqual(
      expect.arrayContaining(['PACKAGE_SIZE_LIMIT', 'JS_COMPRESS_OPEN', 'WXML_COMPRESS_OPEN', 'WXSS_COMPRESS_OPEN', 'LAZYCODE_LOADING_OPEN', 'CONTAINS_UNUSED_CODES']),
    );
    expect(ci.result.quality.filter((q) => !q.success)).toEqual([]);
    expect(ci.status).toBe(0);
  });

  it('compiles with zero errors: the app, every page and the base template', () => {
    expect(ci.result.compileError).toBeNull();
    const files = ci.result.compiled!.files;
    expect(files).toEqual(expect.arrayContaining(['app.js', 'app.json', 'pages/map/index.js', 'pages/visit/index.js', 'base.wxml']));
    expect(ci.result.analysedFiles).toBeGreaterThanOrEqual(40);
  });
});
