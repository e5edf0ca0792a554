import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';

const candidates = ['mariadbd', 'mysqld'];
const sbinDirs = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];

/** Finds the MariaDB/MySQL server binary, or null. */
export function findMariadbd(): string | null {
  for (const name of candidates) {
    for (const dir of sbinDirs) {
      const full = path.join(dir, name);
      if (existsSync(full)) return full;
    }
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ThrowawayMariadb {
  url: string;
  pid: number;
  dir: string;
  child: ChildProcess;
}

/**
 * Starts a throwaway mariadbd in a temp folder (no grants: it only listens on 127.0.0.1 and is deleted afterwards),
 * tuned for tests rather than durability: a commit reaches the log file, not the disk
 * (`innodb_flush_log_at_trx_commit=2`), unless `flushLogAtTrxCommit` says 1 (durable, as production runs; the benches).
 */
export async function startThrowawayMariadb(options: { flushLogAtTrxCommit?: 1 | 2 } = {}): Promise<ThrowawayMariadb> {
  const bin = findMariadbd();
  if (!bin) {
    throw new Error(
      'MariaDB server not found: the repository and service tests need a real MariaDB/MySQL.\n' +
        '  Install it with:  apt-get update && apt-get install -y mariadb-server\n' +
        '  or point the tests at a server with MYSQL_URL=mysql://user:pass@host:3306/',
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-mariadb-'));
  const datadir = path.join(dir, 'data');
  const installer = ['mariadb-install-db', 'mysql_install_db']
    .flatMap((n) => sbinDirs.map((d) => path.join(d, n)))
    .find((p) => existsSync(p));
  if (!installer) throw new Error('mariadb-install-db not found next to mariadbd; reinstall mariadb-server');
  const init = spawnSync(
    installer,
    ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'],
    { encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`mariadb-install-db failed:\n${init.stdout}\n${init.stderr}`);
  const port = await freePort();
  const child = spawn(
    bin,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${path.join(dir, 'mysqld.sock')}`,
      `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-grant-tables',
      '--skip-name-resolve',
      '--skip-log-bin',
      '--max-connections=1000',
      '--innodb-buffer-pool-size=1G',
      '--innodb-log-file-size=256M',
      `--innodb-flush-log-at-trx-commit=${options.flushLogAtTrxCommit ?? 2}`,
      '--innodb-doublewrite=0',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const socket = path.join(dir, 'mysqld.sock');
  // Clients on this machine use the Unix socket, as a local MariaDB is normally reached: on this VM a TCP loopback
  // round trip costs about four times as much CPU. It also listens on TCP (127.0.0.1) for tools that want a port.
  const url = `mysql://root@localhost/?socketPath=${encodeURIComponent(socket)}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited at start-up:\n${stderr.slice(-4000)}`);
    try {
      const conn = await createConnection({ socketPath: socket, user: 'root' });
      await conn.end();
      break;
    } catch {
      if (Date.now() - started > 60_000) throw new Error(`mariadbd did not accept connections in 60 s:\n${stderr.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  child.stderr?.removeAllListeners('data');
  child.stderr?.destroy();
  child.unref();
  return { url, pid: child.pid!, dir, child };
}

/**
 * Stops the server and deletes its folder. Pass the child when this process started it: waiting for its exit event
 * reaps it, whereas polling the pid would see an unreaped zombie and wait for nothing.
 */
export async function stopThrowawayMariadb(server: { pid: number; dir: string; child?: ChildProcess }): Promise<void> {
  const { child } = server;
  if (child && child.exitCode === null && child.signalCode === null) {
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      timer = setTimeout(resolve, 30_000);
    });
    child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  } else if (!child) {
    try {
      process.kill(server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        process.kill(server.pid, 0);
      } catch {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  rmSync(server.dir, { recursive: true, force: true });
}
