import type { PlatformClientOptions } from '../client-options';
import { PlatformError } from '../platform-error';
import type { CallbackRequest, Clock, OrgFixture, PlatformAdapter, PlatformEvent, PlatformKind } from '../port';
import type { ContractSandbox } from './auth-contract';
import { listenOnEphemeralPort, type RunningServer } from './http-server';
import { ManualClock } from './manual-clock';

/** What a vendor plugin supplies to run the shared platform contract against its adapter and sandbox. */
export interface PlatformContractHarness {
  platform: PlatformKind;
  paths: { token: string };
  startSandbox(options: { fixtures: OrgFixture[]; clock: Clock }): Promise<ContractSandbox>;
  createAdapter(options: PlatformClientOptions): PlatformAdapter;
  /** The id the vendor puts after the message inside the cipher text: DingTalk the app key, WeCom the corp id. */
  receiverId(fixture: OrgFixture): string;
}

const fixtureBase: Omit<OrgFixture, 'callback'> = {
  corpId: 'contractcorp01',
  app: { appKey: 'contractappkey01', appSecret: 'contract-app-secret-01', agentId: '1000009' },
  departments: [
    { id: 1, name: '总部', parentId: null },
    { id: 2, name: '华东', parentId: 1 },
    { id: 21, name: '上海一组', parentId: 2 },
  ],
  users: [
    { userId: 'boss', name: '老板', departmentIds: [1], leaderOf: [1], mobile: '13800000001', title: '总经理', hiredDate: '2020-01-01' },
    { userId: 'east', name: '钱东', departmentIds: [2], leaderOf: [2], mobile: '13800000002', title: '区域经理', hiredDate: '2021-02-01' },
    { userId: 'rep1', name: '张伟', departmentIds: [21], leaderOf: [], mobile: '13800000003', title: '销售', hiredDate: '2024-03-01' },
    { userId: 'rep2', name: '王芳', departmentIds: [21], leaderOf: [], mobile: '13800000004', title: '销售', hiredDate: '2025-04-01' },
  ],
  robots: [{ token: 'contractrobot01', secret: 'SECcontractrobotsecret0123456789' }],
  approvalTemplateIds: ['contract-template-01'],
};

const callbackSecrets = { token: 'contracttoken', aesKey: 'ContractCallbackAesKey0123456789abcdefghijk' };

/**
 * The behaviour every adapter has beyond login (DESIGN §6), proven over real HTTP against its vendor's sandbox: the
 * directory, messages within the robots' limit, approvals, contact and approval callbacks that the sandbox encrypts and
 * delivers, token refresh, and the JS-SDK signature.
 */
