export default definePageConfig({ navigationBarTitleText: '离职交接', enablePullDownRefresh: true });
