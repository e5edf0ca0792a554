import { demoTenants } from '@gonghai/config';
import type { PlatformMessage } from '@gonghai/plugin-core';
import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import type { AppDeps } from '../../../context';
import { createPlatformRegistry } from '../../../platform/registry';
import { outboxDispatchJob } from '../jobs/outbox-dispatch.job';
import type { OutboxMessage } from '../outbox';
import { dispatchOutbox, enqueueMessages, OUTBOX_MAX_ATTEMPTS, retryDelayMs } from '../outbox.service';
import { robotKey, sealBot, type SealedBotRef } from '../robot-ref';
import { sealPlainRobotTokens } from '../robot-tokens.service';

const vendors = [
  { platform: 'dingtalk' as const, tenant: demoTenants[0]!, directPath: '/topapi/message/corpconversation/asyncsend_v2', robotPath: '/robot/send', directRateLimit: 90018, robotRateLimit: 130101 },
  { platform: 'wecom' as const, tenant: demoTenants[1]!, directPath: '/cgi-bin/message/send', robotPath: '/cgi-bin/webhook/send', directRateLimit: 45009, robotRateLimit: 45009 },
];

interface InboxItem {
  channel: 'group' | 'direct';
  target: string;
  to: string[];
  title: string;
  text: string;
  receivedAt: string;
}

const markdown = (title: string): PlatformMessage => ({ kind: 'markdown', title, text: `### ${title}\n正文 ${title}` });

