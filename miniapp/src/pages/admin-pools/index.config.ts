export default definePageConfig({ navigationBarTitleText: '公海设置' });