export function describePlatformContract(harness: PlatformContractHarness): void {
  describe(`${harness.platform} adapter (platform contract)`, () => {
    let clock: ManualClock;
    let sandbox: ContractSandbox;
    let receiver: RunningServer;
    let adapter: PlatformAdapter;
    let received: { events: PlatformEvent[]; error?: string }[];

    function fixture(): OrgFixture {
      const receiverId = harness.receiverId(fixtureBase as OrgFixture);
      return { ...structuredClone(fixtureBase), callback: { ...callbackSecrets, receiverId, url: () => `${receiver.origin}/callback` } } as OrgFixture;
    }

    async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
      const response = await fetch(`${sandbox.baseUrl}/_control/${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    }

    beforeEach(async () => {
      clock = new ManualClock(Date.parse('2026-11-27T02:00:00Z'));
      received = [];
      // A stand-in for the server: hands each delivered callback to the adapter, answers what it says to.
      receiver = await listenOnEphemeralPort((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const url = request.url ?? '';
          const callback: CallbackRequest = {
            method: request.method === 'GET' ? 'GET' : 'POST',
            rawQuery: url.includes('?') ? url.slice(url.indexOf('?') + 1) : '',
            body: Buffer.concat(chunks).toString('utf8'),
          };
          try {
            const result = adapter.callbacks.handle(callback);
            received.push({ events: result.events });
            response.writeHead(result.reply.status, { 'content-type': result.reply.contentType });
            response.end(result.reply.body);
          } catch (error) {
            received.push({ events: [], error: error instanceof Error ? error.message : String(error) });
            response.writeHead(401).end();
          }
        });
      });
      const org = fixture();
      sandbox = await harness.startSandbox({ fixtures: [org], clock });
      adapter = harness.createAdapter({
        credentials: {
          corpId: org.corpId,
          ...org.app,
          baseUrl: sandbox.baseUrl,
          callback: { ...callbackSecrets, receiverId: harness.receiverId(org) },
          approvalTemplateId: 'contract-template-01',
        },
        clock,
        sleep: async (ms) => {
          clock.advance(ms);
        },
      });
    });

    afterEach(async () => {
      await sandbox.close();
      await receiver.close();
    });

    it('walks the department tree parents first and pages through each department’s users', async () => {
      const departments = [];
      for await (const department of adapter.directory.departments()) departments.push(department);
      expect(departments.map((d) => [d.id, d.parentId, d.name])).toEqual([
        ['1', null, '总部'],
        ['2', '1', '华东'],
        ['21', '2', '上海一组'],
      ]);
      const team = [];
      for await (const user of adapter.directory.users('21')) team.push(user);
      expect(team.map((u) => u.userId).sort()).toEqual(['rep1', 'rep2']);
      expect(team.find((u) => u.userId === 'rep1')).toMatchObject({ name: '张伟', departmentIds: ['21'], leaderOf: [], mobile: '13800000003', title: '销售', hiredDate: '2024-03-01' });
      const east = await adapter.directory.user('east');
      expect(east).toMatchObject({ userId: 'east', name: '钱东', departmentIds: ['2'], leaderOf: ['2'] });
      await expect(adapter.directory.user('nobody')).resolves.toBeNull();
    });

    it('shares one token fetch among 20 concurrent directory calls, and refreshes once after the platform expires it', async () => {
      const users = await Promise.all(Array.from({ length: 20 }, () => adapter.directory.user('rep2')));
      expect(users.map((u) => u?.name)).toEqual(Array(20).fill('王芳'));
      expect(sandbox.callCount(harness.paths.token)).toBe(1);
      expect(await control('POST', 'tokens/expire')).toMatchObject({ status: 200 });
      await expect(adapter.directory.user('rep1')).resolves.toMatchObject({ name: '张伟' });
      expect(sandbox.callCount(harness.paths.token)).toBe(2);
    });

    it('delivers 45 robot messages within the 20-a-minute limit, none refused', async () => {
      const started = clock.now();
      for (let i = 1; i <= 45; i++) {
        await adapter.messages.toGroupBot(fixtureBase.robots![0]!, { kind: 'markdown', title: `日报 ${i}`, text: `### 日报 ${i}\n今日退回公海 ${i} 个客户` });
      }
      const inbox = await control('GET', 'messages');
      const group = (inbox.body.items as { channel: string; title: string }[]).filter((m) => m.channel === 'group');
      expect(group.map((m) => m.title)).toEqual(Array.from({ length: 45 }, (_, i) => `日报 ${i + 1}`));
      // 45 messages at 20 a minute need at least two full windows of waiting.
      expect(clock.now() - started).toBeGreaterThanOrEqual(120_000);
    });

    it('sends a direct message and a card to users', async () => {
      await adapter.messages.toUsers(['rep1', 'rep2'], { kind: 'markdown', title: '客户即将回收', text: '你有 3 个客户明天将被收回公海' });
      await adapter.messages.toUsers(['east'], { kind: 'card', title: '审批提醒', text: '有 1 个客户分配待审批', url: 'https://gonghai.example.com/approvals', buttonText: '去处理' });
      const inbox = await control('GET', 'messages');
      const direct = (inbox.body.items as { channel: string; to: string[]; title: string; text: string }[]).filter((m) => m.channel === 'direct');
      expect(direct.map((m) => [m.to, m.title])).toEqual([
        [['rep1', 'rep2'], '客户即将回收'],
        [['east'], '审批提醒'],
      ]);
      expect(direct[1]!.text).toContain('有 1 个客户分配待审批');
    });

    it('starts an approval and turns its result, delivered twice, into the same approval.finished event', async () => {
      const instanceId = await adapter.approvals.start({
        originatorUserId: 'boss',
        title: '客户分配',
        fields: [{ name: '新人', value: '王芳' }],
        approverUserIds: ['east'],
      });
      const listed = await control('GET', 'approvals');
      expect(listed.body.items).toEqual([expect.objectContaining({ instanceId, originatorUserId: 'boss', approverUserIds: ['east'] })]);
      expect(await control('POST', `approvals/${encodeURIComponent(instanceId)}/decide`, { approved: false, deliveries: 2 })).toMatchObject({ status: 200 });
      const events = received.flatMap((r) => r.events).filter((e) => e.type === 'approval.finished');
      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({ type: 'approval.finished', instanceId, approved: false });
      expect(events[1]!.eventId).toBe(events[0]!.eventId);
    });

    it('delivers org changes as encrypted contact events', async () => {
      expect(await control('POST', 'org/users', { userId: 'rep3', name: '新人', departmentIds: [21] })).toMatchObject({ status: 200, body: { delivered: true } });
      expect(await control('DELETE', 'org/users/rep1')).toMatchObject({ status: 200, body: { delivered: true } });
      const events = received.flatMap((r) => r.events);
      expect(events).toEqual([
        expect.objectContaining({ type: 'contact.user_joined', userId: 'rep3' }),
        expect.objectContaining({ type: 'contact.user_left', userId: 'rep1' }),
      ]);
      expect(received.filter((r) => r.error !== undefined)).toEqual([]);
      await expect(adapter.directory.user('rep3')).resolves.toMatchObject({ name: '新人' });
      await expect(adapter.directory.user('rep1')).resolves.toBeNull();
    });

    it('refuses a callback whose signature was tampered with', () => {
      let error: unknown;
      try {
        adapter.callbacks.handle({ method: 'POST', rawQuery: `msg_signature=${'0'.repeat(40)}&timestamp=${Math.floor(clock.now() / 1000)}&nonce=1`, body: '{"encrypt":"AAAA"}' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PlatformError);
      expect((error as PlatformError).code).toBe('BAD_SIGNATURE');
    });

    it('signs a page for the JS-SDK', async () => {
      const first = await adapter.jsapi.signature('https://gonghai.example.com/h5/?a=1');
      const second = await adapter.jsapi.signature('https://gonghai.example.com/h5/?a=1');
      expect(first).toMatchObject({ platform: harness.platform, corpId: 'contractcorp01', agentId: '1000009' });
      expect(first.signature).toMatch(/^[0-9a-f]{40}$/);
      expect(second.nonceStr).not.toBe(first.nonceStr);
    });
  });
}
