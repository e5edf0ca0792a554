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

// ---- directory (dingtalk-api §2) ----

/** One entry of `POST /topapi/v2/department/listsub` `result[]`, and `/topapi/v2/department/get` `result`. */
export interface DingTalkDepartment {
  dept_id: number;
  name: string;
  /** Absent for the root department (id 1). */
  parent_id?: number;
}

export interface DingTalkDepartmentListReply extends DingTalkReply {
  result: DingTalkDepartment[];
}

export interface DingTalkDepartmentReply extends DingTalkReply {
  result: DingTalkDepartment;
}

/** The fields of a user the plugin reads, as `user/list` and `user/get` name them. */
export interface DingTalkUser {
  userid: string;
  name: string;
  dept_id_list: number[];
  mobile?: string;
  title?: string;
  /** Milliseconds since the epoch. */
  hired_date?: number;
  /** `user/list` only: leads the department that was listed. */
  leader?: boolean;
  /** `user/get` only. */
  leader_in_dept?: { dept_id: number; leader: boolean }[];
  /** `user/get` only: the direct supervisor. */
  manager_userid?: string;
  /** An administrator of the corp (`user/list` and `user/get`, dingtalk-api §2.2–§2.3). */
  admin?: boolean;
}

/** `POST /topapi/v2/user/list`: cursor paging, `next_cursor` only while `has_more`. */
export interface DingTalkUserListReply extends DingTalkReply {
  result: { has_more: boolean; next_cursor?: number; list: DingTalkUser[] };
}

export interface DingTalkUserReply extends DingTalkReply {
  result: DingTalkUser;
}

// ---- messages (dingtalk-api §3) ----

/** The bodies the group robot (`/robot/send`) takes, as far as the plugin sends them. */
export type DingTalkRobotMessage =
  | { msgtype: 'markdown'; markdown: { title: string; text: string } }
  | {
      msgtype: 'actionCard';
      actionCard: { title: string; text: string; btnOrientation: '0' | '1'; singleTitle: string; singleURL: string };
    };

/** The `msg` of a work notification (`asyncsend_v2`), as far as the plugin sends it. */
export type DingTalkWorkMessage =
  | { msgtype: 'markdown'; markdown: { title: string; text: string } }
  | { msgtype: 'action_card'; action_card: { title: string; markdown: string; single_title: string; single_url: string } };

export interface DingTalkAsyncSendReply extends DingTalkReply {
  task_id: number;
}

// ---- JS-SDK (dingtalk-api §6 / jsapi ticket) ----

/** `GET /get_jsapi_ticket?access_token=` */
export interface DingTalkJsapiTicketReply extends DingTalkReply {
  ticket: string;
  expires_in: number;
}

// ---- the v1.0 API (dingtalk-api §0, §1.2, §4.1) ----

/** A v1.0 failure body (HTTP 4xx/5xx). */
export interface DingTalkApiFailure {
  code: string;
  requestid?: string;
  message: string;
}

/** `POST /v1.0/oauth2/accessToken` — camelCase, unlike `/gettoken`. */
export interface DingTalkApiTokenReply {
  accessToken: string;
  expireIn: number;
}

/** `POST /v1.0/workflow/processInstances` body. Every form value is a string. */
export interface DingTalkStartProcessRequest {
  processCode: string;
  originatorUserId: string;
  formComponentValues: { name: string; value: string }[];
  approvers?: { actionType: 'AND' | 'OR' | 'NONE'; userIds: string[] }[];
}

export interface DingTalkStartProcessReply {
  instanceId: string;
}
