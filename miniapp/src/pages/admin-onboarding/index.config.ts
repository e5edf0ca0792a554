export default definePageConfig({ navigationBarTitleText: '开通向导' });
