/** Wire types of the `cgi-bin` endpoints (wecom-api §1–§5), declared only as wide as the plugin reads them. */

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

/**
 * `GET /cgi-bin/auth/getuserinfo`, the H5 OAuth code (wecom-api §2b): a member gets a lowercase `userid` (the legacy
 * `user/getuserinfo` said `UserId`), anyone else an `openid` (and an `external_userid` when they are a customer).
 */
export interface WeComOAuthUserInfoReply extends WeComReply {
  userid?: string;
  openid?: string;
  external_userid?: string;
}

/** `GET /cgi-bin/department/list`: the whole visible tree in one answer (wecom-api §3). */
export interface WeComDepartment {
  id: number;
  name: string;
  /** 0 above the root. */
  parentid: number;
  /** Larger first among siblings. */
  order: number;
}

export interface WeComDepartmentListReply extends WeComReply {
  department: WeComDepartment[];
}

/** A member as `user/get` and `user/list` describe them; apps created after 2022-06-20 get no `mobile` (§3). */
export interface WeComUser {
  userid: string;
  name: string;
  department: number[];
  /** Index-aligned with `department`: 1 = leads that department. */
  is_leader_in_dept?: number[];
  direct_leader?: string[];
  mobile?: string;
  position?: string;
  /** 1 active, 2 disabled, 4 not activated, 5 left. */
  status?: number;
  extattr?: { attrs?: WeComExtAttr[] };
}

/** A custom profile field; type 0 is text. */
export interface WeComExtAttr {
  type: number;
  name: string;
  text?: { value: string };
}

export interface WeComUserReply extends WeComReply, WeComUser {}

export interface WeComUserListReply extends WeComReply {
  userlist: WeComUser[];
}

/** `POST /cgi-bin/message/send`: may succeed with some recipients invalid (§4a). */
export interface WeComMessageSendReply extends WeComReply {
  invaliduser?: string;
  msgid?: string;
}

/** `POST /cgi-bin/oa/gettemplatedetail` (§5), only the controls. */
export interface WeComTemplateDetailReply extends WeComReply {
  template_content: {
    controls: { property: { control: string; id: string; title: { text: string; lang?: string }[] } }[];
  };
}

/** `POST /cgi-bin/oa/applyevent` */
export interface WeComApplyEventReply extends WeComReply {
  sp_no: string;
}

/** `GET /cgi-bin/get_jsapi_ticket` and `GET /cgi-bin/ticket/get?type=agent_config` (§2c). */
export interface WeComTicketReply extends WeComReply {
  ticket: string;
  expires_in: number;
}
