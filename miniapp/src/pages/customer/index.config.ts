export default definePageConfig({ navigationBarTitleText: '全景档案' });
