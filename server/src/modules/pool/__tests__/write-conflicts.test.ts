import { createHash } from 'node:crypto';
import { addReps, poolCustomerIds, poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { captureMysqlDeadlock, injectStatementFailures, type StatementFailures } from '../../../../test/write-conflicts';
import { setWriteRetryPolicy } from '../../../db/write-retry';
import type { Role } from '../../org/org';
import { checkInRequest, runCheckInBatch } from '../../visits/check-in-batch';
import { defaultRiskPolicy } from '../../visits/risk';

const T = 'demo-dingtalk';

/**
 * On MariaDB (and Galera, where a certification failure or brute-force abort arrives as the same errno 1213): every
 * statement of a write transaction is its own round trip, a transaction that loses a conflict runs again, and when it
 * keeps losing the client gets 503 `busy` with Retry-After — never a 500 — and may send the same Idempotency-Key again.
 */
describe('write conflicts on mysql', () => {
  let h: Harness;
  let east: number;
  let statements: StatementFailures;
  const slept: number[] = [];

  beforeAll(async () => {
    h = await startHarness('mysql');
    east = await poolIdByName(h.db, T, '华东公海');
    statements = injectStatementFailures(await captureMysqlDeadlock(process.env.MYSQL_URL!));
    setWriteRetryPolicy(h.db, { random: () => 0.5, sleep: async (ms) => void slept.push(ms) });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await h.close();
  });
  afterEach(() => {
    statements.reset();
    slept.length = 0;
  });

  const claim = (token: string, id: number, headers?: Record<string, string>) => h.request('POST', `/api/v1/customers/${id}/claim`, { token, body: {}, headers });
  const owner = async (id: number) => (await h.db.selectFrom('customers').select(['status', 'owner_id']).where('id', '=', id).executeTakeFirstOrThrow());
  /** The customer's ledger after its creation. */
  const ledger = async (id: number) =>
    await h.db.selectFrom('ownership_events').select(['type', 'to_user_id']).where('customer_id', '=', id).where('type', '!=', 'created').orderBy('id').execute();
  const claimsCounted = async (userId: string) =>
    Number((await h.db.selectFrom('claim_counters').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('claims'), eb.lit(0)).as('n')).where('tenant_id', '=', T).where('user_id', '=', userId).executeTakeFirstOrThrow()).n);

  it('sends every statement of claim and check-in batches in its own round trip, never a multi-statement packet', async () => {
    const reps = await addReps(h.db, T, 12, { prefix: 'packet', now: h.clock.now() });
    const targets = await poolCustomerIds(h.db, T, east, 12);
    const tokens = await Promise.all(reps.map((r) => h.tokenFor(T, r)));
    statements.sent = [];
    const sent = statements.sent;
    const claimed = await Promise.all(tokens.map((token, i) => claim(token, targets[i]!)));
    expect(claimed.map((r) => r.status)).toEqual(Array(12).fill(200));

    const customer = await h.db.selectFrom('customers').select(['id', 'lat', 'lng']).where('owner_id', '=', 'rep01').orderBy('id').executeTakeFirstOrThrow();
    const roles = (await h.db.selectFrom('users').select('roles').where('tenant_id', '=', T).where('id', '=', 'rep01').executeTakeFirstOrThrow()).roles.split(',') as Role[];
    const now = h.clock.now();
    const fixes = [0, 1, 2].map((i) => ({ lat: customer.lat, lng: customer.lng, accuracy: 15, coord: 'gcj02' as const, ts: now - 6000 + i * 2000, source: 'dd.startLocating' as const, isMock: false }));
    const device = { platform: 'dingtalk' as const, os: 'Android 14', model: 'HUAWEI Mate 60', clientVersion: '1.0.0' };
    const [checkedIn] = await runCheckInBatch(h.db, h.deps.evidence, [
      checkInRequest({ tenantId: T, userId: 'rep01', roles, timeZone: 'Asia/Shanghai' }, { customerId: customer.id, fixes, wifi: [], device }, {
        policy: defaultRiskPolicy,
        now,
        photoTokenHash: createHash('sha256').update('packet').digest('hex'),
      }),
    ]);
    expect(checkedIn).toHaveProperty('done');

    // What was recorded is the batches' own traffic: the claim's locking reads, the ledger and the check-in's chain.
    expect(sent.some((s) => /^select \* from customers .* for update$/.test(s))).toBe(true);
    expect(sent.some((s) => s.startsWith('insert into `ownership_events`'))).toBe(true);
    expect(sent.some((s) => s.startsWith('insert into evidence_chain'))).toBe(true);
    expect(sent.filter((s) => /;\s*\S/.test(s))).toEqual([]);
  });

  it('runs a claim that lost a conflict again, and it claims once: one owner, one ledger row, one count', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'retried', now: h.clock.now() });
    const [id] = await poolCustomerIds(h.db, T, east, 1);
    statements.fail(/^update `customers`/, 2);
    const res = await claim(await h.tokenFor(T, rep!), id!);
    expect(res.status).toBe(200);
    expect(statements.left).toBe(0);
    expect(slept).toEqual([2, 5]);
    expect(await owner(id!)).toEqual({ status: 'owned', owner_id: rep });
    expect(await ledger(id!)).toEqual([{ type: 'claimed', to_user_id: rep }]);
    expect(await claimsCounted(rep!)).toBe(1);
  });

  it('answers 503 busy with Retry-After when a claim keeps losing, keeps nothing of it, and the same Idempotency-Key then claims', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'busy', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    const [id] = await poolCustomerIds(h.db, T, east, 1);
    const headers = { 'Idempotency-Key': `busy-claim-${id}` };
    statements.fail(/^update `customers`/, 100);
    const busy = await claim(token, id!, headers);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(busy.body).toEqual({ error: { code: 'busy', message: '系统繁忙（多人同时操作同一数据），请稍后重试。' } });
    expect(100 - statements.left).toBe(5);
    expect(await owner(id!)).toEqual({ status: 'pool', owner_id: null });
    expect(await ledger(id!)).toEqual([]);
    expect(await claimsCounted(rep!)).toBe(0);

    statements.reset();
    const again = await claim(token, id!, headers);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(again.body.customer).toMatchObject({ id, status: 'owned', ownerId: rep });
    expect(await ledger(id!)).toEqual([{ type: 'claimed', to_user_id: rep }]);
    expect(await claimsCounted(rep!)).toBe(1);
    // And from now on that key replays the claim.
    expect((await claim(token, id!, headers)).headers.get('idempotent-replayed')).toBe('true');
  });

  it('retries a release and an assign that lost a conflict (they did not retry at all before)', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'release', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    const [id] = await poolCustomerIds(h.db, T, east, 1);
    expect((await claim(token, id!)).status).toBe(200);
    statements.fail(/^update `customers`/, 1);
    const released = await h.request('POST', `/api/v1/customers/${id}/release`, { token, body: { reason: '客户已合作其他供应商' } });
    expect(released.status).toBe(200);
    expect(statements.left).toBe(0);
    statements.fail(/^update `customers`/, 1);
    const assigned = await h.request('POST', `/api/v1/customers/${id}/assign`, { token: await h.tokenFor(T, 'admin01'), body: { userId: rep, reason: '重新分配' } });
    expect(assigned.status).toBe(200);
    expect(statements.left).toBe(0);
    expect((await ledger(id!)).map((r) => r.type)).toEqual(['claimed', 'released', 'assigned']);
    expect(await owner(id!)).toEqual({ status: 'owned', owner_id: rep });
  });
});
