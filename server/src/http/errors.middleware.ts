import type { Context, Middleware } from 'koa';
import { PlatformError } from '@gonghai/plugin-core';
import { ZodError } from 'zod';
import { AppError } from '../errors';
import './zod-locale';

/** First in the chain: turns every failure into `{"error":{"code","message"}}`. 5xx never expose internals. */
export function errorMiddleware(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body == null) methodNotAllowed(ctx);
      if (ctx.status === 404 && ctx.body == null) {
        ctx.status = 404;
        ctx.body = { error: { code: 'not_found', message: `没有这个接口：${ctx.method} ${ctx.path.slice(0, 200)}` } };
      }
    } catch (err) {
      renderError(ctx, err);
    }
  };
}

/**
 * The routers' allowedMethods() leave a bare 405 (a method the path does not take) or 501 (a method no route takes,
 * such as TRACE) with an Allow header; both become a 405 that names the methods to use. A method the client chose is
 * the client's mistake, so never a 5xx; a path with no method at all stays a 404.
 */
function methodNotAllowed(ctx: Context): void {
  const allowed = String(ctx.response.get('Allow'))
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m && m !== 'HEAD' && m !== 'OPTIONS');
  if (allowed.length === 0) {
    ctx.remove('Allow');
    ctx.status = 404;
    return;
  }
  ctx.status = 405;
  ctx.body = { error: { code: 'method_not_allowed', message: `此接口不支持 ${ctx.method} 请求，请使用 ${allowed.join(' 或 ')}。` } };
}

/** Sets the status and wire body for a thrown error; unexpected ones are reported to `app.on('error')`. */
export function renderError(ctx: Context, err: unknown): void {
      if (err instanceof AppError) {
        ctx.status = err.status;
        ctx.set(err.headers);
        ctx.body = { error: { code: err.code, message: err.message, ...err.details } };
        return;
      }
      if (err instanceof ZodError) {
        ctx.status = 400;
        ctx.body = { error: { code: 'invalid_request', message: describeZod(err), issues: err.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message })) } };
        return;
      }
      if (err instanceof PlatformError && err.code !== 'BAD_RESPONSE' && err.code !== 'UNKNOWN') {
        ctx.status = err.code === 'RATE_LIMITED' ? 503 : 502;
        ctx.body = { error: { code: 'platform_unavailable', message: platformMessage(err) } };
        ctx.app.emit('error', err, ctx);
        return;
      }
      const status = (err as { status?: number; expose?: boolean }).status;
      if (status && status >= 400 && status < 500) {
        ctx.status = status;
        const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_request';
        ctx.body = { error: { code, message: status === 413 ? '请求内容过大。' : '请求格式不正确，请检查后重试（需要 JSON）。' } };
        return;
      }
      ctx.status = 500;
      ctx.body = { error: { code: 'internal_error', message: `服务器出错了，请稍后重试；如果一直失败，请把编号 ${ctx.state.requestId} 告诉管理员。` } };
      ctx.app.emit('error', err, ctx);
}

/** The platform failed us; say so plainly and what to do, without vendor internals. */
function platformMessage(err: PlatformError): string {
  switch (err.code) {
    case 'RATE_LIMITED':
      return '钉钉/企业微信接口调用过于频繁，请稍等一分钟再试。';
    case 'INVALID_CREDENTIALS':
      return '企业的钉钉/企业微信应用凭证无效，请管理员检查 AppKey / Secret 配置。';
    case 'FORBIDDEN':
      return '应用没有调用该钉钉/企业微信接口的权限，请管理员在开发者后台开通相应权限。';
    default:
      return '暂时连不上钉钉/企业微信，请稍后重试。';
  }
}

/** Chinese names of the fields requests carry, so a message names what to change (`纬度(lat)：数值过大，应不大于 90`). */
const fieldNames = new Map<string, string>(Object.entries({
  lat: '纬度',
  lng: '经度',
  radius: '半径',
  accuracy: '定位精度',
  coord: '坐标系',
  limit: '条数',
  cursor: '翻页位置',
  poolId: '公海',
  q: '搜索词',
  reason: '原因',
  note: '备注',
  notes: '备注',
  userId: '员工',
  force: '强制',
  name: '名称',
  address: '地址',
  level: '客户等级',
  levels: '客户等级',
  tags: '标签',
  contacts: '联系人',
  title: '名称',
  phone: '电话',
  kind: '类型',
  content: '内容',
  amount: '金额',
  status: '状态',
  customerId: '客户',
  customerIds: '客户',
  nonce: '签到码',
  fixes: '定位',
  fix: '定位',
  ts: '定位时间',
  isMock: '模拟定位标记',
  source: '定位来源',
  wifi: 'Wi-Fi 列表',
  bssid: 'Wi-Fi 地址',
  ssid: 'Wi-Fi 名称',
  signal: '信号强度',
  device: '设备',
  platform: '平台',
  os: '系统',
  model: '机型',
  clientVersion: '版本',
  feedback: '反馈',
  verdict: '核验结果',
  assigneeUserId: '新员工',
  overrideCap: '超出上限',
  count: '数量',
  from: '开始日期',
  to: '结束日期',
  regionId: '区域',
  year: '年份',
  day: '日期',
  days: '天数',
  url: '页面地址',
  corpId: '企业 ID',
  code: '登录码',
  channel: '登录方式',
  recent: '排序',
  rules: '规则',
  now: '时间',
  version: '版本',
  enabled: '启用',
  id: '编号',
}));

/** `纬度(lat)` for `lat`, `纬度(fixes.0.lat)` for a nested one; the request itself when the path is empty. */
function fieldLabel(path: PropertyKey[]): string {
  if (path.length === 0) return '';
  // Keys can come from the client (records, unknown keys): an answer never echoes a long one back.
  const dotted = path.map((p) => String(p).slice(0, 32)).join('.');
  const last = [...path].reverse().find((p) => typeof p === 'string');
  const name = typeof last === 'string' ? fieldNames.get(last) : undefined;
  return name ? `${name}(${dotted})` : dotted;
}

/** Whether `message` mentions `key` as a word (`limit 至少为 1`), not inside another (`q` in `nextCursor`… `requests`). */
function namesKey(message: string, key: string): boolean {
  const at = message.indexOf(key);
  if (at < 0) return false;
  const word = /[A-Za-z0-9_]/;
  return !word.test(message[at - 1] ?? '') && !word.test(message[at + key.length] ?? '');
}

/** One issue as a sentence; a schema's own message that already names its field is not prefixed again. */
function describeIssue(issue: ZodError['issues'][number]): string {
  const label = fieldLabel(issue.path);
  const last = issue.path[issue.path.length - 1];
  if (!label || (typeof last === 'string' && namesKey(issue.message, last))) return issue.message;
  return `${label}：${issue.message}`;
}

function describeZod(err: ZodError): string {
  const parts = err.issues.slice(0, 3).map(describeIssue);
  const more = err.issues.length > 3 ? `（另有 ${err.issues.length - 3} 处）` : '';
  return `请求参数不正确：${parts.join('；')}${more}`;
}
