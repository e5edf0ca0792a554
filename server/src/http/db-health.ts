import type { Clock } from '@gonghai/plugin-core';
import type { Db } from '../db/create-db';
import { readNodeState, type NodeState } from '../db/node-state';

/** What `/healthz` says about the database: `ok`, or why this instance cannot serve writes now. */
export type DbHealthVerdict = { db: 'ok' } | { db: 'unreachable' | 'not_writable'; reason: string };

const isOn = (value: string | undefined) => value !== undefined && ['ON', '1', 'TRUE'].includes(value.toUpperCase());

/**
 * Decides from the node's state whether it takes writes (issue 20 item 5): a Galera node must be `wsrep_ready` and
 * Synced (`wsrep_local_state` 4) — a donor or a desynced node still answers `select 1`; any MySQL must not be read-only.
 */
export function decideDbHealth(state: NodeState): DbHealthVerdict {
  const { wsrep, variables } = state;
  if (wsrep) {
    if (!isOn(wsrep.wsrep_ready)) {
      return {
        db: 'not_writable',
        reason: `数据库节点还不能接受写入（Galera wsrep_ready=${wsrep.wsrep_ready ?? '无'}，集群状态 ${wsrep.wsrep_cluster_status ?? '未知'}）：它不在集群的主分区里或还未加入。请让负载均衡器把请求发往其他实例；节点重新加入集群后会自动恢复。`,
      };
    }
    if (wsrep.wsrep_local_state !== '4') {
      return {
        db: 'not_writable',
        reason: `数据库节点正在同步（Galera 状态 ${wsrep.wsrep_local_state_comment ?? '未知'}，wsrep_local_state=${wsrep.wsrep_local_state ?? '无'}，需为 4 Synced）：同步期间它可能被阻塞或数据落后。请让负载均衡器把请求发往其他实例；同步完成后会自动恢复。`,
      };
    }
  }
  const readOnly = ['read_only', 'super_read_only'].find((name) => isOn(variables[name]));
  if (readOnly) {
    return {
      db: 'not_writable',
      reason: `数据库是只读的（${readOnly}=ON，例如备库或维护中）：这个实例不能写入。请把 DATABASE_URL 指向可写的主库，或在数据库上解除只读后再试。`,
    };
  }
  return { db: 'ok' };
}

/** Elapsed time for the probe cache: the business clock may be held still (tests, benches), this one never is. */
export const monotonicClock: Clock = { now: () => performance.now() };

const UNREACHABLE: DbHealthVerdict = { db: 'unreachable', reason: '数据库无法连接，请检查数据库是否运行以及 DATABASE_URL 是否正确。' };

/**
 * The database half of `/healthz`, probed at most once per `ttlMs` (a load balancer's checks from many sources ask
 * often; concurrent checks share one probe). Never throws.
 */
export class DbHealth {
  private cached: { at: number; verdict: Promise<DbHealthVerdict> } | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly ttlMs = 1000,
  ) {}

  check(): Promise<DbHealthVerdict> {
    const now = this.clock.now();
    if (this.cached && now - this.cached.at < this.ttlMs && now >= this.cached.at) return this.cached.verdict;
    const verdict = readNodeState(this.db).then(decideDbHealth, () => UNREACHABLE);
    this.cached = { at: now, verdict };
    return verdict;
  }
}
