import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import { isSealedBot, openBot, type StoredBotRef } from '../../notify/robot-ref';
import { parseRobot, updateTenantSettings } from '../tenant-settings.service';
import { newTenant, registerTenant } from '../tenants.service';

const T = 'acme';
const DING = 'https://oapi.dingtalk.com/robot/send?access_token=0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const SECRET = 'SEC0123456789abcdef0123456789abcdef';
const WECOM = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

describe('parseRobot', () => {
  it('takes the token from a DingTalk or WeCom webhook address, a DingTalk 加签 secret after a comma, or a bare token', () => {
    expect(parseRobot(`${DING},${SECRET}`)).toEqual({ token: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', secret: SECRET });
    expect(parseRobot(WECOM)).toEqual({ token: '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa' });
    expect(parseRobot(' 0f1e2d3c4b5a69788796a5b4c3d2e1f0 ')).toEqual({ token: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' });
  });

  it('refuses an address without a token, a malformed token or secret, in Chinese', () => {
    expect(() => parseRobot('https://oapi.dingtalk.com/robot/send')).toThrow('机器人地址里没有 access_token（钉钉）或 key（企业微信）：请复制完整的 Webhook 地址。');
    expect(() => parseRobot('abc')).toThrow('机器人令牌「abc」格式不对');
    expect(() => parseRobot(`${DING},notasecret`)).toThrow('钉钉机器人加签密钥应以 SEC 开头（在机器人安全设置「加签」处复制）。');
  });
});

describe.each(dialects)('npm run tenant -- set (updateTenantSettings) on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect, { seed: false });
    const acme = newTenant.parse({ id: T, name: '阿克米贸易', platform: 'dingtalk', corpId: 'dingacme', appKey: 'dingacme', appSecret: 'acme-secret', agentId: '1000005' });
    await registerTenant(h.db, h.deps.secrets, acme, h.clock.now(), { sandbox: 'auto' });
  });
  afterAll(() => h.close());

  const stored = async () => JSON.parse((await h.db.selectFrom('tenants').select('settings').where('id', '=', T).executeTakeFirstOrThrow()).settings);

  it('sets the approval template and adds robots sealed, once each, keeping the other settings', async () => {
    const before = await stored();
    const result = await updateTenantSettings(h.db, h.deps.secrets, T, { approvalTemplateId: 'PROC-ASSIGN', addRobots: [`${DING},${SECRET}`, WECOM, DING] });
    expect(result).toEqual({ approvalTemplateId: 'PROC-ASSIGN', robots: 2, departurePolicy: 'pool', appealDays: 3 });
    const after = await stored();
    expect({ ...after, approvalTemplateId: undefined, poolReturnBots: undefined }).toEqual({ ...before, approvalTemplateId: undefined, poolReturnBots: undefined });
    const bots = after.poolReturnBots as StoredBotRef[];
    expect(bots.every(isSealedBot)).toBe(true);
    expect(JSON.stringify(bots)).not.toContain('0f1e2d3c4b5a');
    expect(bots.map((b) => openBot(h.deps.secrets, b))).toEqual([{ token: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', secret: SECRET }, { token: '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa' }]);

    // The same robot again changes nothing; other settings change alone.
    expect((await updateTenantSettings(h.db, h.deps.secrets, T, { addRobots: [WECOM] })).robots).toBe(2);
    expect(await updateTenantSettings(h.db, h.deps.secrets, T, { departurePolicy: 'successor', appealDays: 5 })).toEqual({ approvalTemplateId: 'PROC-ASSIGN', robots: 2, departurePolicy: 'successor', appealDays: 5 });
    expect((await updateTenantSettings(h.db, h.deps.secrets, T, { clearRobots: true, addRobots: [WECOM] })).robots).toBe(1);
    expect((await stored()).poolReturnBots).toHaveLength(1);
  });

  it('refuses nothing to change, bad values and an unknown tenant, writing nothing', async () => {
    const before = await stored();
    await expect(updateTenantSettings(h.db, h.deps.secrets, T, {})).rejects.toThrow('没有要修改的设置');
    await expect(updateTenantSettings(h.db, h.deps.secrets, T, { departurePolicy: 'boss' as 'pool' })).rejects.toThrow('离职客户去向只能是 pool（退回公海）、manager（转给上级）或 successor（上级指定交接人）');
    await expect(updateTenantSettings(h.db, h.deps.secrets, T, { appealDays: 99 })).rejects.toThrow('申诉期最多 30 天');
    await expect(updateTenantSettings(h.db, h.deps.secrets, T, { appealDays: 0 })).rejects.toThrow('申诉期至少 1 天');
    await expect(updateTenantSettings(h.db, h.deps.secrets, T, { approvalTemplateId: 'X', addRobots: ['abc'] })).rejects.toThrow('格式不对');
    await expect(updateTenantSettings(h.db, h.deps.secrets, 'nobody', { approvalTemplateId: 'X' })).rejects.toMatchObject({ status: 404, message: '企业「nobody」不存在：用 npm run tenant -- list 查看已登记的企业。' });
    expect(await stored()).toEqual(before);
  });
});
