import { sql } from 'kysely';
import type { Db } from './create-db';
import { isMysql } from './create-db';

/** What the database node says about taking writes: its server variables and, on Galera, its wsrep status. */
export interface NodeState {
  /** `read_only`, `super_read_only` (MySQL) and `wsrep_on` (MariaDB) as the server has them; absent names are left out. */
  variables: Record<string, string>;
  /** `wsrep_*` status rows, read only when `wsrep_on` is ON (a plain MariaDB reports `wsrep_ready OFF` too). */
  wsrep?: Record<string, string>;
}

function toRecord(rows: { Variable_name: string; Value: string }[]): Record<string, string> {
  return Object.fromEntries(rows.map((r) => [r.Variable_name.toLowerCase(), String(r.Value)]));
}

/**
 * Reads the node's state: `select 1` on SQLite (reachable is all there is), server variables and Galera status on
 * MySQL-protocol databases. `SHOW … WHERE` never fails on a variable the server lacks, so MariaDB, MySQL and TiDB all answer.
 */
export async function readNodeState(db: Db): Promise<NodeState> {
  if (!isMysql(db)) {
    await sql`select 1`.execute(db);
    return { variables: {} };
  }
  const vars = await sql<{ Variable_name: string; Value: string }>`show global variables where Variable_name in ('read_only', 'super_read_only', 'wsrep_on')`.execute(db);
  const variables = toRecord(vars.rows);
  if (variables.wsrep_on?.toUpperCase() !== 'ON') return { variables };
  const status = await sql<{ Variable_name: string; Value: string }>`show global status where Variable_name in ('wsrep_ready', 'wsrep_local_state', 'wsrep_local_state_comment', 'wsrep_cluster_status')`.execute(db);
  return { variables, wsrep: toRecord(status.rows) };
}
