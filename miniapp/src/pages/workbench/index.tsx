import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { SessionGate } from '@/components/session-gate';
import { platform } from '@/platform';
import { client, type Role } from '@/services';
import { sessionStore } from '@/store/session';
import './index.scss';

interface Entry {
  title: string;
  hint: string;
  url: string;
}

/** What each role finds on the 工作台 (a user with several roles sees every group they hold). */
const GROUPS: { role: Role; title: string; entries: Entry[] }[] = [
  {
    role: 'rep',
    title: '业务',
    entries: [
      { title: '新建客户', hint: '录入新客户并归到自己名下', url: '/pages/customer-new/index' },
      { title: '被收回的客户', hint: '最近被规则收回的客户，可在几天内申诉', url: '/pages/reclaims/index?mine=1' },
    ],
  },
  {
    role: 'manager',
    title: '管理',
    entries: [
      { title: '看板', hint: '各区域公海饱和度与流入流出', url: '/pages/manager/index' },
      { title: '团队', hint: '下属的客户、拜访与回收倒计时', url: '/pages/team/index' },
      { title: '待审拜访', hint: '可疑或被拒的签到', url: '/pages/review/index' },
      { title: '最近收回', hint: '规则收回公海的客户', url: '/pages/reclaims/index' },
      { title: '离职交接', hint: '为离职员工的客户指定接手的同事，逾期退回公海', url: '/pages/handovers/index' },
    ],
  },
  {
    role: 'hr',
    title: '人事',
    entries: [
      { title: '新人分配', hint: '为新员工挑选公海客户并发起审批', url: '/pages/hr/index' },
      { title: '分配进度', hint: '审批中与已完成的分配', url: '/pages/hr-status/index' },
    ],
  },
  {
    role: 'admin',
    title: '管理员',
    entries: [
      { title: '开通向导', hint: '正式上线前的每一步，完成了哪些', url: '/pages/admin-onboarding/index' },
      { title: '组织与角色', hint: '大区与员工角色（业务员、经理、人事、管理员）', url: '/pages/admin-org/index' },
      { title: '公海池', hint: '新建、修改、归档公海，成员部门与回收规则', url: '/pages/admin-pools/index' },
      { title: '导入客户', hint: '从 Excel/CSV 批量导入客户，先试导入再确认', url: '/pages/admin-import/index' },
      { title: '离职交接', hint: '为离职员工的客户指定接手的同事，逾期退回公海', url: '/pages/handovers/index' },
    ],
  },
];

const ROLE_NAMES: Record<Role, string> = { rep: '业务员', manager: '经理', hr: '人事', admin: '管理员' };

export default function Workbench() {
  return (
    <SessionGate>
      {(session) => {
        // Everyone can work customers; managers, HR and admins see their own groups too.
        const roles = new Set<Role>(['rep', ...session.user.roles]);
        return (
          <View className='workbench'>
            <View className='workbench__me'>
              <Text className='workbench__name'>{session.user.name}</Text>
              <Text className='workbench__roles'>
                {session.tenant.name} · {session.user.roles.map((r) => ROLE_NAMES[r]).join('、')}
              </Text>
            </View>
            {GROUPS.filter((g) => roles.has(g.role)).map((g) => (
              <View key={g.role} className='workbench__group' data-testid={`group-${g.role}`}>
                <Text className='workbench__group-title'>{g.title}</Text>
                {g.entries.map((e) => (
                  <View key={e.url} className='workbench__entry' onClick={() => Taro.navigateTo({ url: e.url })}>
                    <Text className='workbench__entry-title'>{e.title}</Text>
                    <Text className='workbench__entry-hint'>{e.hint}</Text>
                  </View>
                ))}
              </View>
            ))}
            {platform.name === 'h5' ? (
              <View
                className='workbench__logout'
                onClick={() => {
                  client.logout();
                  sessionStore.changed();
                  Taro.reLaunch({ url: '/pages/login/index' });
                }}
              >
                <Text>切换用户</Text>
              </View>
            ) : null}
          </View>
        );
      }}
    </SessionGate>
  );
}
