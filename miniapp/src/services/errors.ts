/**
 * Chinese messages for the server's error codes, used when an answer carries no message of its own (the server's
 * `message` always wins: it says why and until when). DESIGN §9 fixes the codes.
 */
export const ERROR_MESSAGES: Record<string, string> = {
  already_owned: '已被他人领取，看看附近的其他客户吧',
  owned_limit_reached: '你持有的客户已达上限，请先跟进成交或退回部分客户后再领取',
  daily_claim_limit_reached: '今天的领取次数已用完，明天再来',
  prior_owner_cooldown: '这个客户刚从你名下退回，冷却期内不能再次领取',
  not_pool_member: '你不是该公海的成员，不能领取其中的客户',
  reserved: '该客户已被人事预留给新员工，暂时不能领取',
  too_far: '距离客户太远，请走近后再领取',
  location_required: '该公海要求定位后领取，请开启定位后重试',
  not_found: '没有找到，可能已被删除或你无权查看',
  reason_required: '请填写原因',
  not_owner: '该客户已不在你名下，请刷新后再试',
  invalid_code: '登录已失效，请重新打开应用',
  unauthorized: '登录已过期，请重新登录',
  forbidden: '你没有权限进行此操作',
  check_in_rejected: '签到未通过校验',
  invalid_request: '提交的内容有误，请检查后重试',
  request_in_progress: '上一次提交还在处理中，请稍候',
  user_not_registered: '你还不在公海的员工名单中，请联系管理员',
  platform_unavailable: '钉钉/企业微信暂时无法访问，请稍后重试',
};

export const NETWORK_MESSAGE = '网络连接失败，请检查网络后重试';

/** The message for a failed answer: the server's own, else the table's, else one by status. */
export function messageFor(status: number, code: string | undefined, serverMessage: string | undefined): string {
  if (serverMessage) return serverMessage;
  if (code && ERROR_MESSAGES[code]) return ERROR_MESSAGES[code]!;
  if (status === 401) return ERROR_MESSAGES.unauthorized!;
  if (status === 403) return ERROR_MESSAGES.forbidden!;
  if (status === 404) return ERROR_MESSAGES.not_found!;
  if (status >= 500) return '服务器开小差了，请稍后重试';
  return `请求失败（${status}），请稍后重试`;
}

/** A failed API call; `message` is Chinese and meant for the user, `details` are the server's extra fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The request never got an answer (offline, DNS, timeout). */
export class NetworkError extends Error {
  constructor(readonly cause?: unknown) {
    super(NETWORK_MESSAGE);
    this.name = 'NetworkError';
  }
}
