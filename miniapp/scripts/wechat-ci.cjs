#!/usr/bin/env node
// WeChat's official CI package (miniprogram-ci) on a built qywx folder, offline: its code-quality check and its
// compile. `node miniapp/scripts/wechat-ci.cjs [dir]` prints a summary and, as the last line, the result as JSON;
// exit 1 when a quality item fails or the compile throws. The project attributes come from `ci.DefaultProjectAttr`
// (else the package asks WeChat's servers for them), and the private key is a dummy: nothing is uploaded.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dir = path.resolve(process.argv[2] || path.join(__dirname, '..', 'dist', 'qywx'));

async function main() {
  // miniprogram-ci logs its own progress (and, offline, a failed fetch of an optional allow-list) on stdout.
  const ci = require('miniprogram-ci');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gonghai-wechat-ci-'));
  const privateKeyPath = path.join(work, 'private.dummy.key');
  fs.writeFileSync(privateKeyPath, 'dummy: miniprogram-ci only reads it to upload, which this script never does\n');
  try {
    const project = new ci.Project({
      appid: JSON.parse(fs.readFileSync(path.join(dir, 'project.config.json'), 'utf8')).appid,
      type: 'miniProgram',
      projectPath: dir,
      privateKeyPath,
      ignores: ['node_modules/**/*'],
      attr: async () => ci.DefaultProjectAttr,
    });
    const quality = (await ci.checkCodeQuality(project)).map((item) => ({ name: item.name, success: item.success, text: item.text, detail: item.detail }));
    const analysis = await ci.analyseCode(project);
    let compiled = null;
    let compileError = null;
    try {
      const files = await ci.getCompiledResult({ project, setting: { es6: false, es7: false, minify: true }, onProgressUpdate: () => undefined });
      compiled = { files: Object.keys(files).sort(), bytes: Object.values(files).reduce((n, s) => n + Buffer.byteLength(String(s)), 0) };
    } catch (err) {
      compileError = err instanceof Error ? err.message : String(err);
    }
    return { dir, quality, analysedFiles: analysis.files.length, compiled, compileError };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (result) => {
    const failed = result.quality.filter((q) => !q.success);
    process.stdout.write(`\nminiprogram-ci ${result.dir}\n`);
    // An item's text describes the problem it looks for, so it is shown only when the item fails.
    for (const q of result.quality) process.stdout.write(q.success ? `  通过   ${q.name}\n` : `  未通过 ${q.name}：${q.text}\n`);
    process.stdout.write(result.compiled ? `  编译通过：${result.compiled.files.length} 个文件，${(result.compiled.bytes / 1024).toFixed(1)} KB\n` : `  编译失败：${result.compileError}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    // miniprogram-ci leaves a file watcher open: end the process once the result is out.
    process.exit(failed.length === 0 && result.compiled ? 0 : 1);
  },
  (err) => {
    process.stderr.write(`miniprogram-ci 运行失败：${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
