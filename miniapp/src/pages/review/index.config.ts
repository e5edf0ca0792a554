export default definePageConfig({ navigationBarTitleText: '待审拜访' });
