import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { findMariadbd } from './mariadb-server';

/** Where Debian's galera-4 puts the wsrep provider. */
const PROVIDERS = ['/usr/lib/galera/libgalera_smm.so', '/usr/lib/galera-4/libgalera_smm.so', '/usr/lib64/galera-4/libgalera_smm.so', '/usr/lib64/galera/libgalera_smm.so'];

/** The wsrep provider library, or null when galera-4 is not installed. */
export function findGaleraProvider(): string | null {
  return PROVIDERS.find((p) => existsSync(p)) ?? null;
}

/** One node of a test cluster: root over its Unix socket, no password (the cluster listens on 127.0.0.1 only). */
export interface GaleraNode {
  name: string;
  /** Its MySQL port on 127.0.0.1. */
  port: number;
  socket: string;
  /** mysql2/createDb URL of the server (no database): `mysql://root@localhost/?socketPath=…`. */
  url: string;
  /** Its error log (state transfers, recovery): what a test reads to see how the node joined. */
  errorLog: string;
}

export interface GaleraCluster {
  nodes: GaleraNode[];
  /** The folder holding every node's datadir, config and error log (deleted by stop()). */
  dir: string;
  /** SIGKILLs node i (0-based) and waits for it to be gone. */
  kill(i: number): Promise<void>;
  /** Brings a killed node back by IST: recovers its position (--wsrep-recover), starts it there, waits until Synced. */
  restart(i: number): Promise<void>;
  /** A fresh root connection to node i. */
  connect(i: number, database?: string): Promise<Connection>;
  /** Stops every node and deletes the folder. */
  stop(): Promise<void>;
}

interface NodeState {
  node: GaleraNode;
  dir: string;
  cnf: string;
  log: string;
  child: ChildProcess | null;
}

const live = new Set<NodeState>();
let exitHookInstalled = false;

/** Whatever happens to the test process, no mariadbd outlives it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const s of live) s.child?.kill('SIGKILL');
  });
}

const DIR_PREFIX = 'gonghai-galera-';

/**
 * Removes the clusters of test processes that died without stopping them (a Ctrl-C, a killed Jest worker): each cluster
 * folder names the process that started it (`owner.pid`); when that process is gone, its nodes are killed and the folder
 * deleted.
 */
async function sweepOrphans(): Promise<void> {
  for (const entry of readdirSync(os.tmpdir())) {
    if (!entry.startsWith(DIR_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), entry);
    const owner = Number(readFileIfExists(path.join(dir, 'owner.pid')));
    if (!owner || alive(owner)) continue;
    const pids: number[] = [];
    for (const node of readdirSync(dir)) {
      const pid = Number(readFileIfExists(path.join(dir, node, 'mysqld.pid')));
      // Only the node of this folder: a pid file can outlive its process, and the pid be another's by now.
      if (pid && alive(pid) && readFileIfExists(`/proc/${pid}/cmdline`).includes(dir)) {
        process.kill(pid, 'SIGKILL');
        pids.push(pid);
      }
    }
    // A killed node may still be writing its files for a moment: delete the folder once it is gone.
    for (let i = 0; i < 50 && pids.some(alive); i++) await sleep(100);
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // left for the next sweep
    }
  }
}

function readFileIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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

