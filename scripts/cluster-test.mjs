#!/usr/bin/env node
// `npm run cluster:test`: the cluster suites alone (server/test/cluster) — a three-node MariaDB Galera cluster started in
// a temp folder, claims raced across its nodes. `npm test` runs the same suites with everything else.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGalera } from './galera.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stdout.write(`${line}\n`);
if (!ensureGalera(say)) {
  say('\n0 passed, 1 failed');
  process.exit(1);
}
const jest = spawnSync(process.execPath, [path.join(root, 'node_modules/jest/bin/jest.js'), '--runInBand', 'server/test/cluster', ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(jest.status ?? 1);
