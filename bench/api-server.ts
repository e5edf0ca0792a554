import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@gonghai/config';
import { buildApp } from '../server/src/app';
import { createRuntime } from '../server/src/runtime';
import { BENCH_JWT_SECRET, BENCH_MASTER_KEY } from './fixtures';

/**
 * The API server for the HTTP benchmarks (claim storm, check-ins), in its own process so the load generator does not share its event loop: the
 * production app (createRuntime + buildApp, the same as main.ts without the jobs and sandboxes) over the bench
 * database named by BENCH_DATABASE_URL. Prints `{"port":N}` on stdout when it listens; SIGTERM stops it.
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error('BENCH_DATABASE_URL is not set (bench/api-server-process.ts starts this process)');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-bench-'));
  const config = loadConfig({
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    JWT_SECRET: BENCH_JWT_SECRET,
    MASTER_KEY: BENCH_MASTER_KEY,
    PLATFORM_SANDBOX: 'off',
    JOBS: 'off',
    // BENCH_SERVER_LOG_LEVEL=error shows the server's failures on its stderr.
    LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? 'silent',
    ...(process.env.PHOTO_STORE ? { PHOTO_STORE: process.env.PHOTO_STORE } : {}),
  });
  const deps = createRuntime({ config });
  const app = buildApp(deps);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', 1024, () => resolve(s));
  });
  // Keep idle keep-alive sockets open between rounds; the load generator closes them at the end.
  server.keepAliveTimeout = 60_000;
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  // The bench holds our stdin open; if it dies without stopping us, stdin ends and so do we.
  process.stdin.resume();
  process.stdin.once('end', () => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => {
      void deps.db.destroy().finally(() => {
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`API server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
