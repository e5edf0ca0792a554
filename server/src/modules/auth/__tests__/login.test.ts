import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';

describe.each(dialects)('platform login on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(() => h.close());

  async function mint(vendor: 'dingtalk' | 'wecom', corpId: string, userId: string, channel?: 'miniprogram' | 'oauth'): Promise<string> {
    const res = await h.request('POST', `/sandbox/${vendor}/_control/login-code`, { body: { corpId, userId, channel } });
    expect(res.status).toBe(200);
    expect(typeof res.body.code).toBe('string');
    return res.body.code as string;
  }

  it('exchanges a DingTalk login code once for a JWT of that user', async () => {
    const code = await mint('dingtalk', 'dingdemo', 'rep01');
    const first = await h.request('POST', '/api/v1/auth/login', { body: { platform: 'dingtalk', corpId: 'dingdemo', code } });
    expect(first.status).toBe(200);
    expect(first.body.user).toEqual({ id: 'rep01', name: '张伟', roles: ['rep'], departmentIds: ['21'] });
    expect(first.body.token.split('.')).toHaveLength(3);
    const mine = await h.request('GET', '/api/v1/me/customers', { token: first.body.token });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(40);

    const again = await h.request('POST', '/api/v1/auth/login', { body: { platform: 'dingtalk', corpId: 'dingdemo', code } });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_code');
    expect(again.body.error.message).toMatch(/登录码/);
  });

  it('exchanges a WeCom login code and gives managers their role', async () => {
    const code = await mint('wecom', 'wwdemo', 'mgr-east');
    const res = await h.request('POST', '/api/v1/auth/login', { body: { platform: 'wecom', corpId: 'wwdemo', code } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: 'mgr-east', roles: ['manager'], departmentIds: ['2'] });
    expect(res.body.tenant).toEqual({ id: 'demo-wecom', name: '公海演示（企业微信）', platform: 'wecom' });
  });

  it('exchanges a WeCom H5 OAuth code when the login says it came through OAuth', async () => {
    const code = await mint('wecom', 'wwdemo', 'rep03', 'oauth');
    const res = await h.request('POST', '/api/v1/auth/login', { body: { platform: 'wecom', corpId: 'wwdemo', code, channel: 'oauth' } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: 'rep03', roles: ['rep'] });
    expect(res.body.tenant.id).toBe('demo-wecom');
  });

  it('refuses a WeCom code sent as the other channel with 401 invalid_code, not a 500', async () => {
    // The old behaviour: every code went to jscode2session, an OAuth code among them.
    const oauthCode = await mint('wecom', 'wwdemo', 'rep04', 'oauth');
    const asMiniProgram = await h.request('POST', '/api/v1/auth/login', { body: { platform: 'wecom', corpId: 'wwdemo', code: oauthCode } });
    expect(asMiniProgram.status).toBe(401);
    expect(asMiniProgram.body.error.code).toBe('invalid_code');
    expect(asMiniProgram.body.error.message).toMatch(/登录码无效/);

    const miniProgramCode = await mint('wecom', 'wwdemo', 'rep04');
    const asOAuth = await h.request('POST', '/api/v1/auth/login', {
      body: { platform: 'wecom', corpId: 'wwdemo', code: miniProgramCode, channel: 'oauth' },
    });
    expect(asOAuth.status).toBe(401);
    expect(asOAuth.body.error.code).toBe('invalid_code');

    // Neither refusal spent the code: each still logs in through its own channel.
    const rightly = await h.request('POST', '/api/v1/auth/login', {
      body: { platform: 'wecom', corpId: 'wwdemo', code: oauthCode, channel: 'oauth' },
    });
    expect(rightly.status).toBe(200);
    expect(rightly.body.user.id).toBe('rep04');
  });

  it('refuses a visitor from outside the WeCom corp with 403 not_a_member', async () => {
    const minted = await h.control('wecom', 'POST', 'login-code', { corpId: 'wwdemo', channel: 'oauth', nonMember: true });
    expect(minted.status).toBe(200);
    const res = await h.request('POST', '/api/v1/auth/login', {
      body: { platform: 'wecom', corpId: 'wwdemo', code: minted.body.code, channel: 'oauth' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ code: 'not_a_member', message: expect.stringMatching(/不是本企业的成员.*管理员/) });
  });

  it('takes a DingTalk code with either channel: DingTalk exchanges both alike', async () => {
    for (const channel of ['miniprogram', 'oauth'] as const) {
      const code = await mint('dingtalk', 'dingdemo', 'rep05', channel);
      const res = await h.request('POST', '/api/v1/auth/login', { body: { platform: 'dingtalk', corpId: 'dingdemo', code, channel } });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe('rep05');
    }
  });

  it('refuses a channel it does not know with 400 naming the field', async () => {
    const res = await h.request('POST', '/api/v1/auth/login', { body: { platform: 'wecom', corpId: 'wwdemo', code: 'x', channel: 'qrcode' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.message).toMatch(/channel/);
  });

  it('refuses a code older than five minutes with 401 invalid_code', async () => {
    for (const [vendor, corpId] of [['dingtalk', 'dingdemo'], ['wecom', 'wwdemo']] as const) {
      const code = await mint(vendor, corpId, 'rep02');
      h.clock.advance(5 * 60 * 1000 + 1000);
      const res = await h.request('POST', '/api/v1/auth/login', { body: { platform: vendor, corpId, code } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_code');
    }
  });

  it('refuses made-up codes, unknown corps and malformed bodies', async () => {
    const bad = await h.request('POST', '/api/v1/auth/login', { body: { platform: 'wecom', corpId: 'wwdemo', code: 'not-a-code' } });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_code');
    const corp = await h.request('POST', '/api/v1/auth/login', { body: { platform: 'dingtalk', corpId: 'nobody', code: 'x' } });
    expect(corp.status).toBe(401);
    // An unknown corp answers exactly as a wrong code does: no way to probe which corps are registered.
    expect(corp.body).toEqual(bad.body);
    const shape = await h.request('POST', '/api/v1/auth/login', { body: { platform: 'feishu', corpId: 'x', code: 'y' } });
    expect(shape.status).toBe(400);
    expect(shape.body.error.code).toBe('invalid_request');
    const notJson = await h.request('POST', '/api/v1/auth/login', { body: '{oops', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(JSON.stringify(notJson.body)).not.toMatch(/at .*\.ts/);
  });

  it('answers 401 without a token and with a forged one', async () => {
    const none = await h.request('GET', '/api/v1/me/customers');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthenticated');
    const forged = await h.request('GET', '/api/v1/me/customers', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZXAwMSJ9.x' });
    expect(forged.status).toBe(401);
  });

  it("never lets one tenant's token read another tenant's customer", async () => {
    const wecomCustomer = await h.db
      .selectFrom('customers')
      .select(['id', 'owner_id'])
      .where('tenant_id', '=', 'demo-wecom')
      .where('owner_id', '=', 'rep01')
      .executeTakeFirstOrThrow();
    const dingToken = await h.tokenFor('demo-dingtalk', 'rep01');
    const adminToken = await h.tokenFor('demo-dingtalk', 'admin01');
    for (const token of [dingToken, adminToken]) {
      const res = await h.request('GET', `/api/v1/customers/${wecomCustomer.id}`, { token });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      const claim = await h.request('POST', `/api/v1/customers/${wecomCustomer.id}/claim`, { token, body: {} });
      expect(claim.status).toBe(404);
    }
    const own = await h.request('GET', `/api/v1/customers/${wecomCustomer.id}`, { token: await h.tokenFor('demo-wecom', 'rep01') });
    expect(own.status).toBe(200);
    expect(own.body.customer.ownerId).toBe('rep01');
  });

  it('reports health', async () => {
    const res = await h.request('GET', '/healthz');
    expect(res).toMatchObject({ status: 200, body: { ok: true, db: 'ok' } });
  });
});
