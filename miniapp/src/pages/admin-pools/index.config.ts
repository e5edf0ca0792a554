export default definePageConfig({ navigationBarTitleText: '公海池' });
