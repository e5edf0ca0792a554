#!/usr/bin/env node
// `npm start`: builds the H5 app when miniapp/dist/h5 is missing or older than its sources, then runs the server
// (server/src/main.ts), which serves it at `/` next to the API.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { ensureBuilt, isFresh } = require('../miniapp/scripts/ensure-build.cjs');
const { serverNodeFlags } = require('./server-node-flags.cjs');
const say = (line) => process.stdout.write(`${line}\n`);

if (!isFresh('h5')) {
  say('正在构建 H5 页面（首次启动约需 1 分钟）…');
  try {
    const { ms } = ensureBuilt('h5');
    say(`H5 页面构建完成，用时 ${(ms / 1000).toFixed(1)} 秒`);
  } catch (err) {
    // The API still works without the app: say why `/` shows the landing page instead, and carry on.
    say(`H5 页面构建失败，先只启动 API（首页显示说明页）。原因：${err instanceof Error ? err.message : String(err)}`);
  }
}

// Through NODE_OPTIONS: tsx runs the server in a child process of its own, which inherits them.
const nodeOptions = [process.env.NODE_OPTIONS, ...serverNodeFlags].filter(Boolean).join(' ');
const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'server/src/main.ts')], {
  cwd: root,
  env: { ...process.env, NODE_OPTIONS: nodeOptions },
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
