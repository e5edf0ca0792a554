import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

// The flags `npm start` runs the server with (scripts/server-node-flags.cjs).
const { serverNodeFlags } = require('../scripts/server-node-flags.cjs') as { serverNodeFlags: string[] };

/** Starts bench/api-server.ts (the production app in its own process) under tsx and waits for the port it prints. */
export async function startApiServer(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; origin: string }> {
  // Node itself loads tsx (no wrapper process), so the production server's flags and BENCH_SERVER_NODE_ARGS (e.g.
  // "--cpu-prof") reach the server.
  const nodeArgs = [...serverNodeFlags, ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, '--import', pathToFileURL(require.resolve('tsx')).href, path.join(__dirname, 'api-server.ts')], {
    env: { ...process.env, ...extraEnv, BENCH_DATABASE_URL: databaseUrl, NODE_ENV: 'production' },
    // stdin stays open and unused: the server exits when it closes, so it never outlives the bench.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr = (stderr + String(chunk)).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API server did not start in 60 s:\n${stderr}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`API server exited (${code}) before listening:\n${stderr}`));
    });
    const lines = createInterface({ input: child.stdout! });
    // Anything after the port line is the server's own log (BENCH_SERVER_LOG_LEVEL): pass it through.
    lines.on('line', (line) => {
      if (!line.startsWith('{"port"')) process.stderr.write(`[api] ${line}\n`);
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch {
        reject(new Error(`API server said ${line}`));
      }
    });
  });
  child.removeAllListeners('exit');
  return { child, origin: `http://127.0.0.1:${port}` };
}

/** Stops it with SIGTERM, and SIGKILL after 10 s. */
export async function stopApiServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

