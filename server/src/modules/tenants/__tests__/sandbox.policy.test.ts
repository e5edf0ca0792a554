import { decideSandbox, demoRefusal, productionTenantRefusal } from '../sandbox.policy';

const none = { production: 0, demo: 0 };
const demo = { production: 0, demo: 2 };
const real = { production: 1, demo: 0 };
const both = { production: 1, demo: 2 };

describe('the sandbox decision (DESIGN §11: never beside a production tenant)', () => {
  it('mounts the sandbox for a database of demo tenants or none, unless it is switched off', () => {
    for (const tenants of [none, demo]) {
      expect(decideSandbox('auto', tenants)).toEqual({ ok: true, sandbox: true });
      expect(decideSandbox('on', tenants)).toEqual({ ok: true, sandbox: true });
      expect(decideSandbox('off', tenants)).toEqual({ ok: true, sandbox: false });
    }
  });

  it('keeps it off beside a production tenant when PLATFORM_SANDBOX is unset or off', () => {
    expect(decideSandbox('auto', real)).toEqual({ ok: true, sandbox: false });
    expect(decideSandbox('off', real)).toEqual({ ok: true, sandbox: false });
  });

  it('refuses to start with PLATFORM_SANDBOX=on beside a production tenant, saying why and what to do', () => {
    const decision = decideSandbox('on', both);
    expect(decision).toEqual({ ok: false, message: expect.stringContaining('PLATFORM_SANDBOX=on 不能用于这个数据库：其中已登记 1 个正式企业') });
    const { message } = decision as { message: string };
    expect(message).toContain('请去掉 PLATFORM_SANDBOX 或设为 off 后再启动');
    expect(message).toContain('DATA_DIR');
  });

  it('warns about demo tenants left beside a production one (a database from before the rule), sandbox off', () => {
    expect(decideSandbox('auto', both)).toEqual({ ok: true, sandbox: false, warning: expect.stringContaining('还有 2 个演示企业。沙箱已关闭') });
  });

  it('seeds the demo only where there is no production tenant', () => {
    expect(demoRefusal(none)).toBeUndefined();
    expect(demoRefusal(demo)).toBeUndefined();
    expect(demoRefusal(real)).toContain('不能在这个数据库里生成演示数据：其中已登记 1 个正式企业');
  });

  it('registers a production tenant only where there is no demo, and not while the sandbox is switched on', () => {
    expect(productionTenantRefusal('auto', none)).toBeUndefined();
    expect(productionTenantRefusal('off', real)).toBeUndefined();
    expect(productionTenantRefusal('auto', demo)).toContain('不能在这个数据库里登记正式企业：其中有演示数据（2 个演示企业）');
    expect(productionTenantRefusal('on', none)).toContain('不能在 PLATFORM_SANDBOX=on 时登记正式企业');
  });
});
