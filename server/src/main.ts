import { existsSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { buildApp } from './app';
import { createDb } from './db/create-db';
import { migrateToLatest, pendingMigrations } from './db/migrate';
import { demoOrgFixtures } from './demo/demo-org';
import { seedDemo } from './demo/seed-demo';
import type { Job } from './jobs/job';
import { startScheduler } from './jobs/scheduler';
import { chainMissing } from './modules/evidence/evidence.service';
import { assignmentExpiryJob } from './modules/assignments/jobs/assignment-expiry.job';
import { idempotencyExpiryJob } from './http/idempotency-expiry.job';
import { rateLimitsPruneJob } from './http/rate-limits-prune.job';
import { dashboardDigestJob } from './modules/dashboard/jobs/dashboard-digest.job';
import { dashboardCheckpointJob } from './modules/dashboard/jobs/dashboard-checkpoint.job';
import { dashboardSnapshotJob } from './modules/dashboard/jobs/dashboard-snapshot.job';
import { evidenceHeadJob } from './modules/evidence/jobs/evidence-head.job';
import { outboxDispatchJob } from './modules/notify/jobs/outbox-dispatch.job';
import { orgSyncJob } from './modules/org/jobs/org-sync.job';
import { handoverExpiryJob } from './modules/org/jobs/handover-expiry.job';
import { reclaimRemindersJob } from './modules/reclaim/jobs/reclaim-reminders.job';
import { reclaimSweepJob } from './modules/reclaim/jobs/reclaim-sweep.job';
import { CJK_FONT_INSTALL_COMMAND, cjkFontAvailable } from './modules/evidence/watermark';
import { handlePlatformEvents } from './modules/integrations/platform-events.service';
import { syncTenantOrg } from './modules/org/org-sync.service';
import { createSandboxes } from './platform/registry';
import { installProcessGuards } from './process-guards';
import { Readiness } from './http/readiness';
import { sealPlainRobotTokens } from './modules/notify/robot-tokens.service';
import { decideSandbox } from './modules/tenants/sandbox.policy';
import { countTenantsByKind, listTenants } from './modules/tenants/tenants.repository';
import { createRuntime, loadConfigOrExit } from './runtime';

/**
 * `npm start`: migrate (SQLite; MySQL only with MIGRATE_ON_START=on, otherwise refuse an out-of-date schema), decide
 * the sandbox from the database, seed the demo once (sandbox mode), serve API + sandboxes on PORT; `/healthz` says
 * ready once the jobs are scheduled.
 */
async function main(): Promise<void> {
  installProcessGuards();
  const config = loadConfigOrExit();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`公海 Gonghai 正在启动（数据库：${config.database.dialect === 'sqlite' ? `SQLite ${config.database.file}` : 'MySQL'}）…`);
  const db = createDb(config.database);
  // On MySQL the migration is a deploy step (`npm run migrate`, DESIGN §10); MIGRATE_ON_START=on runs the same locked one.
  if (config.migrateOnStart) {
    const applied = await migrateToLatest(db);
    if (applied.length) say(`  已执行 ${applied.length} 个数据库迁移`);
  } else {
    const pending = await pendingMigrations(db);
    if (pending.length > 0) {
      await db.destroy();
      throw new Error(`数据库结构不是最新（缺少 ${pending.length} 个迁移）：请先运行 npm run migrate（或设置 MIGRATE_ON_START=on 让启动时迁移）`);
    }
  }
  // The sandboxes and the demo never sit beside a real company (DESIGN §11): the database decides, and
  // PLATFORM_SANDBOX=on beside a production tenant stops the start.
  const decision = decideSandbox(config.sandbox, await countTenantsByKind(db));
  if (!decision.ok) {
    await db.destroy();
    throw new Error(decision.message);
  }
  if (decision.warning) say(decision.warning);
  warnIfDataDirIsOpen(config.dataDir, say);
  const deps = createRuntime({ config, db, sandbox: decision.sandbox });
  const { logger } = deps;
  const sealed = await sealPlainRobotTokens(db, deps.secrets);
  if (sealed > 0) say(`  已加密保存 ${sealed} 处明文的群机器人 Token`);
  // /healthz answers 503 with the reason until the demo is seeded and the jobs are scheduled (DESIGN §9).
  const readiness = new Readiness(decision.sandbox ? '正在生成演示数据，请稍候再试' : '正在启动，请稍候再试');
  const sandboxes = decision.sandbox
    ? createSandboxes(demoOrgFixtures(deps.clock.now(), config.timeZone, () => config.publicBaseUrl), deps.clock)
    : undefined;
  const app = buildApp(deps, { sandboxes, readiness });
  // Other instances' changes to rules, memberships and users reach this one's caches within a poll (db/change-stamps.ts).
  deps.stamps.start((err) => logger.warn({ err }, 'change stamp poll failed'));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  });
  const url = `http://localhost:${config.port}`;
  if (decision.sandbox) {
    // The demo org arrives the production way, through a directory sync from the (sandboxed) platform.
    const seeded = await seedDemo(db, { secrets: deps.secrets, now: deps.clock.now(), syncOrg: (id) => syncTenantOrg(deps, id, say), evidence: deps.evidence, log: say });
    for (const t of seeded.tenants) say(`  演示企业 ${t.id}：${t.customers} 个客户（公海 ${t.poolCustomers}，已领取 ${t.owned}）`);
  }
  readiness.waitFor('正在启动后台任务，请稍候再试');
  // Tenants without a public callback URL receive their events over DingTalk Stream mode, through the same handlers.
  const closeStreams = await deps.platforms.openEventStreams(
    async (tenantId, events) => handlePlatformEvents(deps, tenantId, await deps.platforms.adapterFor(tenantId), events),
    (tenantId, err) => logger.error({ err, tenantId }, 'DingTalk Stream connection failed'),
  );
  // A crash between a visit's commit and its chain entry leaves the row unchained: chain it now.
  for (const tenant of await listTenants(db)) {
    const appended = await chainMissing(db, deps.evidence, tenant.id, deps.clock.now());
    if (appended > 0) say(`  企业 ${tenant.id}：补记了 ${appended} 条存证`);
  }
  // Every background job, in one list (DESIGN §10); the scheduler fires each per tenant zone or server-wide as it says.
  const jobs: Job[] = [reclaimSweepJob, reclaimRemindersJob, outboxDispatchJob, orgSyncJob, evidenceHeadJob, assignmentExpiryJob, dashboardSnapshotJob, dashboardCheckpointJob, dashboardDigestJob, idempotencyExpiryJob, rateLimitsPruneJob, handoverExpiryJob];
  const stopJobs = config.jobs ? startScheduler(deps, jobs) : () => undefined;
  readiness.ready();
  say(`公海已就绪：${url}  （健康检查 ${url}/healthz）`);
  if (decision.sandbox) {
    say(`演示登录：打开 ${url} 查看步骤，或：curl -s -X POST ${url}/sandbox/dingtalk/_control/login-code -H 'content-type: application/json' -d '{"corpId":"dingdemo","userId":"rep01"}'，再把返回的 code 交给 POST ${url}/api/v1/auth/login {"platform":"dingtalk","corpId":"dingdemo","code":"…"}`);
  }
  if (!cjkFontAvailable()) {
    say(`注意：没有找到中文字体，照片水印无法生成，上传照片会失败。请先安装：${CJK_FONT_INSTALL_COMMAND}`);
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    stopJobs();
    deps.stamps.stop();
    closeStreams();
    server.close(() => {
      void db.destroy().then(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** DATA_DIR holds the database, the secrets and the photos: say so when other users can read it (older installs). */
function warnIfDataDirIsOpen(dataDir: string, say: (line: string) => void): void {
  if (existsSync(dataDir) && (statSync(dataDir).mode & 0o077) !== 0) {
    say(`注意：数据目录 ${dataDir} 其他用户也能访问，而其中有数据库、密钥和照片。请运行：chmod -R go-rwx ${dataDir}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`公海启动失败：${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
