import type { Connection, RowDataPacket } from 'mysql2/promise';
import { startGaleraCluster, type GaleraCluster } from '../../galera-cluster';

// Galera's brute-force aborts (a replicated write taking rows from a local transaction) and the multi-statement packets
// they hit. These run against a real three-node cluster started by the test; without galera-4 they fail, never skip.

let cluster: GaleraCluster;

beforeAll(async () => {
  cluster = await startGaleraCluster({ nodes: 3 });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const rows = async (conn: Connection, query: string, params: unknown[] = []) => (await conn.query<RowDataPacket[]>(query, params))[0];

/** Waits (a real wait: the interleaving is between two servers) for the given milliseconds. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a transaction brute-force aborted by a write from another node (MariaDB 10.11 + Galera 4)', () => {
  let n1: Connection;
  let n2: Connection;

  beforeAll(async () => {
    n1 = await cluster.connect(0);
    n2 = await cluster.connect(1);
    await n1.query(
      'create database repro; create table repro.a (id int primary key, v int not null); ' +
        'create table repro.b (id int auto_increment primary key, note varchar(20) not null); insert into repro.a values (1, 0)',
    );
    await n1.query('use repro');
    await n2.query('set session wsrep_sync_wait = 1');
    await n2.query('use repro');
  });

  afterAll(async () => {
    await n1?.end();
    await n2?.end();
  });

  /**
   * Node 1 locks row a.1, writes it and then runs a one-second INSERT; 300 ms into it node 2 writes a.1, which aborts
   * node 1's transaction while that INSERT runs. `send` sends node 1's remaining statements its own way.
   */
  async function race(send: (statements: string[]) => Promise<void>): Promise<{ answer: string; v: number; notes: string[] }> {
    await n2.query('update a set v = 0 where id = 1');
    await n2.query('delete from b');
    await n1.query('start transaction');
    await n1.query('select v from a where id = 1 for update');
    const answered = send(["update a set v = v + 100 where id = 1", "insert into b (note) select concat('gap', sleep(1))", "insert into b (note) values ('after')", 'commit']).then(
      () => 'ok',
      async (err: { errno?: number }) => {
        await n1.query('rollback');
        return `errno ${err.errno}`;
      },
    );
    await pause(300);
    await n2.query('update a set v = v + 7 where id = 1');
    const answer = await answered;
    const [a] = await rows(n2, 'select v from a where id = 1');
    const notes = (await rows(n2, 'select note from b order by id')).map((r) => String(r.note));
    return { answer, v: Number(a!.v), notes };
  }

  it('reports OK for a packet aborted mid-INSERT, though its UPDATE is lost and the rest ran outside the transaction', async () => {
    const seen = await race(async (statements) => {
      await n1.query(statements.join('; '));
    });
    // The client was told the transaction committed; the +100 is gone, and 'after' was committed on its own (twice: once,
    // then once more by wsrep_retry_autocommit).
    expect(seen).toEqual({ answer: 'ok', v: 7, notes: ['after', 'after'] });
  });

  it('reports the same abort as 1213 when each statement is its own round trip, and nothing of it commits', async () => {
    const seen = await race(async (statements) => {
      for (const s of statements) await n1.query(s);
    });
    expect(seen).toEqual({ answer: 'errno 1213', v: 7, notes: [] });
  });
});
