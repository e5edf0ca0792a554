export default definePageConfig({ navigationBarTitleText: '最近收回' });
