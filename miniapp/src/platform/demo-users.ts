/** The fixed demo org (DESIGN §12) for the H5 "以演示用户登录" picker; the sandbox mints codes for these users. */
export interface DemoTenant {
  platform: 'dingtalk' | 'wecom';
  corpId: string;
  label: string;
}

export const DEMO_TENANTS: readonly DemoTenant[] = [
  { platform: 'dingtalk', corpId: 'dingdemo', label: '钉钉演示企业' },
  { platform: 'wecom', corpId: 'wwdemo', label: '企业微信演示企业' },
];

const repNames = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周杰', '吴婷', '徐军', '孙丽', '马超', '朱琳', '胡斌', '郭燕'];
const teams = ['上海一组', '杭州一组', '广州一组', '深圳一组'];

export interface DemoUser {
  userId: string;
  name: string;
  title: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  ...repNames.map((name, i) => ({ userId: `rep${String(i + 1).padStart(2, '0')}`, name, title: `销售代表 · ${teams[Math.floor(i / 4)]}` })),
  { userId: 'mgr-east', name: '钱东', title: '华东区域经理' },
  { userId: 'mgr-south', name: '林南', title: '华南区域经理' },
  { userId: 'hr01', name: '何人', title: 'HR · 招聘专员' },
  { userId: 'admin01', name: '严管', title: '系统管理员' },
  { userId: 'newhire01', name: '新人小白', title: '新人 · 上海一组' },
];
