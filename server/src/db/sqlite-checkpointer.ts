import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** How often the background connection moves committed WAL pages into the database file. */
const CHECKPOINT_EVERY_MS = 500;
/**
 * The main connection's own checkpoint threshold (pages) while the background one runs: only a safety net should the
 * worker ever fall behind or fail, so the WAL cannot grow without bound.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 50_000;

/** What `PRAGMA wal_checkpoint` reports: whether it was blocked, WAL frames, and frames copied into the database. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

// Plain CommonJS evaluated in the worker (no build step, the same under tsx, Jest and a compiled server).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
const timer = setInterval(() => {
  try {
    checkpoint();
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
}, workerData.everyMs);
parentPort.on('message', (msg) => {
  if (msg.type === 'checkpoint') {
    try {
      parentPort.postMessage({ id: msg.id, result: checkpoint() });
    } catch (err) {
      parentPort.postMessage({ id: msg.id, error: String((err && err.message) || err) });
    }
  } else if (msg.type === 'stop') {
    clearInterval(timer);
    try { checkpoint(); } catch {}
    db.close();
    parentPort.close();
  }
});
`;

export interface BackgroundCheckpointer {
  /** Asks the worker for a checkpoint now and resolves with its result (tests; the worker also runs on its own). */
  checkpointNow(): Promise<CheckpointResult>;
  /** Resolves when the worker has ended (after the database is closed). */
  stopped: Promise<void>;
}

/**
 * Runs the WAL checkpoints of a file database on a second connection in a worker thread. SQLite otherwise checkpoints
 * inside whichever commit crosses 1,000 WAL pages: better-sqlite3 is synchronous, so that commit copies ~4 MB and waits
 * for fsync on the event loop, and every request behind it waits too (check-in commits measured ~25% dearer on
 * average that way). A PASSIVE checkpoint never blocks the writer. Closing the database stops the worker.
 */
export function checkpointInBackground(sqlite: SQLite.Database, file: string, options: { everyMs?: number } = {}): BackgroundCheckpointer {
  sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver: require.resolve('better-sqlite3'), file, everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS },
  });
  const waiting = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let warned = false;
  const warn = (message: string) => {
    // The main connection's own threshold still bounds the WAL; say it once rather than fail requests.
    if (!warned) process.emitWarning(`SQLite background checkpoint failed (${message}); the main connection checkpoints every ${FALLBACK_AUTOCHECKPOINT_PAGES} pages instead`);
    warned = true;
  };
  worker.on('message', (msg: { id?: number; result?: CheckpointResult; error?: string }) => {
    const pending = msg.id === undefined ? undefined : waiting.get(msg.id);
    if (pending) {
      waiting.delete(msg.id!);
      if (msg.error !== undefined) pending.reject(new Error(msg.error));
      else pending.resolve(msg.result!);
    } else if (msg.error !== undefined) warn(msg.error);
  });
  worker.on('error', (err) => warn(err.message));
  const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.unref();
  const close = sqlite.close.bind(sqlite);
  sqlite.close = (() => {
    worker.postMessage({ type: 'stop' });
    return close();
  }) as typeof sqlite.close;
  return {
    checkpointNow: () =>
      new Promise<CheckpointResult>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        worker.postMessage({ type: 'checkpoint', id });
      }),
    stopped,
  };
}
