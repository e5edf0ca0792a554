export default definePageConfig({ navigationBarTitleText: '跟进与商机' });
