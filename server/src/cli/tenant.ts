import { parseArgs } from 'node:util';
import { ZodError } from 'zod';
import { migrateToLatest } from '../db/migrate';
import { AppError } from '../errors';
import { syncTenantOrg } from '../modules/org/org-sync.service';
import { listTenants, newTenant, registerTenant } from '../modules/tenants/tenants.service';
import { createDb } from '../db/create-db';
import { decideSandbox } from '../modules/tenants/sandbox.policy';
import { setGeocoderKey } from '../modules/tenants/geocoder-key.service';
import { updateTenantSettings } from '../modules/tenants/tenant-settings.service';
import { countTenantsByKind } from '../modules/tenants/tenants.repository';
import { createRuntime, loadConfigOrExit } from '../runtime';

const usage = `用法：
  npm run tenant -- add --id <编号> --name <名称> --platform dingtalk|wecom --corp-id <CorpId>
                        --app-key <AppKey> --app-secret <Secret> --agent-id <AgentId>
                        [--callback-token <Token> --callback-aes-key <43位EncodingAESKey>]
                        [--time-zone Asia/Shanghai] [--approval-template <模板编号>] [--departure-policy pool|manager|successor]
                                                              离职客户去向：pool 退回公海；manager 转给其上级；
                                                              successor 由上级在 72 小时内指定交接人，逾期退回公海
                        [--event-transport callback|stream]   钉钉没有公网回调地址时用 stream
                        [--assignment-hold-hours 72]          人事分配审批的最长等待时间，过期释放预留的客户
                        [--h5-origin https://crm.example.com]  H5 页面所在的域名（可重复），JS-SDK 签名只签这些域名和 PUBLIC_BASE_URL
                        [--admin <UserID>]                    首批管理员（可重复），同步组织架构时授予；企业微信没有接口
                                                              说明谁是管理员，必须指定；钉钉的管理员自动成为管理员
  npm run tenant -- list
  npm run tenant -- sync <编号>      从钉钉/企业微信全量同步组织架构（离职员工的客户随之处理）
  npm run tenant -- set-geocoder <编号> --amap-key <Key>   导入客户时按地址定位用的高德 Web 服务 Key
  npm run tenant -- set <编号> [--approval-template <模板编号>] [--robot <Webhook地址>[,<SEC加签密钥>]]…
                        [--clear-robots] [--departure-policy pool|manager|successor] [--appeal-days 3]
                                     登记后修改设置：人事分配审批模板、接收每晚回收汇总的群机器人（可重复，
                                     --clear-robots 先清空）、离职客户去向、回收申诉期限（天）

密钥（AppSecret、回调 Token、EncodingAESKey）用 MASTER_KEY 加密后保存。
正式企业只能登记在没有演示数据的数据库里（演示请另用一个 DATA_DIR）。`;

