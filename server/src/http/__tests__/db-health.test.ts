import { FakeClock } from '../../../test/clock';
import { createTestDb, dialects } from '../../../test/databases';
import { readNodeState } from '../../db/node-state';
import { DbHealth, decideDbHealth } from '../db-health';

const plainMariadb = { read_only: 'OFF', wsrep_on: 'OFF' };
const galera = (local: string, comment: string, ready = 'ON', cluster = 'Primary') => ({
  variables: { read_only: 'OFF', wsrep_on: 'ON' },
  wsrep: { wsrep_ready: ready, wsrep_local_state: local, wsrep_local_state_comment: comment, wsrep_cluster_status: cluster },
});

// Issue 20 item 5: a donor or desynced Galera node still answers `select 1`; only a Synced, ready, writable node is healthy.
describe('what /healthz decides from the database node state', () => {
  it('passes a writable plain server and a Synced Galera node', () => {
    expect(decideDbHealth({ variables: plainMariadb })).toEqual({ db: 'ok' });
    expect(decideDbHealth({ variables: { read_only: 'OFF', super_read_only: 'OFF' } })).toEqual({ db: 'ok' });
    expect(decideDbHealth(galera('4', 'Synced'))).toEqual({ db: 'ok' });
  });

  it('refuses a Galera node that is a donor, joining or joined but not yet synced, saying which state', () => {
    for (const [state, comment] of [['2', 'Donor/Desynced'], ['1', 'Joining'], ['3', 'Joined']] as const) {
      expect(decideDbHealth(galera(state, comment))).toEqual({
        db: 'not_writable',
        reason: `数据库节点正在同步（Galera 状态 ${comment}，wsrep_local_state=${state}，需为 4 Synced）：同步期间它可能被阻塞或数据落后。请让负载均衡器把请求发往其他实例；同步完成后会自动恢复。`,
      });
    }
  });

  it('refuses a Galera node outside the primary component (wsrep_ready OFF), even if its local state looks synced', () => {
    expect(decideDbHealth(galera('4', 'Synced', 'OFF', 'non-Primary'))).toEqual({
      db: 'not_writable',
      reason: '数据库节点还不能接受写入（Galera wsrep_ready=OFF，集群状态 non-Primary）：它不在集群的主分区里或还未加入。请让负载均衡器把请求发往其他实例；节点重新加入集群后会自动恢复。',
    });
  });

  it('refuses a read-only server, naming the variable (MySQL super_read_only too)', () => {
    expect(decideDbHealth({ variables: { ...plainMariadb, read_only: 'ON' } })).toMatchObject({ db: 'not_writable', reason: expect.stringContaining('read_only=ON') });
    expect(decideDbHealth({ variables: { read_only: 'OFF', super_read_only: 'ON' } })).toMatchObject({ db: 'not_writable', reason: expect.stringContaining('super_read_only=ON') });
    expect(decideDbHealth({ ...galera('4', 'Synced'), variables: { read_only: 'ON', wsrep_on: 'ON' } })).toMatchObject({ reason: expect.stringContaining('read_only=ON') });
  });
});

describe.each(dialects)('the database probe on %s', (dialect) => {
  it('reads the node state (no wsrep status on a server without Galera) and asks at most once per second', async () => {
    const t = await createTestDb(dialect, { migrate: false });
    try {
      const state = await readNodeState(t.db);
      if (dialect === 'mysql') expect(state).toEqual({ variables: { read_only: 'OFF', wsrep_on: 'OFF' } });
      else expect(state).toEqual({ variables: {} });
      const clock = new FakeClock(5_000);
      const health = new DbHealth(t.db, clock);
      const storm = await Promise.all(Array.from({ length: 50 }, () => health.check()));
      expect(new Set(storm).size).toBe(1);
      expect(storm[0]).toEqual({ db: 'ok' });
      await t.destroy();
      clock.advance(999);
      expect(await health.check()).toEqual({ db: 'ok' });
      clock.advance(1);
      expect(await health.check()).toMatchObject({ db: 'unreachable' });
    } finally {
      await t.destroy().catch(() => undefined);
    }
  });
});
