import type { PlatformAdapter, PlatformEvent } from '@gonghai/plugin-core';
import { approvalTemplateId, treeFixture } from './fixtures';
import { startDingTalk, startReceiver, type CallbackReceiver, type DingTalkHarness } from './harness';

describe('DingTalk approvals and org changes, delivered as encrypted callbacks', () => {
  let dingtalk: DingTalkHarness;
  let receiver: CallbackReceiver;
  let adapter: PlatformAdapter;

  beforeEach(async () => {
    let receiverUrl = '';
    dingtalk = await startDingTalk(treeFixture(() => receiverUrl));
    adapter = dingtalk.adapter();
    receiver = await startReceiver(() => adapter);
    receiverUrl = receiver.url;
  });

  afterEach(async () => {
    await receiver.close();
    await dingtalk.close();
  });

  const request = {
    originatorUserId: 'mgr0201',
    title: '新人客户分配',
    fields: [
      { name: '新人', value: '李娜 (rep0733)' },
      { name: '客户数', value: '12' },
      { name: '区域', value: '["上海","杭州"]' },
    ],
    approverUserIds: ['boss0001', 'mgr0211'],
  };

  it('starts an approval from the tenant template, which the control endpoint lists with its form', async () => {
    const instanceId = await adapter.approvals.start(request);

    expect(instanceId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(dingtalk.control('GET', 'approvals')).resolves.toEqual({
      status: 200,
      body: {
        items: [
          {
            instanceId,
            templateId: approvalTemplateId,
            originatorUserId: 'mgr0201',
            title: '陈静提交的审批',
            fields: request.fields,
            approverUserIds: ['boss0001', 'mgr0211'],
            status: 'pending',
          },
        ],
      },
    });
    expect(dingtalk.sandbox.callCount('/v1.0/oauth2/accessToken')).toBe(1);
  });

  it('leaves approvers to the template when none are given', async () => {
    await adapter.approvals.start({ ...request, approverUserIds: undefined });

    expect(dingtalk.sandbox.approvals()).toEqual([expect.objectContaining({ approverUserIds: [] })]);
  });

  it('maps the v1.0 refusals: unknown originator → INVALID_ARGUMENT, no template → INVALID_CREDENTIALS', async () => {
    await expect(adapter.approvals.start({ ...request, originatorUserId: 'nobody' })).rejects.toMatchObject({
      name: 'PlatformError',
      code: 'INVALID_ARGUMENT',
      vendorCode: 'invalidParameter.originatorUserId',
    });
    await expect(dingtalk.adapter({ approvalTemplateId: 'PROC-UNKNOWN' }).approvals.start(request)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(dingtalk.adapter({ approvalTemplateId: undefined }).approvals.start(request)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
  });

  it('refreshes the v1.0 token once when DingTalk refuses it, then starts the approval', async () => {
    await adapter.approvals.start(request);
    await expect(dingtalk.control('POST', 'tokens/expire')).resolves.toEqual({ status: 200, body: { expired: 1 } });

    await expect(adapter.approvals.start(request)).resolves.toMatch(/^[0-9a-f-]{36}$/);

    expect(dingtalk.sandbox.callCount('/v1.0/oauth2/accessToken')).toBe(2);
    expect(dingtalk.sandbox.callCount('/v1.0/workflow/processInstances')).toBe(3);
  });

  it('retries a v1.0 gateway timeout (HTTP 504) with backoff', async () => {
    dingtalk.sandbox.injectFault({ path: '/v1.0/workflow/processInstances', times: 2, status: 504 });

    await expect(adapter.approvals.start(request)).resolves.toMatch(/^[0-9a-f-]{36}$/);

    expect(dingtalk.sleeps).toEqual([200, 600]);
    expect(dingtalk.sandbox.approvals()).toHaveLength(1);
  });

  it('decides with deliveries 2: two identical pushes, each acknowledged, yielding the same eventId twice', async () => {
    const instanceId = await adapter.approvals.start(request);
    dingtalk.clock.advance(3 * 3600_000);

    const decision = await dingtalk.control('POST', `approvals/${instanceId}/decide`, { approved: true, deliveries: 2 });

    expect(decision).toEqual({
      status: 200,
      body: {
        instanceId,
        status: 'approved',
        delivered: true,
        serverStatus: 200,
        deliveries: [
          { delivered: true, serverStatus: 200 },
          { delivered: true, serverStatus: 200 },
        ],
      },
    });
    const expected: PlatformEvent = {
      type: 'approval.finished',
      instanceId,
      approved: true,
      eventId: expect.stringMatching(/^dingtalk:[0-9a-f]{32}$/) as unknown as string,
      occurredAt: dingtalk.clock.now(),
    };
    expect(receiver.received).toEqual([{ events: [expected] }, { events: [expected] }]);
    const [first, second] = receiver.received as { events: PlatformEvent[] }[];
    expect(first!.events[0]!.eventId).toBe(second!.events[0]!.eventId);
    expect(dingtalk.sandbox.approvals()[0]!.status).toBe('approved');
  });

  it('delivers a refusal as approval.finished {approved: false} and will not decide twice', async () => {
    const instanceId = await adapter.approvals.start(request);

    const decision = await dingtalk.sandbox.decide(instanceId, false);
    const again = await dingtalk.control('POST', `approvals/${instanceId}/decide`, { approved: true });

    expect(decision).toMatchObject({ status: 'rejected', delivered: true, deliveries: [{ delivered: true, serverStatus: 200 }] });
    expect(receiver.received).toEqual([{ events: [expect.objectContaining({ type: 'approval.finished', instanceId, approved: false })] }]);
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'already_decided' } } });
  });

  it('withdraws a pending approval: terminate arrives as approval.withdrawn', async () => {
    const instanceId = await adapter.approvals.start(request);

    const withdrawal = await dingtalk.control('POST', `approvals/${instanceId}/withdraw`, {});

    expect(withdrawal).toMatchObject({ status: 200, body: { instanceId, status: 'withdrawn', delivered: true } });
    expect(receiver.received).toEqual([{ events: [expect.objectContaining({ type: 'approval.withdrawn', instanceId })] }]);
    expect(dingtalk.sandbox.approvals()[0]!.status).toBe('withdrawn');
  });

  it('answers 404 for an unknown approval and 400 for a body it cannot use', async () => {
    const instanceId = await adapter.approvals.start(request);

    await expect(dingtalk.control('POST', 'approvals/nope/decide', { approved: true })).resolves.toMatchObject({
      status: 404,
      body: { error: { code: 'unknown_approval' } },
    });
    for (const body of [{ approved: 'yes' }, { approved: true, deliveries: 6 }, { approved: true, deliveries: 0 }]) {
      await expect(dingtalk.control('POST', `approvals/${instanceId}/decide`, body)).resolves.toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_request' } },
      });
    }
    expect(receiver.received).toEqual([]);
  });

  it('reports a push the server did not acknowledge with the encrypted success as not delivered', async () => {
    const instanceId = await adapter.approvals.start(request);
    // The server's adapter is configured with another token: it refuses the signature and answers 401.
    adapter = dingtalk.adapter({ callback: { ...dingtalk.fixture.callback!, token: 'someOtherToken' } });

    const decision = await dingtalk.sandbox.decide(instanceId, true);

    expect(decision).toMatchObject({
      delivered: false,
      serverStatus: 401,
      deliveries: [{ delivered: false, serverStatus: 401, reason: 'the server answered HTTP 401' }],
    });
    expect(receiver.received).toEqual([{ error: expect.objectContaining({ code: 'BAD_SIGNATURE' }) }]);
  });

  it('adds a member: the fixture changes and user_add_org decrypts to contact.user_joined', async () => {
    const reply = await dingtalk.control('POST', 'org/users', {
      userId: 'rep0900',
      name: '郑爽',
      departmentIds: [22],
      hiredDate: '2025-01-06',
    });

    expect(reply).toEqual({ status: 200, body: { change: 'added', delivered: true, serverStatus: 200 } });
    expect(receiver.received).toEqual([
      { events: [{ type: 'contact.user_joined', userId: 'rep0900', eventId: expect.stringMatching(/^dingtalk:/), occurredAt: dingtalk.clock.now() }] },
    ]);
    await expect(adapter.directory.user('rep0900')).resolves.toEqual({
      userId: 'rep0900',
      name: '郑爽',
      departmentIds: ['22'],
      leaderOf: [],
      managerUserId: null,
      mobile: null,
      title: null,
      hiredDate: '2025-01-06',
    });
  });

  it('changes an existing member with user_modify_org and removes one with user_leave_org', async () => {
    const changed = await dingtalk.sandbox.addUser({ userId: 'rep0734', name: '孙悦', departmentIds: [22], leader: true });
    const removed = await dingtalk.control('DELETE', 'org/users/rep0733');

    expect(changed).toEqual({ change: 'updated', delivered: true, serverStatus: 200 });
    expect(removed).toEqual({ status: 200, body: { change: 'removed', delivered: true, serverStatus: 200 } });
    expect(receiver.received).toEqual([
      { events: [expect.objectContaining({ type: 'contact.user_updated', userId: 'rep0734' })] },
      { events: [expect.objectContaining({ type: 'contact.user_left', userId: 'rep0733' })] },
    ]);
    await expect(adapter.directory.user('rep0733')).resolves.toBeNull();
    await expect(adapter.directory.user('rep0734')).resolves.toMatchObject({ departmentIds: ['22'], leaderOf: ['22'], title: '销售代表' });
  });

  it('refuses org changes it cannot make', async () => {
    await expect(dingtalk.control('DELETE', 'org/users/nobody')).resolves.toMatchObject({
      status: 404,
      body: { error: { code: 'unknown_user' } },
    });
    await expect(dingtalk.control('POST', 'org/users', { userId: 'x1', name: '某', departmentIds: [999] })).resolves.toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
    await expect(dingtalk.control('POST', 'org/users', { userId: 'x1', departmentIds: [1] })).resolves.toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
    expect(receiver.received).toEqual([]);
  });
});

describe('DingTalk org changes without a callback URL', () => {
  it('still change the fixture and answer delivered: false', async () => {
    const dingtalk = await startDingTalk(treeFixture());
    try {
      await expect(dingtalk.control('POST', 'org/users', { userId: 'rep0901', name: '钱多', departmentIds: [30] })).resolves.toEqual({
        status: 200,
        body: { change: 'added', delivered: false },
      });
      expect(dingtalk.sandbox.org(dingtalk.fixture.corpId)!.users.map((user) => user.userId)).toContain('rep0901');
      // The caller's fixture is untouched: the sandbox changes its own copy.
      expect(dingtalk.fixture.users.map((user) => user.userId)).not.toContain('rep0901');
    } finally {
      await dingtalk.close();
    }
  });
});
