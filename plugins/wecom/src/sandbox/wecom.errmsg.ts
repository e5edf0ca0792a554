import { randomBytes } from 'node:crypto';

/** The errmsg WeCom puts next to each errcode the sandbox answers with (wecom-api §0); decide on errcode only. */
const errmsgs: ReadonlyMap<number, string> = new Map([
  [-1, 'system busy'],
  [40001, 'invalid credential'],
  [40013, 'invalid corpid'],
  [40014, 'invalid access_token'],
  [40008, 'invalid message type'],
  [40029, 'invalid code'],
  [40056, 'invalid agentid'],
  [40058, 'invalid parameter'],
  [41001, 'access_token missing'],
  [41004, 'corpsecret missing'],
  [41008, 'missing code'],
  [42001, 'access_token expired'],
  [44004, 'empty content'],
  [45009, 'api freq out of limit'],
  [45033, 'api concurrent out of limit'],
  [60003, 'department not found'],
  [60020, 'not allow to access from your ip'],
  [60111, 'userid not found'],
  [81013, 'user & party & tag all invalid'],
  [93000, 'invalid webhook url'],
  [301025, 'param error'],
]);

/** WeCom appends a hint and a help link to every failure's errmsg: `invalid code, hint: [...], from ip: ...`. */
export function weComErrmsg(errcode: number, nowMs: number): string {
  if (errcode === 0) return 'ok';
  const text = errmsgs.get(errcode) ?? 'unknown error';
  const hint = `${Math.floor(nowMs / 1000)}-${randomBytes(8).toString('hex')}`;
  const help = `https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
  return `${text}, hint: [${hint}], from ip: 127.0.0.1, more info at ${help}`;
}
