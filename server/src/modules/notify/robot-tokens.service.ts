import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/create-db';
import { listTenantSettings, replaceTenantSettings } from '../tenants/tenants.repository';
import type { StoredOutboxTarget } from './outbox';
import { plainRobotOutboxRows, replaceOutboxTarget } from './outbox.repository';
import { isSealedBot, sealBot, type StoredBotRef } from './robot-ref';

const page = 500;

/**
 * Seals the robot tokens stored in plain text before they were sealed (DESIGN §15): in tenant settings and in outbox
 * rows of any status. A migration cannot do it, since sealing needs MASTER_KEY, so the server runs this at start-up;
 * it is idempotent, and readers accept both forms meanwhile. Returns how many robots it sealed.
 */
export async function sealPlainRobotTokens(db: Db, secrets: SecretBox): Promise<number> {
  let sealed = 0;
  for (const tenant of await listTenantSettings(db)) {
    const settings = JSON.parse(tenant.settings) as { poolReturnBots?: StoredBotRef[] };
    const plain = (settings.poolReturnBots ?? []).filter((bot) => !isSealedBot(bot)).length;
    if (plain === 0) continue;
    const poolReturnBots = settings.poolReturnBots!.map((bot) => (isSealedBot(bot) ? bot : sealBot(secrets, bot)));
    await replaceTenantSettings(db, tenant.id, tenant.settings, JSON.stringify({ ...settings, poolReturnBots }));
    sealed += plain;
  }
  for (let afterId = 0; ; ) {
    const rows = await plainRobotOutboxRows(db, afterId, page);
    for (const row of rows) {
      const target = JSON.parse(row.target) as StoredOutboxTarget;
      if (target.kind !== 'bot' || isSealedBot(target.bot)) continue;
      await replaceOutboxTarget(db, row.id, row.target, JSON.stringify({ kind: 'bot', bot: sealBot(secrets, target.bot) }));
      sealed += 1;
    }
    if (rows.length < page) break;
    afterId = rows[rows.length - 1]!.id;
  }
  return sealed;
}
