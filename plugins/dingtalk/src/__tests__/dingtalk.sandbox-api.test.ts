import { listenOnEphemeralPort } from '@gonghai/plugin-core';
import Koa from 'koa';
import { treeFixture } from './fixtures';
import { startDingTalk, type DingTalkHarness } from './harness';

describe('DingTalk sandbox vendor shapes', () => {
  let dingtalk: DingTalkHarness;

  beforeEach(async () => {
    dingtalk = await startDingTalk();
  });

  afterEach(async () => {
    await dingtalk.close();
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${dingtalk.baseUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  async function token(): Promise<string> {
    const { body } = await call('GET', `/gettoken?appkey=${dingtalk.fixture.app.appKey}&appsecret=${dingtalk.fixture.app.appSecret}`);
    return body.access_token as string;
  }

  it('pages user/list with has_more and next_cursor, and refuses a size over 100', async () => {
    const accessToken = await token();

    const first = await call('POST', `/topapi/v2/user/list?access_token=${accessToken}`, { dept_id: 21, cursor: 0, size: 3 });
    const last = await call('POST', `/topapi/v2/user/list?access_token=${accessToken}`, { dept_id: 21, cursor: 3, size: 3 });
    const tooBig = await call('POST', `/topapi/v2/user/list?access_token=${accessToken}`, { dept_id: 21, cursor: 0, size: 101 });

    expect(first.body).toMatchObject({ errcode: 0, result: { has_more: true, next_cursor: 3 } });
    expect(first.body.result.list.map((user: { userid: string }) => user.userid)).toEqual(['mgr0211', 'rep0733', 'rep0734']);
    expect(first.body.result.list[0]).toMatchObject({ userid: 'mgr0211', leader: true, dept_id_list: [21], hired_date: Date.parse('2019-11-29T16:00:00Z') });
    expect(last.body.result).toEqual({ has_more: false, list: [expect.objectContaining({ userid: 'rep0735', leader: false })] });
    expect(tooBig.body).toMatchObject({ errcode: 400002 });
  });

  it('answers listsub one level deep, 60003 for an unknown department and 40014 without a token', async () => {
    const accessToken = await token();

    const children = await call('POST', `/topapi/v2/department/listsub?access_token=${accessToken}`, { dept_id: 20 });
    const missing = await call('POST', `/topapi/v2/department/listsub?access_token=${accessToken}`, { dept_id: 404 });
    const anonymous = await call('POST', '/topapi/v2/department/listsub', { dept_id: 1 });

    expect(children.body.result).toEqual([
      { dept_id: 21, name: '上海', parent_id: 20, create_dept_group: false, auto_add_user: false },
      { dept_id: 22, name: '杭州', parent_id: 20, create_dept_group: false, auto_add_user: false },
    ]);
    expect(missing.body).toMatchObject({ errcode: 60003 });
    expect(anonymous.body).toMatchObject({ errcode: 40014 });
  });

  it('issues v1.0 tokens in camelCase and refuses a wrong secret with HTTP 400 invalid.client', async () => {
    const { appKey, appSecret } = dingtalk.fixture.app;

    await expect(call('POST', '/v1.0/oauth2/accessToken', { appKey, appSecret })).resolves.toEqual({
      status: 200,
      body: { accessToken: expect.stringMatching(/^[0-9a-f]{32}$/), expireIn: 7200 },
    });
    await expect(call('POST', '/v1.0/oauth2/accessToken', { appKey, appSecret: 'nope' })).resolves.toMatchObject({
      status: 400,
      body: { code: 'invalid.client' },
    });
  });

  it('takes the v1.0 token only from the x-acs-dingtalk-access-token header', async () => {
    const accessToken = await token();
    const body = { processCode: dingtalk.fixture.approvalTemplateIds![0], originatorUserId: 'mgr0201', formComponentValues: [{ name: '新人', value: '李娜' }] };

    const inQuery = await call('POST', `/v1.0/workflow/processInstances?access_token=${accessToken}`, body);
    const inHeader = await call('POST', '/v1.0/workflow/processInstances', body, { 'x-acs-dingtalk-access-token': accessToken });

    expect(inQuery).toMatchObject({ status: 400, body: { code: 'InvalidAuthentication', message: '不合法的access_token' } });
    expect(inHeader).toEqual({ status: 200, body: { instanceId: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
  });

  it('answers a planned errcode on a v1.0 path the v1.0 way, which the adapter maps to RATE_LIMITED', async () => {
    await dingtalk.control('POST', 'faults', { path: '/v1.0/workflow/processInstances', times: 1, errcode: 90018 });

    await expect(
      dingtalk.adapter().approvals.start({ originatorUserId: 'mgr0201', title: 't', fields: [{ name: '新人', value: '李娜' }] }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED', vendorCode: 'Forbidden.AccessDenied.QpsLimitForApi' });
  });

  it('refuses form values that are not strings, as the v1.0 model types them', async () => {
    const accessToken = await token();
    const body = { processCode: dingtalk.fixture.approvalTemplateIds![0], originatorUserId: 'mgr0201', formComponentValues: [{ name: '客户数', value: 12 }] };

    await expect(call('POST', '/v1.0/workflow/processInstances', body, { 'x-acs-dingtalk-access-token': accessToken })).resolves.toMatchObject({
      status: 400,
      body: { code: 'invalidParameter.formComponentValues' },
    });
  });

  it('does not count a plain-text "success" as an acknowledged push', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = 'success';
    });
    const naive = await listenOnEphemeralPort(app.callback());
    const withCallback = await startDingTalk(treeFixture(() => naive.origin));
    try {
      await expect(withCallback.sandbox.removeUser('rep0811')).resolves.toEqual({
        change: 'removed',
        delivered: false,
        serverStatus: 200,
        reason: 'the server did not answer JSON',
      });
    } finally {
      await withCallback.close();
      await naive.close();
    }
  });
});
