export default definePageConfig({ navigationBarTitleText: '新人分配' });
