export default definePageConfig({ navigationBarTitleText: '分配进度', enablePullDownRefresh: true });
