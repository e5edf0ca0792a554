#!/usr/bin/env node
// `npm test`: provisions what the tests need (a MariaDB server, a CJK font, Chromium), typechecks, builds the mini-program targets, runs Jest on SQLite and MariaDB, and
// ends with the plain line `N passed, N failed`. `--quick` (npm run test:quick) skips the typecheck.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jestArgs = args.filter((a) => a !== '--quick');
let extraFailures = 0;

const say = (line) => process.stdout.write(`${line}\n`);
const run = (cmd, cmdArgs, opts = {}) => spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, ...opts });
const finish = (passed, failed) => {
  say(`\n${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
};

// The photo watermark draws Chinese through fontconfig; `fc-list` is how the server itself checks (watermark.ts).
function haveCjkFont() {
  const list = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  return list.status === 0 && list.stdout.trim().length > 0;
}

function haveMariadb() {
  return ['mariadbd', 'mysqld'].some((bin) => ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'].some((dir) => existsSync(path.join(dir, bin))));
}

// 1. MariaDB: the repository and service tests run on it as well as on SQLite; a missing server is never a skip.
if (!process.env.MYSQL_URL && !haveMariadb()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    say('MariaDB 未安装：正在用 apt-get 安装 mariadb-server（测试需要真实的 MariaDB）…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = run('apt-get', ['update', '-qq'], { env });
    const install = update.status === 0 ? run('apt-get', ['install', '-y', '-qq', 'mariadb-server'], { env }) : update;
    if (install.status !== 0 || !haveMariadb()) {
      say('安装 mariadb-server 失败。请手动运行：apt-get update && apt-get install -y mariadb-server');
      finish(0, 1);
    }
  } else {
    say('测试需要 MariaDB，但本机没有 mariadbd。请运行：');
    say('  sudo apt-get update && sudo apt-get install -y mariadb-server');
    say('或者用 MYSQL_URL=mysql://user:pass@host:3306/ 指向一个可用的 MySQL/MariaDB。');
    finish(0, 1);
  }
}

// 1b. A CJK font: without one the watermark tests fail (they never skip), so provide it the same way.
if (!haveCjkFont()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    say('中文字体未安装：正在用 apt-get 安装 fonts-wqy-microhei（照片水印需要渲染中文）…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = run('apt-get', ['update', '-qq'], { env });
    const install = update.status === 0 ? run('apt-get', ['install', '-y', '-qq', 'fontconfig', 'fonts-wqy-microhei'], { env }) : update;
    if (install.status !== 0 || !haveCjkFont()) {
      say('安装 fonts-wqy-microhei 失败。请手动运行：apt-get update && apt-get install -y fontconfig fonts-wqy-microhei');
      finish(0, 1);
    }
  } else {
    say('测试需要中文字体（照片水印），但 fontconfig 找不到任何中文字体。请运行：');
    say('  sudo apt-get update && sudo apt-get install -y fontconfig fonts-wqy-microhei');
    finish(0, 1);
  }
}

// 1c. Chromium for the browser end-to-end tests of the H5 app (miniapp/e2e, playwright-core drives Debian's build).
const haveChromium = () => ['/usr/bin/chromium', '/usr/bin/chromium-browser'].some((bin) => existsSync(bin));
if (!haveChromium()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    say('Chromium 未安装：正在用 apt-get 安装 chromium（浏览器端到端测试需要）…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = run('apt-get', ['update', '-qq'], { env });
    const install = update.status === 0 ? run('apt-get', ['install', '-y', '-qq', 'chromium'], { env }) : update;
    if (install.status !== 0 || !haveChromium()) {
      say('安装 chromium 失败。请手动运行：apt-get update && apt-get install -y chromium');
      finish(0, 1);
    }
  } else {
    say('浏览器端到端测试需要 Chromium，但本机没有 /usr/bin/chromium。请运行：');
    say('  sudo apt-get update && sudo apt-get install -y chromium');
    finish(0, 1);
  }
}

// 1d. Galera for the cluster suites (server/test/cluster): three MariaDB nodes in one cluster; missing is a failure.
{
  const { ensureGalera } = await import('./galera.mjs');
  if (!ensureGalera(say)) finish(0, 1);
}

// 2. Types: the strict build of every workspace package.
if (!quick) {
  say('== 类型检查 (tsc -b, bench, miniapp)');
  const tscBin = path.join(root, 'node_modules/typescript/bin/tsc');
  const tsc = run(process.execPath, [tscBin, '-b']);
  // The benchmarks are not part of the build, but they import the server: keep them compiling.
  const benchTsc = tsc.status === 0 ? run(process.execPath, [tscBin, '--noEmit', '-p', 'bench/tsconfig.json']) : tsc;
  // The mini-program has its own compiler settings (DOM, JSX, Taro types), so it is checked on its own.
  const miniappTsc = run(process.execPath, [tscBin, '--noEmit', '-p', 'miniapp/tsconfig.json']);
  if (tsc.status !== 0 || benchTsc.status !== 0 || miniappTsc.status !== 0) {
    say('类型检查失败（见上）。');
    extraFailures += 1;
  }
}

// 2b. The mini-program builds (dd, qywx, H5), once per source change: the build test and the browser tests use them.
{
  const { createRequire } = await import('node:module');
  const { ensureBuilt } = createRequire(import.meta.url)('../miniapp/scripts/ensure-build.cjs');
  for (const target of ['dd', 'qywx', 'h5']) {
    try {
      const { built, ms } = ensureBuilt(target, { log: (t) => say(`== 构建小程序 ${t}（taro build --type ${t}）`) });
      if (built) say(`   ${target} 构建完成，用时 ${(ms / 1000).toFixed(1)} 秒`);
    } catch (err) {
      say(`小程序 ${target} 构建失败：${err instanceof Error ? err.message : String(err)}`);
      extraFailures += 1;
    }
  }
}

// 3. Jest, with a machine-readable result for the closing line.
say('== Jest');
const out = path.join(root, '.tmp', 'jest-results.json');
mkdirSync(path.dirname(out), { recursive: true });
rmSync(out, { force: true });
const jest = run(process.execPath, [path.join(root, 'node_modules/jest/bin/jest.js'), '--json', `--outputFile=${out}`, ...jestArgs]);
if (!existsSync(out)) {
  say(`Jest 没有产出结果（退出码 ${jest.status}）。`);
  finish(0, extraFailures + 1);
}
const result = JSON.parse(readFileSync(out, 'utf8'));
const brokenSuites = result.testResults.filter((s) => s.status === 'failed' && s.assertionResults.every((a) => a.status !== 'failed')).length;
const passed = result.numPassedTests;
let failed = result.numFailedTests + brokenSuites + extraFailures;
if (result.numPendingTests > 0 || result.numTodoTests > 0) {
  say(`有 ${result.numPendingTests + result.numTodoTests} 个被跳过的测试：跳过的测试什么也证明不了，按失败计。`);
  failed += result.numPendingTests + result.numTodoTests;
}
if (passed === 0 && failed === 0) failed = 1;
finish(passed, failed);