describe.each(dialects)('outbox and dispatcher on %s', (dialect) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(() => h.close());

  async function inbox(platform: 'dingtalk' | 'wecom', since: number): Promise<InboxItem[]> {
    const res = await h.control(platform, 'GET', `messages?since=${encodeURIComponent(new Date(since).toISOString())}`);
    return res.body.items as InboxItem[];
  }

  async function enqueue(messages: OutboxMessage[]): Promise<number> {
    return h.db.transaction().execute((trx) => enqueueMessages(trx, messages, h.clock.now()));
  }

  async function rows(tenantId: string, prefix: string) {
    return h.db
      .selectFrom('outbox')
      .select(['dedupe_key', 'status', 'attempts', 'sent_at', 'last_error'])
      .where('tenant_id', '=', tenantId)
      .where('dedupe_key', 'like', `${prefix}%`)
      .orderBy('id')
      .execute();
  }

  /** Runs the dispatcher every `stepMs` of clock until nothing is pending for `prefix`; returns each run's result. */
  async function dispatchUntilDone(tenantId: string, prefix: string, stepMs: number, maxRuns: number) {
    const runs = [];
    for (let run = 0; run < maxRuns; run += 1) {
      runs.push(await dispatchOutbox(h.deps, { now: h.clock.now() }));
      if ((await rows(tenantId, prefix)).every((r) => r.status !== 'pending')) return runs;
      h.clock.advance(stepMs);
    }
    throw new Error(`still pending after ${maxRuns} runs: ${JSON.stringify(runs)}`);
  }

  it('the dispatch job fires every 10 seconds, server-wide, and sends what is due for every tenant', async () => {
    expect(outboxDispatchJob).toMatchObject({ name: 'outbox-dispatch', schedule: '*/10 * * * * *', perTenant: false });
    h.clock.advance(2 * 60_000);
    const start = h.clock.now();
    await enqueue(vendors.map((v) => ({ tenantId: v.tenant.id, dedupeKey: 'job:1', target: { kind: 'users' as const, userIds: ['rep01'] }, message: markdown(`任务 ${v.platform}`) })));
    await outboxDispatchJob.run({ deps: h.deps, now: start });
    for (const v of vendors) expect((await inbox(v.platform, start)).map((m) => m.title)).toEqual([`任务 ${v.platform}`]);
    // Safe to run twice: the second fire finds nothing due.
    await outboxDispatchJob.run({ deps: h.deps, now: start });
    for (const v of vendors) expect(await inbox(v.platform, start)).toHaveLength(1);
  });

  describe.each(vendors)('$platform', ({ platform, tenant, directPath, robotPath, directRateLimit, robotRateLimit }) => {
    const plainRobot = { token: tenant.robot.token, ...(tenant.robot.secret ? { secret: tenant.robot.secret } : {}) };
    let robot: SealedBotRef;
    beforeAll(() => {
      robot = sealBot(h.deps.secrets, plainRobot);
    });

    beforeEach(() => {
      // Each test starts past every robot window the previous one used.
      h.clock.advance(2 * 60_000);
    });

    it('delivers a direct message to users and a card to the demo robot, once', async () => {
      const start = h.clock.now();
      const card: PlatformMessage = { kind: 'card', title: '回收日报', text: '昨夜收回 3 个客户', url: 'https://example.test/reclaims', buttonText: '查看' };
      expect(
        await enqueue([
          { tenantId: tenant.id, dedupeKey: 'basic:direct', target: { kind: 'users', userIds: ['rep01', 'mgr-east'] }, message: markdown('到期提醒') },
          { tenantId: tenant.id, dedupeKey: 'basic:robot', target: { kind: 'bot', bot: robot }, message: card },
        ]),
      ).toBe(2);

      expect(await dispatchOutbox(h.deps, { now: h.clock.now() })).toEqual({ sent: 2, retried: 0, dead: 0 });
      expect(await dispatchOutbox(h.deps, { now: h.clock.now() })).toEqual({ sent: 0, retried: 0, dead: 0 });

      // Different targets go out side by side, so arrival order between them is not fixed.
      const received = (await inbox(platform, start)).sort((x, y) => x.channel.localeCompare(y.channel));
      expect(received.map((m) => ({ channel: m.channel, target: m.target, to: m.to, title: m.title }))).toEqual([
        { channel: 'direct', target: tenant.agentId, to: ['rep01', 'mgr-east'], title: '到期提醒' },
        { channel: 'group', target: tenant.robot.token, to: [], title: '回收日报' },
      ]);
      expect(received[0]!.text).toContain('正文 到期提醒');
      expect(received[1]!.text).toContain('昨夜收回 3 个客户');
      // At rest the robot is sealed: neither its token nor its signing secret is in the row (DESIGN §15).
      const stored = await h.db.selectFrom('outbox').select('target').where('tenant_id', '=', tenant.id).where('dedupe_key', '=', 'basic:robot').executeTakeFirstOrThrow();
      expect(stored.target).not.toContain(tenant.robot.token);
      if (tenant.robot.secret) expect(stored.target).not.toContain(tenant.robot.secret);
      expect(JSON.parse(stored.target)).toEqual({ kind: 'bot', bot: { key: robotKey(tenant.robot.token), tokenEnc: expect.stringMatching(/^v1\./), ...(tenant.robot.secret ? { secretEnc: expect.stringMatching(/^v1\./) } : {}) } });
      expect(await rows(tenant.id, 'basic:')).toEqual([
        { dedupe_key: 'basic:direct', status: 'sent', attempts: 1, sent_at: start, last_error: null },
        { dedupe_key: 'basic:robot', status: 'sent', attempts: 1, sent_at: start, last_error: null },
      ]);
    });

    it('seals robots an older version stored in plain text, in tenant settings and outbox rows, and still delivers to them', async () => {
      const start = h.clock.now();
      const seeded = (await h.db.selectFrom('tenants').select('settings').where('id', '=', tenant.id).executeTakeFirstOrThrow()).settings;
      // The demo seed stores its robot sealed.
      expect(seeded).not.toContain(tenant.robot.token);
      expect(JSON.parse(seeded).poolReturnBots).toEqual([{ key: robotKey(tenant.robot.token), tokenEnc: expect.stringMatching(/^v1\./), ...(tenant.robot.secret ? { secretEnc: expect.stringMatching(/^v1\./) } : {}) }]);
      await h.db.updateTable('tenants').set({ settings: JSON.stringify({ ...JSON.parse(seeded), poolReturnBots: [plainRobot] }) }).where('id', '=', tenant.id).execute();
      await h.db
        .insertInto('outbox')
        .values({ tenant_id: tenant.id, dedupe_key: 'legacy:1', target: JSON.stringify({ kind: 'bot', bot: plainRobot }), message: JSON.stringify(markdown('旧版本写下的群消息')), status: 'pending', attempts: 0, next_attempt_at: start, last_error: null, created_at: start, sent_at: null })
        .execute();

      expect(await sealPlainRobotTokens(h.db, h.deps.secrets)).toBe(2);
      expect(await sealPlainRobotTokens(h.db, h.deps.secrets)).toBe(0);
      const settings = (await h.db.selectFrom('tenants').select('settings').where('id', '=', tenant.id).executeTakeFirstOrThrow()).settings;
      expect(settings).not.toContain(tenant.robot.token);
      expect(JSON.parse(settings)).toMatchObject({ ...JSON.parse(seeded), poolReturnBots: [{ key: robotKey(tenant.robot.token), tokenEnc: expect.stringMatching(/^v1\./) }] });
      const target = (await h.db.selectFrom('outbox').select('target').where('tenant_id', '=', tenant.id).where('dedupe_key', '=', 'legacy:1').executeTakeFirstOrThrow()).target;
      expect(target).not.toContain(tenant.robot.token);
      if (tenant.robot.secret) expect(target).not.toContain(tenant.robot.secret);

      // The sandbox robot takes it only with the right token (and, on DingTalk, the right signature).
      expect(await dispatchOutbox(h.deps, { now: start })).toEqual({ sent: 1, retried: 0, dead: 0 });
      expect((await inbox(platform, start)).map((m) => ({ channel: m.channel, target: m.target, title: m.title }))).toEqual([
        { channel: 'group', target: tenant.robot.token, title: '旧版本写下的群消息' },
      ]);
      await h.db.updateTable('tenants').set({ settings: seeded }).where('id', '=', tenant.id).execute();
    });

    it('ignores a duplicate dedupe key inside a transaction, and the transaction still commits', async () => {
      const now = h.clock.now();
      const counts = await h.db.transaction().execute(async (trx) => {
        const first = await enqueueMessages(trx, [{ tenantId: tenant.id, dedupeKey: 'dup:a', target: { kind: 'users', userIds: ['rep01'] }, message: markdown('第一次') }], now);
        // The caller's own write after the duplicate must survive: on MySQL a failed INSERT would not roll back the
        // transaction, but a thrown duplicate-key error would make the caller abort it.
        const second = await enqueueMessages(
          trx,
          [
            { tenantId: tenant.id, dedupeKey: 'dup:a', target: { kind: 'users', userIds: ['rep02'] }, message: markdown('第二次') },
            { tenantId: tenant.id, dedupeKey: 'dup:b', target: { kind: 'users', userIds: ['rep02'] }, message: markdown('另一条') },
            { tenantId: tenant.id, dedupeKey: 'dup:b', target: { kind: 'users', userIds: ['rep03'] }, message: markdown('同批重复') },
          ],
          now,
        );
        const otherTenant = vendors.find((v) => v.tenant.id !== tenant.id)!.tenant.id;
        const elsewhere = await enqueueMessages(trx, [{ tenantId: otherTenant, dedupeKey: `dup:a:${tenant.id}`, target: { kind: 'users', userIds: ['rep01'] }, message: markdown('别的企业') }], now);
        await trx.deleteFrom('outbox').where('tenant_id', '=', otherTenant).where('dedupe_key', '=', `dup:a:${tenant.id}`).execute();
        return [first, second, elsewhere];
      });
      expect(counts).toEqual([1, 1, 1]);
      const stored = await h.db.selectFrom('outbox').select(['dedupe_key', 'message', 'status']).where('tenant_id', '=', tenant.id).where('dedupe_key', 'like', 'dup:%').orderBy('dedupe_key').execute();
      expect(stored.map((r) => ({ key: r.dedupe_key, title: (JSON.parse(r.message) as PlatformMessage).title, status: r.status }))).toEqual([
        { key: 'dup:a', title: '第一次', status: 'pending' },
        { key: 'dup:b', title: '另一条', status: 'pending' },
      ]);
      // A rerun of the same cause, in a later transaction, adds nothing.
      expect(await enqueue([{ tenantId: tenant.id, dedupeKey: 'dup:a', target: { kind: 'users', userIds: ['rep01'] }, message: markdown('重跑') }])).toBe(0);
      await h.db.deleteFrom('outbox').where('tenant_id', '=', tenant.id).where('dedupe_key', 'like', 'dup:%').execute();
    });

    it('keeps a message back until its notBefore time', async () => {
      const start = h.clock.now();
      await enqueue([{ tenantId: tenant.id, dedupeKey: 'later:1', target: { kind: 'users', userIds: ['rep01'] }, message: markdown('九点再发'), notBefore: start + 3_600_000 }]);
      expect(await dispatchOutbox(h.deps, { now: start + 3_599_999 })).toEqual({ sent: 0, retried: 0, dead: 0 });
      expect(await dispatchOutbox(h.deps, { now: start + 3_600_000 })).toEqual({ sent: 1, retried: 0, dead: 0 });
      expect((await inbox(platform, start)).map((m) => m.title)).toEqual(['九点再发']);
    });

    it('delivers every message exactly once while the platform refuses and fails for a while', async () => {
      const start = h.clock.now();
      const messages: OutboxMessage[] = [
        ...[1, 2, 3].map((n) => ({ tenantId: tenant.id, dedupeKey: `flaky:d${n}`, target: { kind: 'users' as const, userIds: [`rep0${n}`] }, message: markdown(`私信 ${n}`) })),
        ...[1, 2].map((n) => ({ tenantId: tenant.id, dedupeKey: `flaky:r${n}`, target: { kind: 'bot' as const, bot: robot }, message: markdown(`群消息 ${n}`) })),
      ];
      await enqueue(messages);
      // Rate-limit answers on both paths, then an outage of the robot (the adapter retries 5xx twice itself: 3 calls).
      expect((await h.control(platform, 'POST', 'faults', { path: directPath, times: 4, errcode: directRateLimit })).status).toBe(200);
      expect((await h.control(platform, 'POST', 'faults', { path: robotPath, times: 2, errcode: robotRateLimit })).status).toBe(200);
      expect((await h.control(platform, 'POST', 'faults', { path: robotPath, times: 3, status: 503 })).status).toBe(200);

      const runs = await dispatchUntilDone(tenant.id, 'flaky:', 10 * 60_000, 10);
      expect(runs.reduce((sum, r) => sum + r.sent, 0)).toBe(5);
      expect(runs.reduce((sum, r) => sum + r.retried, 0)).toBe(4 + 2 + 1);
      expect(runs.reduce((sum, r) => sum + r.dead, 0)).toBe(0);

      const titles = (await inbox(platform, start)).map((m) => m.title).sort();
      expect(titles).toEqual(['私信 1', '私信 2', '私信 3', '群消息 1', '群消息 2'].sort());
      const stored = await rows(tenant.id, 'flaky:');
      expect(stored.every((r) => r.status === 'sent' && r.last_error === null)).toBe(true);
      expect(stored.reduce((sum, r) => sum + r.attempts, 0)).toBe(5 + 7);
    });

    it('backs off exponentially and honours the wait the platform asks for', async () => {
      const start = h.clock.now();
      await enqueue([{ tenantId: tenant.id, dedupeKey: 'backoff:1', target: { kind: 'users', userIds: ['rep01'] }, message: markdown('退避') }]);
      await h.control(platform, 'POST', 'faults', { path: directPath, times: 2, errcode: directRateLimit });
      const due = async () =>
        Number((await h.db.selectFrom('outbox').select('next_attempt_at').where('tenant_id', '=', tenant.id).where('dedupe_key', '=', 'backoff:1').executeTakeFirstOrThrow()).next_attempt_at);
      expect(await dispatchOutbox(h.deps, { now: start })).toEqual({ sent: 0, retried: 1, dead: 0 });
      expect(await due()).toBe(start + 30_000);
      expect(await dispatchOutbox(h.deps, { now: start + 29_999 })).toEqual({ sent: 0, retried: 0, dead: 0 });
      expect(await dispatchOutbox(h.deps, { now: start + 30_000 })).toEqual({ sent: 0, retried: 1, dead: 0 });
      expect(await due()).toBe(start + 30_000 + 60_000);
      expect(await dispatchOutbox(h.deps, { now: start + 90_000 })).toEqual({ sent: 1, retried: 0, dead: 0 });
      expect([1, 2, 3, 7, 8, 12].map((n) => retryDelayMs(n))).toEqual([30_000, 60_000, 120_000, 1_800_000, 1_800_000, 1_800_000]);
      // DingTalk's robot refusal says to wait a minute: more than the first backoff.
      expect(retryDelayMs(1, 60_000)).toBe(60_000);
    });

    it(`makes a message a dead letter after ${OUTBOX_MAX_ATTEMPTS} failures, shows it to admins, and retry sends it`, async () => {
      const start = h.clock.now();
      await enqueue([{ tenantId: tenant.id, dedupeKey: 'dead:1', target: { kind: 'bot', bot: robot }, message: markdown('发不出去') }]);
      await h.control(platform, 'POST', 'faults', { path: robotPath, times: OUTBOX_MAX_ATTEMPTS, errcode: robotRateLimit });

      const runs = await dispatchUntilDone(tenant.id, 'dead:', 31 * 60_000, OUTBOX_MAX_ATTEMPTS + 1);
      expect(runs).toEqual([...Array.from({ length: OUTBOX_MAX_ATTEMPTS - 1 }, () => ({ sent: 0, retried: 1, dead: 0 })), { sent: 0, retried: 0, dead: 1 }]);
      const [row] = await rows(tenant.id, 'dead:');
      expect(row).toMatchObject({ status: 'dead', attempts: OUTBOX_MAX_ATTEMPTS, sent_at: null });
      expect(row!.last_error).toMatch(/^RATE_LIMITED: /);
      expect(await inbox(platform, start)).toEqual([]);

      const admin = await h.tokenFor(tenant.id, 'admin01');
      const view = await h.request('GET', '/api/v1/admin/outbox/dead', { token: admin });
      expect(view.status).toBe(200);
      const id = (await h.db.selectFrom('outbox').select('id').where('tenant_id', '=', tenant.id).where('dedupe_key', '=', 'dead:1').executeTakeFirstOrThrow()).id;
      expect(view.body).toEqual({
        items: [
          {
            id,
            dedupeKey: 'dead:1',
            target: { kind: 'bot', bot: { token: `${tenant.robot.token.slice(0, 6)}…` } },
            title: '发不出去',
            attempts: OUTBOX_MAX_ATTEMPTS,
            lastError: row!.last_error,
            createdAt: new Date(start).toISOString(),
          },
        ],
      });

      // Reps cannot see it; the other tenant's admin neither sees nor revives it.
      expect((await h.request('GET', '/api/v1/admin/outbox/dead', { token: await h.tokenFor(tenant.id, 'rep01') })).status).toBe(403);
      const otherTenant = vendors.find((v) => v.tenant.id !== tenant.id)!.tenant.id;
      const otherAdmin = await h.tokenFor(otherTenant, 'admin01');
      expect((await h.request('GET', '/api/v1/admin/outbox/dead', { token: otherAdmin })).body.items.map((i: { dedupeKey: string }) => i.dedupeKey)).not.toContain('dead:1');
      expect((await h.request('POST', `/api/v1/admin/outbox/${id}/retry`, { token: otherAdmin })).status).toBe(404);

      h.clock.advance(60_000);
      const retried = await h.request('POST', `/api/v1/admin/outbox/${id}/retry`, { token: admin });
      expect(retried).toMatchObject({ status: 200, body: { id, status: 'pending' } });
      expect((await rows(tenant.id, 'dead:'))[0]).toMatchObject({ status: 'pending', attempts: 0 });
      expect((await h.request('POST', `/api/v1/admin/outbox/${id}/retry`, { token: admin })).body).toEqual({
        error: { code: 'not_found', message: expect.stringContaining('没有这条失败消息') },
      });
      expect(await dispatchOutbox(h.deps, { now: h.clock.now() })).toEqual({ sent: 1, retried: 0, dead: 0 });
      expect((await inbox(platform, start)).map((m) => m.title)).toEqual(['发不出去']);
      expect((await h.request('GET', '/api/v1/admin/outbox/dead', { token: admin })).body).toEqual({ items: [] });
    });

    it('sends 45 messages to one robot over three minutes, never more than 20 in a minute', async () => {
      const start = h.clock.now();
      await enqueue(Array.from({ length: 45 }, (_, n) => ({ tenantId: tenant.id, dedupeKey: `burst:${String(n).padStart(2, '0')}`, target: { kind: 'bot' as const, bot: robot }, message: markdown(`第 ${n} 条`) })));
      const sentAt: { offset: number; sent: number }[] = [];
      for (let offset = 0; offset <= 180_000; offset += 10_000) {
        h.clock.set(start + offset);
        const result = await dispatchOutbox(h.deps, { now: h.clock.now() });
        expect(result.retried + result.dead).toBe(0);
        if (result.sent > 0) sentAt.push({ offset, sent: result.sent });
      }
      // 61 s windows: the second batch goes at the first run past start + 61 s, the third past that + 61 s.
      expect(sentAt).toEqual([
        { offset: 0, sent: 20 },
        { offset: 70_000, sent: 20 },
        { offset: 140_000, sent: 5 },
      ]);
      const received = (await inbox(platform, start)).filter((m) => m.channel === 'group');
      expect(received.map((m) => m.title)).toEqual(Array.from({ length: 45 }, (_, n) => `第 ${n} 条`));
      // Every message went on its first attempt: the platform never answered its rate-limit code.
      expect((await rows(tenant.id, 'burst:')).map((r) => r.attempts)).toEqual(Array.from({ length: 45 }, () => 1));
    });

    it('two dispatchers running at once send each message once and share the robot limit', async () => {
      const start = h.clock.now();
      await enqueue([
        ...Array.from({ length: 12 }, (_, n) => ({ tenantId: tenant.id, dedupeKey: `pair:d${n}`, target: { kind: 'users' as const, userIds: ['rep01'] }, message: markdown(`并发私信 ${n}`) })),
        ...Array.from({ length: 25 }, (_, n) => ({ tenantId: tenant.id, dedupeKey: `pair:r${n}`, target: { kind: 'bot' as const, bot: robot }, message: markdown(`并发群消息 ${n}`) })),
      ]);
      // A second server process: its own adapters (and so its own in-memory robot limiter) over the same database.
      const other: AppDeps = {
        ...h.deps,
        platforms: createPlatformRegistry({ db: h.db, secrets: h.deps.secrets, clock: h.clock, sandboxBaseUrl: () => h.baseUrl }),
      };
      const [a, b] = await Promise.all([dispatchOutbox(h.deps, { now: start }), dispatchOutbox(other, { now: start })]);
      expect(a.retried + a.dead + b.retried + b.dead).toBe(0);
      expect(a.sent + b.sent).toBe(12 + 20);

      h.clock.advance(61_000);
      const [c, d] = await Promise.all([dispatchOutbox(h.deps, { now: h.clock.now() }), dispatchOutbox(other, { now: h.clock.now() })]);
      expect(c.sent + d.sent).toBe(5);

      const received = await inbox(platform, start);
      expect(received.filter((m) => m.channel === 'direct').map((m) => m.title).sort()).toEqual(Array.from({ length: 12 }, (_, n) => `并发私信 ${n}`).sort());
      expect(received.filter((m) => m.channel === 'group').map((m) => m.title).sort()).toEqual(Array.from({ length: 25 }, (_, n) => `并发群消息 ${n}`).sort());
      expect((await rows(tenant.id, 'pair:')).every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    });
  });
});
