import { AmapGeocoder } from '../../../../geo/amap-geocoder';
import { SandboxGeocoder } from '../../../../geo/sandbox-geocoder';
import { dialects } from '../../../../../test/databases';
import { startHarness, type Harness } from '../../../../../test/harness';
import { setGeocoderKey } from '../../../tenants/geocoder-key.service';
import { geocoderForTenant } from '../import-geocoder';

const T = 'demo-dingtalk';

describe.each(dialects)('the geocoder of a tenant on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(() => h.close());

  it('is the sandbox for a demo tenant, AMap with the sealed key for a production one, none without a key', async () => {
    const { db, secrets, config } = h.deps;
    expect(await geocoderForTenant(h.deps, T)).toBeInstanceOf(SandboxGeocoder);
    await db.updateTable('tenants').set({ kind: 'production' }).where('id', '=', T).execute();
    try {
      const off = { db, secrets, config: { ...config, sandbox: 'off' as const } };
      expect(await geocoderForTenant(off, T)).toBeNull();
      await expect(setGeocoderKey(db, secrets, T, 'not a key!')).rejects.toMatchObject({ status: 400 });
      await setGeocoderKey(db, secrets, T, '0123456789abcdef0123456789abcdef');
      const row = await db.selectFrom('tenants').select('settings').where('id', '=', T).executeTakeFirstOrThrow();
      const stored = JSON.parse(row.settings);
      // Sealed, and the other settings kept.
      expect(stored.geocoder.provider).toBe('amap');
      expect(stored.geocoder.sealedKey).not.toContain('0123456789abcdef');
      expect(secrets.open(stored.geocoder.sealedKey)).toBe('0123456789abcdef0123456789abcdef');
      expect(stored.approvalTemplateId).toBeDefined();
      expect(await geocoderForTenant(off, T)).toBeInstanceOf(AmapGeocoder);
    } finally {
      await db.updateTable('tenants').set({ kind: 'demo' }).where('id', '=', T).execute();
    }
  });
});
