/** Wire types of the legacy `oapi` endpoints (dingtalk-api §0, §1), declared only as wide as the plugin reads them. */

/** Every legacy answer: HTTP 200, and `errcode` 0 means success. */
export interface DingTalkReply {
  errcode: number;
  errmsg: string;
  request_id?: string;
  /** Present on some failures; an empty `sub_code` with errcode 88 means a timeout. */
  sub_code?: string;
}

/** `GET /gettoken?appkey=&appsecret=` */
export interface DingTalkTokenReply extends DingTalkReply {
  access_token: string;
  expires_in: number;
}

/** The `result` of `POST /topapi/v2/user/getuserinfo`; it names no corp (the token's app implies it). */
export interface DingTalkLoginUser {
  userid: string;
  device_id: string;
  /** Is an admin. */
  sys: boolean;
  /** 1 super admin, 2 sub admin, 100 boss, 0 other. */
  sys_level: number;
  unionid: string;
  associated_unionid: string;
  name: string;
}

export interface DingTalkGetUserInfoReply extends DingTalkReply {
  result: DingTalkLoginUser;
}
