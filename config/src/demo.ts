/**
 * The fixed demo of DESIGN §12: two tenants and the org that each platform sandbox serves. Tests and the seed rely on
 * these exact values; change them only together with DESIGN.md.
 */

export interface DemoTenant {
  readonly id: string;
  readonly name: string;
  readonly platform: 'dingtalk' | 'wecom';
  readonly corpId: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly agentId: string;
  readonly callbackToken: string;
  readonly callbackAesKey: string;
  /** DingTalk: the app key; WeCom: the corp id. */
  readonly callbackReceiverId: string;
  /** The approval template HR assignments start (DingTalk processCode, WeCom template_id). */
  readonly approvalTemplateId: string;
  /** The managers' group robot that receives digests (DingTalk access_token + secret, WeCom key). */
  readonly robot: { readonly token: string; readonly secret?: string };
}

export const demoTenants: readonly DemoTenant[] = [
  {
    id: 'demo-dingtalk',
    name: '公海演示（钉钉）',
    platform: 'dingtalk',
    corpId: 'dingdemo',
    appKey: 'dingdemoappkey',
    appSecret: 'dingdemoappsecret',
    agentId: '1000001',
    callbackToken: 'gonghaidemo',
    callbackAesKey: 'GonghaiDemoDingTalkCallbackAesKey0123456789',
    callbackReceiverId: 'dingdemoappkey',
    approvalTemplateId: 'PROC-GONGHAI-DEMO-ASSIGN',
    robot: { token: 'dingdemorobottoken', secret: 'SECgonghaidemorobotsecret0123456789' },
  },
  {
    id: 'demo-wecom',
    name: '公海演示（企业微信）',
    platform: 'wecom',
    corpId: 'wwdemo',
    appKey: 'wwdemo',
    appSecret: 'wwdemosecret',
    agentId: '1000002',
    callbackToken: 'gonghaidemo',
    callbackAesKey: 'GonghaiDemoWeComCallbackEncodingAesKey01234',
    callbackReceiverId: 'wwdemo',
    approvalTemplateId: 'C4NyWqZgkGonghaiDemoAssign',
    robot: { token: 'wwdemo-robot-key-0001' },
  },
];

export interface DemoDepartment {
  readonly id: number;
  readonly name: string;
  readonly parentId: number | null;
  /** A region (大区) for dashboards. */
  readonly region?: boolean;
}

export interface DemoUser {
  readonly userId: string;
  readonly name: string;
  readonly departmentIds: readonly number[];
  /** Leader of these departments (the platform's leader flag). */
  readonly leaderOf?: readonly number[];
  readonly mobile: string;
  readonly title: string;
  /** Days before the demo's "today" that the user joined. */
  readonly hiredDaysAgo: number;
  /** App roles that the platform does not know (HR, admin); leaders are managers, everyone else a rep. */
  readonly appRoles?: readonly ('hr' | 'admin')[];
}

export const demoDepartments: readonly DemoDepartment[] = [
  { id: 1, name: '公海演示公司', parentId: null },
  { id: 2, name: '华东', parentId: 1, region: true },
  { id: 3, name: '华南', parentId: 1, region: true },
  { id: 4, name: '人力资源部', parentId: 1 },
  { id: 5, name: '信息部', parentId: 1 },
  { id: 21, name: '上海一组', parentId: 2 },
  { id: 22, name: '杭州一组', parentId: 2 },
  { id: 31, name: '广州一组', parentId: 3 },
  { id: 32, name: '深圳一组', parentId: 3 },
];

const repNames = [
  '张伟', '王芳', '李娜', '刘洋', // 上海一组
  '陈静', '杨磊', '赵敏', '黄强', // 杭州一组
  '周杰', '吴婷', '徐军', '孙丽', // 广州一组
  '马超', '朱琳', '胡斌', '郭燕', // 深圳一组
];
const teams = [21, 22, 31, 32];

export const demoUsers: readonly DemoUser[] = [
  ...repNames.map((name, i) => ({
    userId: `rep${String(i + 1).padStart(2, '0')}`,
    name,
    departmentIds: [teams[Math.floor(i / 4)]!],
    mobile: `138${String(10000000 + i + 1).padStart(8, '0')}`,
    title: '销售代表',
    hiredDaysAgo: 400 + i * 17,
  })),
  { userId: 'mgr-east', name: '钱东', departmentIds: [2], leaderOf: [2], mobile: '13900000001', title: '华东区域经理', hiredDaysAgo: 1200 },
  { userId: 'mgr-south', name: '林南', departmentIds: [3], leaderOf: [3], mobile: '13900000002', title: '华南区域经理', hiredDaysAgo: 1100 },
  { userId: 'hr01', name: '何人', departmentIds: [4], mobile: '13900000003', title: '招聘专员', hiredDaysAgo: 900, appRoles: ['hr'] },
  { userId: 'admin01', name: '严管', departmentIds: [5], mobile: '13900000004', title: '系统管理员', hiredDaysAgo: 1500, appRoles: ['admin'] },
  { userId: 'newhire01', name: '新人小白', departmentIds: [21], mobile: '13900000005', title: '销售代表', hiredDaysAgo: 2 },
];

/** City centres (GCJ-02) the demo customers cluster around, with the team that covers each. */
export const demoCities = [
  { name: '上海', lat: 31.2304, lng: 121.4737, teamId: 21, poolRegionId: 2 },
  { name: '杭州', lat: 30.2741, lng: 120.1551, teamId: 22, poolRegionId: 2 },
  { name: '广州', lat: 23.1291, lng: 113.2644, teamId: 31, poolRegionId: 3 },
  { name: '深圳', lat: 22.5431, lng: 114.0579, teamId: 32, poolRegionId: 3 },
] as const;

/** 人民广场, Shanghai (GCJ-02): the demo guarantees at least 50 pool customers within 1 km of it. */
export const peoplesSquare = { lat: 31.2304, lng: 121.4737 } as const;
