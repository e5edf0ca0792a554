import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
}

export interface ServerProcess {
  /** Everything it printed so far, stdout and stderr. */
  out(): string;
  exit: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * The server entry `npm start` runs (scripts/start.mjs adds only the H5 build and V8 flags), with `env` over this
 * process's, until it says it is ready («公海已就绪») or exits; rejects after `timeoutMs` of neither.
 */
export function startServerProcess(env: Record<string, string>, timeoutMs = 90_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [tsx, path.join(root, 'server/src/main.ts')], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += String(c)));
  child.stderr.on('data', (c) => (out += String(c)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exit;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`neither ready nor stopped:\n${out}`)), timeoutMs);
    const settle = () => {
      clearTimeout(timer);
      resolve({ out: () => out, exit, stop });
    };
    child.stdout.on('data', () => {
      if (out.includes('公海已就绪')) settle();
    });
    void exit.then(settle);
  });
}
