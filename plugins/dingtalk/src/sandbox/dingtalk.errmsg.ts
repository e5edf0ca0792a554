/** The errmsg DingTalk puts next to each errcode the sandbox answers with (dingtalk-api §0); decide on errcode only. */
const errmsgs: ReadonlyMap<number, string> = new Map([
  [0, 'ok'],
  [-1, '系统繁忙'],
  [15, '远程服务调用超时'],
  [40014, '不合法的access_token'],
  [40035, '缺少参数'],
  [40078, '不存在的临时授权码'],
  [40089, '不合法的corpid或corpsecret'],
  [42001, 'access_token超时'],
  [60003, '部门不存在'],
  [60020, '访问ip不在白名单之中'],
  [60121, '找不到该用户'],
  [90002, '服务器繁忙，该接口在全平台的调用频率超过上限'],
  [90018, '当前应用调用该接口的频率超过上限'],
  [90019, '当前企业调用该接口的频率超过上限'],
  [130101, 'send too fast, exceed 20 times per minute'],
  [300005, 'token is not exist'],
  [310000, 'sign not match'],
  [400002, '参数错误'],
]);

export function dingTalkErrmsg(errcode: number): string {
  return errmsgs.get(errcode) ?? '系统错误';
}
