export default definePageConfig({ navigationBarTitleText: '拜访签到' });
