export default definePageConfig({ navigationBarTitleText: '组织与角色' });