/** The uid/gid the nodes run as: `mysql` when we are root (see below), else ourselves. */
function serverUser(): { name: string; uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const id = (flag: string) => spawnSync('id', [flag, 'mysql'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error('Galera 测试节点需要系统用户 mysql（随 mariadb-server 安装）。请运行：apt-get install -y mariadb-server');
  }
  return { name: 'mysql', uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function chownTree(p: string, uid: number, gid: number): void {
  chownSync(p, uid, gid);
  if (statSync(p).isDirectory()) for (const entry of readdirSync(p)) chownTree(path.join(p, entry), uid, gid);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function status(socket: string): Promise<Record<string, string>> {
  const conn = await createConnection({ socketPath: socket, user: 'root' });
  try {
    const [rows] = await conn.query("show status where variable_name in ('wsrep_local_state_comment', 'wsrep_cluster_size', 'wsrep_ready')");
    return Object.fromEntries((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name.toLowerCase(), r.Value]));
  } finally {
    await conn.end();
  }
}

/**
 * Starts a Galera cluster of `nodes` MariaDB servers on 127.0.0.1 in a temp folder and waits until every node is Synced
 * in a cluster of that size: the first node bootstraps, the others join one at a time by rsync SST.
 *
 * As root the nodes run as the `mysql` user owning their folders: rsync SST's daemon drops to `nobody` when started by
 * root and then cannot write a root-owned datadir (`Permission denied` on ibdata1); started by `mysql` it stays
 * `mysql`. Tuned for tests, not durability.
 */
export async function startGaleraCluster(options: { nodes?: number; timeoutMs?: number } = {}): Promise<GaleraCluster> {
  const count = options.nodes ?? 3;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const bin = findMariadbd();
  const provider = findGaleraProvider();
  if (!bin || !provider) {
    throw new Error('集群测试需要 MariaDB 与 Galera（mariadbd、libgalera_smm.so）。请运行：apt-get update && apt-get install -y mariadb-server galera-4 rsync');
  }
  const installer = ['mariadb-install-db', 'mysql_install_db'].flatMap((n) => ['/usr/bin', '/usr/sbin', '/usr/local/bin'].map((d) => path.join(d, n))).find((p) => existsSync(p));
  if (!installer) throw new Error('mariadb-install-db not found next to mariadbd; reinstall mariadb-server');
  const user = serverUser();
  installExitHook();

  await sweepOrphans();
  const dir = mkdtempSync(path.join(os.tmpdir(), DIR_PREFIX));
  writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  const ports = await Promise.all(Array.from({ length: count }, async () => ({ mysql: await freePort(), gcomm: await freePort(), ist: await freePort(), sst: await freePort() })));
  const clusterAddress = `gcomm://${ports.map((p) => `127.0.0.1:${p.gcomm}`).join(',')}`;
  const states: NodeState[] = ports.map((p, i) => {
    const name = `n${i + 1}`;
    const nodeDir = path.join(dir, name);
    const datadir = path.join(nodeDir, 'data');
    mkdirSync(datadir, { recursive: true });
    const socket = path.join(nodeDir, 'mysqld.sock');
    const cnf = path.join(nodeDir, 'my.cnf');
    const log = path.join(nodeDir, 'error.log');
    writeFileSync(
      cnf,
      [
        '[mysqld]',
        ...(user ? [`user=${user.name}`] : []),
        `datadir=${datadir}`,
        `socket=${socket}`,
        `pid-file=${path.join(nodeDir, 'mysqld.pid')}`,
        `log-error=${log}`,
        `port=${p.mysql}`,
        'bind-address=127.0.0.1',
        'skip-name-resolve',
        'default_storage_engine=InnoDB',
        'innodb_autoinc_lock_mode=2',
        'binlog_format=ROW',
        'innodb_buffer_pool_size=128M',
        'innodb_log_file_size=64M',
        'innodb_flush_log_at_trx_commit=2',
        'innodb_doublewrite=0',
        'max_connections=400',
        'character-set-server=utf8mb4',
        'collation-server=utf8mb4_unicode_ci',
        'wsrep_on=ON',
        `wsrep_provider=${provider}`,
        'wsrep_cluster_name=gonghai-test',
        `wsrep_cluster_address=${clusterAddress}`,
        `wsrep_node_name=${name}`,
        `wsrep_node_address=127.0.0.1:${p.gcomm}`,
        `wsrep_node_incoming_address=127.0.0.1:${p.mysql}`,
        // Short failure detection (defaults: suspect 5 s, inactive 15 s): a SIGKILLed node is declared gone within ~5 s,
        // so the others go on and it can rejoin soon after.
        `wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${p.gcomm};ist.recv_addr=127.0.0.1:${p.ist};gcache.size=64M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT5S;evs.inactive_check_period=PT1S;evs.keepalive_period=PT1S"`,
        'wsrep_sst_method=rsync',
        `wsrep_sst_receive_address=127.0.0.1:${p.sst}`,
        'wsrep_slave_threads=2',
        '',
      ].join('\n'),
    );
    return { node: { name, port: p.mysql, socket, url: `mysql://root@localhost/?socketPath=${encodeURIComponent(socket)}`, errorLog: log }, dir: nodeDir, cnf, log, child: null };
  });

  // Only the first node is initialised: the others join empty and receive its state by SST.
  const first = states[0]!;
  if (user) chownTree(dir, user.uid, user.gid);
  const init = spawnSync(
    installer,
    ['--no-defaults', `--datadir=${path.join(first.dir, 'data')}`, `--user=${user?.name ?? os.userInfo().username}`, '--auth-root-authentication-method=normal', '--skip-test-db'],
    { encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`mariadb-install-db failed:\n${init.stdout}\n${init.stderr}`);

  const logTail = (s: NodeState) => (existsSync(s.log) ? readFileSync(s.log, 'utf8').slice(-3000) : '(no error log)');

  const launch = (s: NodeState, extra: string[]) => {
    const child = spawn(bin, [`--defaults-file=${s.cnf}`, ...extra], { stdio: 'ignore' });
    s.child = child;
    live.add(s);
    child.once('exit', () => {
      if (s.child === child) s.child = null;
    });
  };

  /** Waits until the node answers Synced in a cluster of `size`. */
  const waitSynced = async (s: NodeState, size: number) => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      if (!s.child) throw new Error(`Galera node ${s.node.name} exited while starting:\n${logTail(s)}`);
      try {
        const st = await status(s.node.socket);
        last = JSON.stringify(st);
        if (st.wsrep_local_state_comment === 'Synced' && Number(st.wsrep_cluster_size) === size && st.wsrep_ready === 'ON') return;
      } catch (err) {
        last = String(err);
      }
      if (Date.now() > deadline) throw new Error(`Galera node ${s.node.name} not Synced in ${timeoutMs} ms (last: ${last}):\n${logTail(s)}`);
      await sleep(200);
    }
  };

  const stopAll = async () => {
    await Promise.all(
      states.map(async (s) => {
        const child = s.child;
        if (child) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGKILL');
          await exited;
        }
        live.delete(s);
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    launch(first, ['--wsrep-new-cluster']);
    await waitSynced(first, 1);
    // One joiner at a time: each takes a full SST from a donor, and a donor serves one.
    for (let i = 1; i < count; i++) {
      launch(states[i]!, []);
      await waitSynced(states[i]!, i + 1);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  const cluster: GaleraCluster = {
    nodes: states.map((s) => s.node),
    dir,
    async kill(i) {
      const s = states[i]!;
      const child = s.child;
      if (!child) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
    async restart(i) {
      const s = states[i]!;
      if (s.child) throw new Error(`Galera node ${s.node.name} is running`);
      // After SIGKILL grastate.dat says seqno -1, which would ask for a full SST: recover the position from InnoDB instead.
      const before = existsSync(s.log) ? readFileSync(s.log, 'utf8').length : 0;
      const recover = spawnSync(bin, [`--defaults-file=${s.cnf}`, '--wsrep-recover'], { encoding: 'utf8', timeout: timeoutMs });
      const recovered = /Recovered position: (\S+)/.exec(readFileSync(s.log, 'utf8').slice(before));
      if (recover.status !== 0 || !recovered) throw new Error(`--wsrep-recover of ${s.node.name} found no position:\n${logTail(s)}`);
      launch(s, [`--wsrep_start_position=${recovered[1]}`]);
      await waitSynced(s, states.length);
    },
    connect(i, database) {
      return createConnection({ socketPath: states[i]!.node.socket, user: 'root', database, multipleStatements: true });
    },
    stop: stopAll,
  };
  return cluster;
}
