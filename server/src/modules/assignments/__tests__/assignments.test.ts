import { dialects } from '../../../../test/databases';
import { ownersFromLedger } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { haversineM } from '../../../geo/geo';
import { DAY_MS } from '../../../time';
import { dispatchOutbox } from '../../notify/outbox.service';
import { applyApprovalResult, createAssignment, expireAssignments } from '../assignments.service';

const vendors = [
  { platform: 'dingtalk' as const, tenantId: 'demo-dingtalk' },
  { platform: 'wecom' as const, tenantId: 'demo-wecom' },
];

interface SandboxMessage {
  channel: string;
  to: string[];
  title: string;
  text: string;
}

describe.each(dialects)('HR assignment through platform approvals on %s', (dialect) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(() => h.close());

  async function directMessages(platform: 'dingtalk' | 'wecom'): Promise<SandboxMessage[]> {
    await dispatchOutbox(h.deps, { now: h.clock.now() });
    return ((await h.control(platform, 'GET', 'messages')).body.items as SandboxMessage[]).filter((m) => m.channel === 'direct');
  }

  describe.each(vendors)('$platform', ({ platform, tenantId }) => {
    let hr: string;
    let rep01: string;
    const customerState = (ids: number[]) =>
      h.db.selectFrom('customers').select(['id', 'status', 'owner_id', 'reserved_by_assignment_id']).where('tenant_id', '=', tenantId).where('id', 'in', ids).orderBy('id').execute();

    beforeAll(async () => {
      hr = await h.tokenFor(tenantId, 'hr01');
      rep01 = await h.tokenFor(tenantId, 'rep01');
    });

    /** The hire's eligible customers, worked out here from the tables: pool customers of their pools, unreserved, not bounced. */
    async function eligibleDistances(base: { lat: number; lng: number }): Promise<number[]> {
      const pools = (await h.db.selectFrom('pool_members').select('pool_id').where('tenant_id', '=', tenantId).where('user_id', '=', 'newhire01').execute()).map((p) => p.pool_id);
      const rows = await h.db
        .selectFrom('customers')
        .select(['id', 'lat', 'lng'])
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'pool')
        .where('reserved_by_assignment_id', 'is', null)
        .where('pool_id', 'in', pools)
        .execute();
      const since = h.clock.now() - 90 * DAY_MS;
      const owners = await h.db.selectFrom('ownership_events').select(['customer_id', 'to_user_id']).where('tenant_id', '=', tenantId).where('at', '>=', since).execute();
      const ownersOf = new Map<number, Set<string>>();
      for (const o of owners) if (o.to_user_id) ownersOf.set(o.customer_id, (ownersOf.get(o.customer_id) ?? new Set()).add(o.to_user_id));
      return rows
        .filter((r) => (ownersOf.get(r.id)?.size ?? 0) < 2)
        .map((r) => haversineM(base.lat, base.lng, r.lat, r.lng))
        .sort((a, b) => a - b);
    }

    const medianOf = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };

    it('suggests a starter pack near the hire’s team: claimable, unreserved, level-balanced and close', async () => {
      const res = await h.request('GET', '/api/v1/assignments/suggest?assigneeUserId=newhire01&count=30', { token: hr });
      expect(res.status).toBe(200);
      const pack = res.body;
      expect(pack.assigneeUserId).toBe('newhire01');
      expect(pack.base.source).toBe('team_customers');
      expect(pack.items).toHaveLength(30);
      const ids = pack.items.map((i: { id: number }) => i.id);
      expect(new Set(ids).size).toBe(30);
      const memberPools = (await h.db.selectFrom('pool_members').select('pool_id').where('tenant_id', '=', tenantId).where('user_id', '=', 'newhire01').execute()).map((p) => p.pool_id);
      const rows = await customerState(ids);
      expect(rows.every((r) => r.status === 'pool' && r.reserved_by_assignment_id === null)).toBe(true);
      const poolsOf = await h.db.selectFrom('customers').select(['pool_id']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
      expect(poolsOf.every((p) => memberPools.includes(p.pool_id))).toBe(true);
      // Level balance: more than one level, none taking over two thirds of the pack.
      const levels = new Map<string, number>();
      for (const i of pack.items) levels.set(i.level, (levels.get(i.level) ?? 0) + 1);
      expect(levels.size).toBeGreaterThan(1);
      expect(Math.max(...levels.values())).toBeLessThanOrEqual(20);
      // Closeness: the pack's median distance is at most 1.5 × that of the nearest 30 eligible customers.
      const nearest = (await eligibleDistances(pack.base)).slice(0, 30);
      const packMedian = medianOf(pack.items.map((i: { id: number; lat: number; lng: number }) => haversineM(pack.base.lat, pack.base.lng, i.lat, i.lng)));
      expect(packMedian).toBeLessThanOrEqual(medianOf(nearest) * 1.5 + 1);
      expect(pack.items[0].reason).toMatch(/^距基地 [\d,]+ 米 · [A-Z] 级/);
      expect(pack.items.map((i: { distanceM: number }) => i.distanceM)).toEqual([...pack.items.map((i: { distanceM: number }) => i.distanceM)].sort((a, b) => a - b));
    });

    it('agreed approval: 30 reserved customers become the hire’s with one ledger row each, the hire is told, a second delivery or a late refusal changes nothing', async () => {
      const pack = (await h.request('GET', '/api/v1/assignments/suggest?assigneeUserId=newhire01&count=31', { token: hr })).body;
      const ids: number[] = pack.items.map((i: { id: number }) => i.id);
      // rep01 gets there first with one of them: it must be reported, not silently dropped.
      const taken = ids[30]!;
      expect((await h.request('POST', `/api/v1/customers/${taken}/claim`, { token: rep01, body: {} })).status).toBe(200);

      const created = await h.request('POST', '/api/v1/assignments', { token: hr, body: { assigneeUserId: 'newhire01', customerIds: ids, reason: '新人入职起步客户' } });
      expect(created.status).toBe(201);
      const { assignment, unavailable } = created.body;
      expect(assignment).toMatchObject({ status: 'pending', assigneeUserId: 'newhire01', assigneeName: '新人小白', counts: { reserved: 30, skipped: 1, assigned: 0, released: 0 } });
      expect(unavailable).toEqual([{ customerId: taken, reason: 'owned', message: expect.stringContaining('已被') }]);
      const instanceId: string = assignment.approvalInstanceId;
      expect(instanceId).toEqual(expect.any(String));

      // The sandbox holds a pending approval whose form lists the hire, the count, the regions and every customer.
      const approval = (await h.control(platform, 'GET', 'approvals')).body.items.find((a: { instanceId: string }) => a.instanceId === instanceId);
      expect(approval).toMatchObject({ originatorUserId: 'hr01', status: expect.stringMatching(/running|pending|RUNNING|NEW/i) });
      const field = (name: string) => (approval.fields as { name: string; value: string }[]).find((f) => f.name === name)?.value;
      expect(field('新人')).toBe('新人小白（上海一组）');
      expect(field('客户数')).toBe('30');
      expect(field('区域')).toContain('华东');
      const names = await h.db.selectFrom('customers').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', ids.slice(0, 30)).execute();
      for (const n of names) expect(field('客户')).toContain(n.name);

      // While pending, a rep's claim of a reserved customer is refused with `reserved`.
      const refused = await h.request('POST', `/api/v1/customers/${ids[0]}/claim`, { token: rep01, body: {} });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('reserved');

      const decided = await h.control(platform, 'POST', `approvals/${encodeURIComponent(instanceId)}/decide`, { approved: true, deliveries: 2 });
      expect(decided.status).toBe(200);

      const reserved = ids.slice(0, 30);
      expect(await customerState(reserved)).toEqual(reserved.map((id) => ({ id, status: 'owned', owner_id: 'newhire01', reserved_by_assignment_id: null })).sort((a, b) => a.id - b.id));
      const ledger = await h.db
        .selectFrom('ownership_events')
        .select(['customer_id', 'type', 'from_user_id', 'to_user_id', 'actor_id', 'reason', 'evidence'])
        .where('tenant_id', '=', tenantId)
        .where('to_user_id', '=', 'newhire01')
        .orderBy('customer_id')
        .execute();
      expect(ledger).toHaveLength(30);
      for (const row of ledger) {
        expect(row).toMatchObject({ type: 'assigned', from_user_id: null, actor_id: 'hr01', reason: `审批单 ${instanceId} 通过：新人入职起步客户` });
        expect(JSON.parse(row.evidence!)).toEqual({ assignmentId: assignment.id, approvalInstanceId: instanceId });
      }
      const owners = await ownersFromLedger(h.db, tenantId);
      expect(reserved.every((id) => owners.get(id) === 'newhire01')).toBe(true);

      const detail = await h.request('GET', `/api/v1/assignments/${assignment.id}`, { token: hr });
      expect(detail.body.assignment).toMatchObject({ status: 'approved', counts: { assigned: 30, skipped: 1, reserved: 0, released: 0 } });

      const inbox = await directMessages(platform);
      expect(inbox.filter((m) => m.to.includes('newhire01') && m.title === '你有 30 个新客户')).toHaveLength(1);
      expect(inbox.filter((m) => m.to.includes('hr01') && m.title === '审批通过：已为 新人小白 分配 30 个客户')).toHaveLength(1);
      expect(inbox.filter((m) => m.to.includes('mgr-east') && m.title === '（抄送）新人小白 获分配 30 个客户')).toHaveLength(1);

      // The hire sees them as their own.
      const mine = await h.request('GET', '/api/v1/me/customers', { token: await h.tokenFor(tenantId, 'newhire01') });
      expect(mine.body.items.map((c: { id: number }) => c.id).sort((a: number, b: number) => a - b)).toEqual([...reserved].sort((a, b) => a - b));

      // A refusal arriving after the agreement (out of order) changes nothing, and tells nobody anything.
      const before = await h.db.selectFrom('ownership_events').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      await applyApprovalResult(h.deps, tenantId, { type: 'approval.finished', eventId: 'late-refusal', occurredAt: h.clock.now(), instanceId, approved: false });
      await applyApprovalResult(h.deps, tenantId, { type: 'approval.withdrawn', eventId: 'late-withdrawal', occurredAt: h.clock.now(), instanceId });
      const after = await h.db.selectFrom('ownership_events').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
      expect(await customerState(reserved)).toEqual(reserved.map((id) => ({ id, status: 'owned', owner_id: 'newhire01', reserved_by_assignment_id: null })).sort((a, b) => a.id - b.id));
      expect((await directMessages(platform)).length).toBe(inbox.length);
    });

    it('a request racing rep claims: every customer ends with exactly one of them, and the 201 reports the ones claims won', async () => {
      const pool = await h.db.selectFrom('pools').select('id').where('tenant_id', '=', tenantId).where('name', '=', '华东公海').executeTakeFirstOrThrow();
      const ids = (
        await h.db
          .selectFrom('customers')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('pool_id', '=', pool.id)
          .where('status', '=', 'pool')
          .where('reserved_by_assignment_id', 'is', null)
          .where('prior_owner_id', 'is', null)
          .orderBy('id')
          .limit(12)
          .execute()
      ).map((c) => c.id);
      const contested = ids.slice(0, 6);
      const reps = ['rep02', 'rep03', 'rep04'];
      const tokens = await Promise.all(reps.map((r) => h.tokenFor(tenantId, r)));
      const [created, ...claims] = await Promise.all([
        h.request('POST', '/api/v1/assignments', { token: hr, body: { assigneeUserId: 'newhire01', customerIds: ids, reason: '并发测试' } }),
        // Half of them are contested by claims; the other half only HR asks for, so the request always has some.
        ...contested.map((id, i) => h.request('POST', `/api/v1/customers/${id}/claim`, { token: tokens[i % 3], body: {} })),
      ]);
      expect(created!.status).toBe(201);
      const won = contested.filter((_, i) => claims[i]!.status === 200);
      const lost = ids.filter((id) => !won.includes(id));
      for (const i of contested.keys()) if (claims[i]!.status !== 200) expect(claims[i]!.body.error.code).toBe('reserved');
      expect(created!.body.unavailable.map((u: { customerId: number }) => u.customerId).sort((a: number, b: number) => a - b)).toEqual(won);
      const state = await customerState(ids);
      for (const row of state) {
        if (won.includes(row.id)) expect(row).toMatchObject({ status: 'owned', reserved_by_assignment_id: null });
        else expect(row).toMatchObject({ status: 'pool', owner_id: null, reserved_by_assignment_id: created!.body.assignment.id });
      }
      expect(created!.body.assignment.counts.reserved).toBe(lost.length);
      await h.control(platform, 'POST', `approvals/${encodeURIComponent(created!.body.assignment.approvalInstanceId)}/decide`, { approved: false });
    });

    it('a customer claimed between the request’s read and its reservation is reported as taken, not lost', async () => {
      const pack = (await h.request('GET', '/api/v1/assignments/suggest?assigneeUserId=newhire01&count=3', { token: hr })).body;
      const ids: number[] = pack.items.map((i: { id: number }) => i.id);
      const actor = { tenantId, userId: 'hr01', roles: ['hr' as const], timeZone: 'Asia/Shanghai' };
      const { assignment, unavailable } = await createAssignment(h.deps, actor, { assigneeUserId: 'newhire01', customerIds: ids, reason: '中途被领取', overrideCap: false }, {
        afterRead: async () => {
          expect((await h.request('POST', `/api/v1/customers/${ids[1]}/claim`, { token: rep01, body: {} })).status).toBe(200);
        },
      });
      expect(unavailable).toEqual([{ customerId: ids[1], reason: 'owned', message: expect.stringContaining('已被') }]);
      expect(assignment.counts).toEqual({ reserved: 2, skipped: 1, assigned: 0, released: 0 });
      expect((await customerState(ids)).map((r) => r.reserved_by_assignment_id)).toEqual(
        [...ids].sort((a, b) => a - b).map((id) => (id === ids[1] ? null : assignment.id)),
      );
      await h.control(platform, 'POST', `approvals/${encodeURIComponent(assignment.approvalInstanceId!)}/decide`, { approved: false });
    });

    it('refused approval: every reservation is released and the customers are claimable again', async () => {
      const pack = (await h.request('GET', '/api/v1/assignments/suggest?assigneeUserId=newhire01&count=30', { token: hr })).body;
      const ids: number[] = pack.items.map((i: { id: number }) => i.id);
      expect(ids).toHaveLength(30);
      const created = await h.request('POST', '/api/v1/assignments', { token: hr, body: { assigneeUserId: 'newhire01', customerIds: ids, reason: '第二批' } });
      expect(created.status).toBe(201);
      expect((await customerState(ids)).every((r) => r.reserved_by_assignment_id === created.body.assignment.id)).toBe(true);

      const decided = await h.control(platform, 'POST', `approvals/${encodeURIComponent(created.body.assignment.approvalInstanceId)}/decide`, { approved: false, deliveries: 2 });
      expect(decided.status).toBe(200);
      expect(await customerState(ids)).toEqual(ids.map((id) => ({ id, status: 'pool', owner_id: null, reserved_by_assignment_id: null })).sort((a, b) => a.id - b.id));
      const assigned = await h.db.selectFrom('ownership_events').select('id').where('tenant_id', '=', tenantId).where('customer_id', 'in', ids).where('type', '=', 'assigned').execute();
      expect(assigned).toEqual([]);
      const detail = await h.request('GET', `/api/v1/assignments/${created.body.assignment.id}`, { token: hr });
      expect(detail.body.assignment).toMatchObject({ status: 'refused', counts: { released: 30, reserved: 0, assigned: 0, skipped: 0 } });
      const inbox = await directMessages(platform);
      const notices = inbox.filter((m) => m.to.includes('hr01') && m.title === '给 新人小白 的客户分配未生效：审批被拒绝');
      expect(notices.filter((m) => m.text.includes(`30 个公海客户分配申请（#${created.body.assignment.id}）`))).toHaveLength(1);

      const claimed = await h.request('POST', `/api/v1/customers/${ids[0]}/claim`, { token: rep01, body: {} });
      expect(claimed.status).toBe(200);
      expect(claimed.body.customer).toMatchObject({ id: ids[0], status: 'owned', ownerId: 'rep01' });
    });

    it('the pool cap applies unless HR marks the request as an onboarding override, which the ledger records', async () => {
      const pool = await h.db.selectFrom('pools').select(['id', 'max_owned_per_rep']).where('tenant_id', '=', tenantId).where('name', '=', '华东公海').executeTakeFirstOrThrow();
      const owned = await h.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('owner_id', '=', 'rep02').where('pool_id', '=', pool.id).executeTakeFirstOrThrow();
      await h.db.updateTable('pools').set({ max_owned_per_rep: Number(owned.n) + 2 }).where('id', '=', pool.id).execute();
      try {
        const candidates = await h.db
          .selectFrom('customers')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('pool_id', '=', pool.id)
          .where('status', '=', 'pool')
          .where('reserved_by_assignment_id', 'is', null)
          .orderBy('id', 'desc')
          .limit(10)
          .execute();
        const [first, second] = [candidates.slice(0, 5).map((c) => c.id), candidates.slice(5, 10).map((c) => c.id)];
        const capped = await h.request('POST', '/api/v1/assignments', { token: hr, body: { assigneeUserId: 'rep02', customerIds: first, reason: '补充客户' } });
        expect(capped.status).toBe(201);
        await h.control(platform, 'POST', `approvals/${encodeURIComponent(capped.body.assignment.approvalInstanceId)}/decide`, { approved: true });
        const afterCap = await customerState(first);
        expect(afterCap.filter((r) => r.owner_id === 'rep02')).toHaveLength(2);
        expect(afterCap.filter((r) => r.status === 'pool' && r.reserved_by_assignment_id === null)).toHaveLength(3);
        const detail = (await h.request('GET', `/api/v1/assignments/${capped.body.assignment.id}`, { token: hr })).body.assignment;
        expect(detail.counts).toEqual({ assigned: 2, skipped: 3, reserved: 0, released: 0 });
        expect(detail.items.filter((i: { state: string }) => i.state === 'skipped').map((i: { note: string }) => i.note)).toEqual(['owned_limit_reached', 'owned_limit_reached', 'owned_limit_reached']);

        const override = await h.request('POST', '/api/v1/assignments', { token: hr, body: { assigneeUserId: 'rep02', customerIds: second, reason: '新区域交接', overrideCap: true } });
        expect(override.status).toBe(201);
        await h.control(platform, 'POST', `approvals/${encodeURIComponent(override.body.assignment.approvalInstanceId)}/decide`, { approved: true });
        expect((await customerState(second)).every((r) => r.owner_id === 'rep02')).toBe(true);
        const evidence = await h.db.selectFrom('ownership_events').select('evidence').where('tenant_id', '=', tenantId).where('customer_id', 'in', second).where('type', '=', 'assigned').execute();
        expect(evidence.map((e) => JSON.parse(e.evidence!).capOverride)).toEqual([true, true, true, true, true]);
      } finally {
        await h.db.updateTable('pools').set({ max_owned_per_rep: pool.max_owned_per_rep }).where('id', '=', pool.id).execute();
      }
    });

    it('a request nobody decides expires after the tenant’s hold and gives its customers back', async () => {
      const pack = (await h.request('GET', '/api/v1/assignments/suggest?assigneeUserId=newhire01&count=5', { token: hr })).body;
      const ids: number[] = pack.items.map((i: { id: number }) => i.id);
      const created = await h.request('POST', '/api/v1/assignments', { token: hr, body: { assigneeUserId: 'newhire01', customerIds: ids, reason: '无人审批' } });
      expect(created.status).toBe(201);
      expect(Date.parse(created.body.assignment.expiresAt) - h.clock.now()).toBe(72 * 3_600_000);
      expect(await expireAssignments(h.deps, tenantId, h.clock.now() + 71 * 3_600_000)).toBe(0);
      expect(await expireAssignments(h.deps, tenantId, h.clock.now() + 72 * 3_600_000)).toBe(1);
      expect(await expireAssignments(h.deps, tenantId, h.clock.now() + 73 * 3_600_000)).toBe(0);
      expect((await customerState(ids)).every((r) => r.status === 'pool' && r.reserved_by_assignment_id === null)).toBe(true);
      // The approval that finally comes back agreed changes nothing now.
      await h.control(platform, 'POST', `approvals/${encodeURIComponent(created.body.assignment.approvalInstanceId)}/decide`, { approved: true });
      expect((await customerState(ids)).every((r) => r.status === 'pool')).toBe(true);
      expect((await h.request('GET', `/api/v1/assignments/${created.body.assignment.id}`, { token: hr })).body.assignment.status).toBe('expired');
    });

    it('refuses what it must, with reasons: not HR, bad input, an unknown hire, nothing left to assign', async () => {
      const body = { assigneeUserId: 'newhire01', customerIds: [1], reason: '试试' };
      const asRep = await h.request('POST', '/api/v1/assignments', { token: rep01, body });
      expect(asRep.status).toBe(403);
      expect(asRep.body.error.code).toBe('forbidden');
      const empty = await h.request('POST', '/api/v1/assignments', { token: hr, body: { ...body, customerIds: [] } });
      expect(empty.status).toBe(400);
      expect(empty.body.error.message).toContain('请至少选择 1 个客户');
      const unknown = await h.request('POST', '/api/v1/assignments', { token: hr, body: { ...body, assigneeUserId: 'nobody' } });
      expect(unknown.status).toBe(404);
      const ownedByRep01 = await h.db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('owner_id', '=', 'rep01').limit(2).execute();
      const nothing = await h.request('POST', '/api/v1/assignments', { token: hr, body: { ...body, customerIds: [...ownedByRep01.map((c) => c.id), 99_999_999] } });
      expect(nothing.status).toBe(422);
      expect(nothing.body.error.code).toBe('nothing_to_assign');
      expect(nothing.body.error.unavailable.map((u: { reason: string }) => u.reason)).toEqual(['owned', 'owned', 'not_found']);
      const suggestAsRep = await h.request('GET', '/api/v1/assignments/suggest?assigneeUserId=newhire01', { token: rep01 });
      expect(suggestAsRep.status).toBe(403);
      const badCount = await h.request('GET', '/api/v1/assignments/suggest?assigneeUserId=newhire01&count=0', { token: hr });
      expect(badCount.status).toBe(400);
    });

    it('tells HR when org sync brings in a new rep in a sales team, with a starter pack to review', async () => {
      const added = await h.control(platform, 'POST', 'org/users', { userId: 'newhire02', name: '新人小黑', departmentIds: [21], hiredDate: '2026-11-26' });
      expect(added.body).toMatchObject({ delivered: true });
      const prompts = (await directMessages(platform)).filter((m) => m.title === '新同事 新人小黑 加入上海一组：为其分配起步客户');
      expect(prompts).toHaveLength(1);
      expect(prompts[0]!.to).toEqual(['hr01']);
      expect(prompts[0]!.text).toMatch(/系统已在其团队附近挑好 30 个公海客户/);
      // A leader joining is not a new rep to onboard.
      await h.control(platform, 'POST', 'org/users', { userId: 'lead02', name: '新主管', departmentIds: [21], leader: true, hiredDate: '2026-11-26' });
      expect((await directMessages(platform)).filter((m) => m.title.includes('新主管'))).toEqual([]);
    });
  });
});
