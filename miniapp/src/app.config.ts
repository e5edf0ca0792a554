/**
 * Pages and tab bar, shared by every target. Placeholder pages are registered now so the pages built later (profile,
 * visit, manager, HR, admin) only replace their own folder.
 */
export const pages = [
  'pages/map/index',
  'pages/mine/index',
  'pages/workbench/index',
  'pages/login/index',
  'pages/customer/index',
  'pages/customer-new/index',
  'pages/visit/index',
  'pages/follow-up/index',
  'pages/manager/index',
  'pages/team/index',
  'pages/review/index',
  'pages/reclaims/index',
  'pages/hr/index',
  'pages/hr-status/index',
  'pages/admin-pools/index',
  'pages/admin-org/index',
  'pages/admin-onboarding/index',
  'pages/admin-import/index',
  'pages/handovers/index',
];

export default defineAppConfig({
  pages,
  window: {
    navigationBarTitleText: '公海',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f5f6f8',
  },
  tabBar: {
    color: '#7a7e87',
    selectedColor: '#1f6feb',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/map/index', text: '公海', iconPath: 'assets/tab/pool.png', selectedIconPath: 'assets/tab/pool-on.png' },
      { pagePath: 'pages/mine/index', text: '我的客户', iconPath: 'assets/tab/mine.png', selectedIconPath: 'assets/tab/mine-on.png' },
      { pagePath: 'pages/workbench/index', text: '工作台', iconPath: 'assets/tab/work.png', selectedIconPath: 'assets/tab/work-on.png' },
    ],
  },
  // Mini-programs ask the user before the first location read; the text says why (WeChat/WeCom show it).
  permission: { 'scope.userLocation': { desc: '用于显示附近的公海客户和拜访签到' } },
  requiredPrivateInfos: ['getLocation'],
  // WeChat/WeCom inject only the components a page declares (miniprogram-ci's LAZYCODE_LOADING_OPEN); Taro declares
  // its `comp` in every page's json. DingTalk has no such switch.
  ...(process.env.TARO_ENV === 'qywx' ? { lazyCodeLoading: 'requiredComponents' } : {}),
});
