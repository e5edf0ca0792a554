/** Wire types of the `cgi-bin` endpoints (wecom-api §1, §2a), declared only as wide as the plugin reads them. */

/** Every answer carries `errcode` (0 = ok) and `errmsg`; decide on `errcode` only, the text changes. */
export interface WeComReply {
  errcode: number;
  errmsg: string;
}

/** `GET /cgi-bin/gettoken?corpid=&corpsecret=` */
export interface WeComTokenReply extends WeComReply {
  access_token: string;
  expires_in: number;
}

/** `GET /cgi-bin/miniprogram/jscode2session`; `session_key` must never leave the server. */
export interface WeComCode2SessionReply extends WeComReply {
  corpid: string;
  userid: string;
  session_key: string;
}

/** Who a mini-program login code belongs to, without the session key. */
export type WeComMiniProgramSession = Pick<WeComCode2SessionReply, 'corpid' | 'userid'>;
