// Builds a mini-program target unless dist/<target> is already the build of the current sources. Used by `npm start`
// (H5), scripts/test.mjs (all three, before Jest) and the build test, so each build runs once per source change.
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const miniappDir = path.resolve(__dirname, '..');
const TARGETS = ['dd', 'qywx', 'h5'];

/** Every file the build reads from this package, hashed with the build-time settings. */
function sourceHash(target) {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__tests__') walk(file);
      } else {
        hash.update(path.relative(miniappDir, file)).update('\0').update(fs.readFileSync(file)).update('\0');
      }
    }
  };
  for (const dir of ['src', 'config', 'types']) walk(path.join(miniappDir, dir));
  for (const file of ['package.json', 'babel.config.js', 'tsconfig.json', 'project.config.json', 'project.alipay.json']) hash.update(fs.readFileSync(path.join(miniappDir, file)));
  for (const name of ['API_ORIGIN', 'DD_CORP_ID', 'WECOM_CORP_ID']) hash.update(`${name}=${process.env[name] ?? ''}\0`);
  hash.update(target);
  return hash.digest('hex');
}

const stampFile = (target) => path.join(miniappDir, 'dist', '.stamps', `${target}.sha256`);
const outputDir = (target) => path.join(miniappDir, 'dist', target);

/** True when dist/<target> was built from exactly the current sources. */
function isFresh(target) {
  const stamp = stampFile(target);
  const entry = path.join(outputDir(target), target === 'h5' ? 'index.html' : 'app.json');
  return fs.existsSync(stamp) && fs.existsSync(entry) && fs.readFileSync(stamp, 'utf8') === sourceHash(target);
}

/**
 * Runs `taro build --type <target>` when the output is missing or stale; returns `{ built, ms }`.
 * Throws with the build's output when the build fails.
 */
function ensureBuilt(target, { log = () => undefined, force = false } = {}) {
  if (!TARGETS.includes(target)) throw new Error(`unknown target ${target}`);
  if (!force && isFresh(target)) return { built: false, ms: 0 };
  // Parallel Jest workers (and `npm start` next to a test run) must not build into one folder at once.
  const release = lock(target);
  try {
    if (!force && isFresh(target)) return { built: false, ms: 0 };
    return build(target, log);
  } finally {
    release();
  }
}

const LOCK_STALE_MS = 10 * 60_000;

/** A cross-process lock: a directory created atomically; a lock left by a crashed build expires. */
function lock(target) {
  const dir = path.join(miniappDir, 'dist', '.stamps', `${target}.lock`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(dir);
      return () => fs.rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      try {
        if (Date.now() - fs.statSync(dir).mtimeMs > LOCK_STALE_MS) fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
}

function build(target, log) {
  log(target);
  const started = Date.now();
  // Hashed before building: a source edited during the build leaves the output stale, not falsely fresh.
  const hash = sourceHash(target);
  const taro = require.resolve('@tarojs/cli/bin/taro', { paths: [miniappDir] });
  const result = spawnSync(process.execPath, [taro, 'build', '--type', target], {
    cwd: miniappDir,
    encoding: 'utf8',
    // The demo's own build (config/build-settings.ts): it may point at http://localhost:3000 and the demo corps.
    env: { ...process.env, NODE_ENV: 'production', GONGHAI_DEMO_BUILD: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`taro build --type ${target} failed (exit ${result.status}):\n${(result.stdout + result.stderr).slice(-4000)}`);
  }
  fs.mkdirSync(path.dirname(stampFile(target)), { recursive: true });
  fs.writeFileSync(stampFile(target), hash);
  return { built: true, ms: Date.now() - started };
}

module.exports = { TARGETS, ensureBuilt, isFresh, outputDir, miniappDir };

// `npm run build:demo [-- dd qywx h5]`: the demo builds (local API origin, demo corps), each only when stale.
if (require.main === module) {
  const targets = process.argv.slice(2).length ? process.argv.slice(2) : TARGETS;
  for (const target of targets) {
    try {
      const { built, ms } = ensureBuilt(target, { log: (t) => process.stdout.write(`构建演示版 ${t}（taro build --type ${t}）…\n`) });
      process.stdout.write(built ? `  ${target} 完成，用时 ${(ms / 1000).toFixed(1)} 秒 → ${outputDir(target)}\n` : `  ${target} 已是最新 → ${outputDir(target)}\n`);
    } catch (err) {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    }
  }
}