/** `npm run tenant -- …`: register a tenant's platform app, list tenants, run a full org sync. */
async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (!['add', 'list', 'sync', 'set', 'set-geocoder'].includes(command)) throw new AppError(400, 'invalid_request', `未知命令「${command}」。\n${usage}`);
  const config = loadConfigOrExit();
  const db = createDb(config.database);
  try {
    await migrateToLatest(db);
    // A sync talks to the platform: to the sandbox only where npm start would (sandbox.policy.ts).
    const decision = decideSandbox(config.sandbox, await countTenantsByKind(db));
    if (!decision.ok && command === 'sync') throw new AppError(409, 'sandbox_refused', decision.message);
    const deps = createRuntime({ config, db, sandbox: decision.ok && decision.sandbox });
    if (command === 'add') {
      const single = ['id', 'name', 'platform', 'corp-id', 'app-key', 'app-secret', 'agent-id', 'callback-token', 'callback-aes-key', 'time-zone', 'approval-template', 'departure-policy', 'event-transport', 'assignment-hold-hours'];
      // Typed loosely on purpose: every value is checked by the newTenant schema right below.
      const { values } = parseArgs({
        args: rest,
        strict: true,
        options: {
          ...Object.fromEntries(single.map((name) => [name, { type: 'string' as const }])),
          'h5-origin': { type: 'string', multiple: true },
          admin: { type: 'string', multiple: true },
        },
      }) as unknown as { values: Record<string, string | undefined> & { 'h5-origin'?: string[]; admin?: string[] } };
      const input = newTenant.parse({
        id: values.id,
        name: values.name,
        platform: values.platform,
        corpId: values['corp-id'],
        appKey: values['app-key'],
        appSecret: values['app-secret'],
        agentId: values['agent-id'],
        callbackToken: values['callback-token'],
        callbackAesKey: values['callback-aes-key'],
        timeZone: values['time-zone'],
        approvalTemplateId: values['approval-template'],
        departurePolicy: values['departure-policy'],
        eventTransport: values['event-transport'],
        assignmentHoldHours: values['assignment-hold-hours'],
        h5Origins: values['h5-origin'],
        admins: values.admin,
      });
      const tenant = await registerTenant(deps.db, deps.secrets, input, deps.clock.now(), { sandbox: config.sandbox });
      process.stdout.write(`已登记企业 ${tenant.id}（${tenant.name}，${tenant.platform} ${tenant.corpId}）；密钥已加密保存。\n`);
      const admins = tenant.settings.firstAdmins ?? [];
      if (admins.length > 0) process.stdout.write(`首批管理员：${admins.join('、')}（同步组织架构时授予）。\n`);
      else if (tenant.platform === 'wecom') process.stdout.write('注意：没有指定管理员（--admin <UserID>），企业微信同步后没有人能管理公海。\n');
      process.stdout.write(`下一步：npm run tenant -- sync ${tenant.id} 同步组织架构。\n`);
    } else if (command === 'set-geocoder') {
      const { values, positionals } = parseArgs({ args: rest, strict: true, allowPositionals: true, options: { 'amap-key': { type: 'string' } } });
      if (positionals[0] === undefined || values['amap-key'] === undefined) throw new AppError(400, 'invalid_request', `请给出企业编号和 --amap-key。\n${usage}`);
      await setGeocoderKey(deps.db, deps.secrets, positionals[0], values['amap-key']);
      process.stdout.write(`已保存企业 ${positionals[0]} 的高德 Key（已加密）；导入客户时没有经纬度的行按地址定位。\n`);
    } else if (command === 'set') {
      const { values, positionals } = parseArgs({
        args: rest,
        strict: true,
        allowPositionals: true,
        options: {
          'approval-template': { type: 'string' },
          robot: { type: 'string', multiple: true },
          'clear-robots': { type: 'boolean' },
          'departure-policy': { type: 'string' },
          'appeal-days': { type: 'string' },
        },
      });
      const tenantId = positionals[0];
      if (tenantId === undefined) throw new AppError(400, 'invalid_request', `请给出企业编号。\n${usage}`);
      const days = values['appeal-days'];
      if (days !== undefined && !/^\d+$/.test(days)) throw new AppError(400, 'invalid_request', `--appeal-days 应为整数天数（1 到 30），收到「${days}」。`);
      const result = await updateTenantSettings(deps.db, deps.secrets, tenantId, {
        approvalTemplateId: values['approval-template'],
        addRobots: values.robot ?? [],
        clearRobots: values['clear-robots'] ?? false,
        departurePolicy: values['departure-policy'] as 'pool' | 'manager' | 'successor' | undefined,
        appealDays: values['appeal-days'] === undefined ? undefined : Number(values['appeal-days']),
      });
      process.stdout.write(
        `已更新企业 ${tenantId} 的设置：审批模板 ${result.approvalTemplateId ?? '未设置'}；回收汇总群机器人 ${result.robots} 个（令牌已加密）；` +
          `离职客户去向 ${result.departurePolicy}；申诉期限 ${result.appealDays ?? 3} 天。\n`,
      );
    } else if (command === 'list') {
      const tenants = await listTenants(deps.db);
      if (tenants.length === 0) process.stdout.write('还没有登记任何企业。\n');
      for (const t of tenants) process.stdout.write(`${t.id}\t${t.platform}\t${t.corpId}\t${t.name}\n`);
    } else {
      const tenantId = rest[0];
      if (tenantId === undefined) throw new AppError(400, 'invalid_request', `请给出企业编号。\n${usage}`);
      process.stdout.write(`正在同步企业 ${tenantId} 的组织架构…\n`);
      const result = await syncTenantOrg(deps, tenantId, (line) => process.stdout.write(`${line}\n`));
      process.stdout.write(`同步完成：${result.departments} 个部门、${result.users} 名成员（新增 ${result.added}，离职 ${result.left.length}）。\n`);
    }
  } finally {
    await db.destroy();
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ZodError) {
    const lines = error.issues.map((i) => `  ${i.path.join('.') || '参数'}：${i.message}`);
    process.stderr.write(`参数不正确：\n${lines.join('\n')}\n\n${usage}\n`);
  } else {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
