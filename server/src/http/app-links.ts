/**
 * A link into a page of the app for chat messages. It opens the H5 build (served at the public base URL, Taro's hash
 * router), which DingTalk and WeCom show in their in-app browser; the same page path exists in the mini-programs.
 */
export function appPageUrl(publicBaseUrl: string, page: string, query: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) params.set(k, String(v));
  const search = params.toString();
  return `${publicBaseUrl.replace(/\/+$/, '')}/#/${page.replace(/^\/+/, '')}${search ? `?${search}` : ''}`;
}
