import { createTestDb, dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import { migrateTo, migrateToLatest } from '../../../db/migrate';

// Issue 16: a restarted sandbox reissued an approval id, and its decision applied to the wrong request. An approval
// instance id names one request of a tenant.
describe.each(dialects)('approval instance ids on %s', (dialect) => {
  it('are unique per tenant: ids already given twice stay with the newest request, and a second holder is refused', async () => {
    const t = await createTestDb(dialect, { migrate: false });
    try {
      await migrateTo(t.db, '2026-11-27-26-drop-visit-bssids');
      const request = (tenantId: string, instanceId: string | null) => ({
        tenant_id: tenantId, assignee_id: 'newhire01', requested_by: 'hr01', reason: '入职', status: 'approved' as const, override_cap: 0, approval_instance_id: instanceId, created_at: 0, expires_at: 1,
      });
      for (const r of [request('t1', 'inst-1'), request('t1', 'inst-1'), request('t1', 'inst-2'), request('t2', 'inst-1'), request('t1', 'inst-1')]) {
        await t.db.insertInto('assignment_requests').values(r).execute();
      }
      await migrateToLatest(t.db);
      const rows = await t.db.selectFrom('assignment_requests').select(['id', 'tenant_id', 'approval_instance_id']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 1, tenant_id: 't1', approval_instance_id: 'inst-1#1' },
        { id: 2, tenant_id: 't1', approval_instance_id: 'inst-1#2' },
        { id: 3, tenant_id: 't1', approval_instance_id: 'inst-2' },
        { id: 4, tenant_id: 't2', approval_instance_id: 'inst-1' },
        { id: 5, tenant_id: 't1', approval_instance_id: 'inst-1' },
      ]);
      // Matched by message: errors from the native SQLite driver are not always `instanceof Error` inside Jest's sandbox.
      await expect(t.db.insertInto('assignment_requests').values(request('t1', 'inst-2')).execute()).rejects.toMatchObject({ message: expect.stringMatching(/unique|duplicate/i) });
      // Another tenant's id, and requests the platform has not numbered yet, are fine.
      await t.db.insertInto('assignment_requests').values([request('t2', 'inst-2'), request('t1', null), request('t1', null)]).execute();
      expect(Number((await t.db.selectFrom('assignment_requests').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(8);
    } finally {
      await t.destroy();
    }
  });

  describe('an id the platform hands out again', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
    });
    afterAll(() => h.close());

    it('fails the new assignment and releases its customers, leaving the request that holds the id alone', async () => {
      const tenantId = 'demo-wecom';
      const hr = await h.tokenFor(tenantId, 'hr01');
      const pack = (await h.request('GET', '/api/v1/assignments/suggest?assigneeUserId=newhire01&count=6', { token: hr })).body;
      const ids: number[] = pack.items.map((i: { id: number }) => i.id);
      const first = await h.request('POST', '/api/v1/assignments', { token: hr, body: { assigneeUserId: 'newhire01', customerIds: ids.slice(0, 3), reason: '第一批' } });
      expect(first.status).toBe(201);
      const firstId: string = first.body.assignment.approvalInstanceId;
      // As after a restart that forgot it: the first request holds the id WeCom's sandbox hands out next (day + serial).
      const next = `${firstId.slice(0, 8)}${String((Number(firstId.slice(8)) + 1) % 100_000_000).padStart(8, '0')}`;
      await h.db.updateTable('assignment_requests').set({ approval_instance_id: next }).where('tenant_id', '=', tenantId).where('id', '=', first.body.assignment.id).execute();

      const second = await h.request('POST', '/api/v1/assignments', { token: hr, body: { assigneeUserId: 'newhire01', customerIds: ids.slice(3), reason: '第二批' } });
      expect(second.status).toBe(502);
      expect(second.body.error).toMatchObject({ code: 'approval_failed', message: expect.stringContaining('平台返回的审批单号已被另一条分配申请使用') });
      const rows = await h.db.selectFrom('assignment_requests').select(['id', 'status', 'approval_instance_id']).where('tenant_id', '=', tenantId).orderBy('id').execute();
      expect(rows.map((r) => ({ status: r.status, approval_instance_id: r.approval_instance_id }))).toEqual([
        { status: 'pending', approval_instance_id: next },
        { status: 'failed', approval_instance_id: null },
      ]);
      const customers = await h.db.selectFrom('customers').select(['id', 'reserved_by_assignment_id']).where('tenant_id', '=', tenantId).where('id', 'in', ids).orderBy('id').execute();
      expect(customers.filter((c) => c.reserved_by_assignment_id !== null).map((c) => c.id).sort()).toEqual(ids.slice(0, 3).sort());
    });
  });
});
