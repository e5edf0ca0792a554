/**
 * What a mini-program build bakes in (the API origin, the corp ids), decided once. A release build of dd or qywx
 * refuses to start without real settings: a phone cannot reach `http://localhost:3000`, and a build that silently
 * shipped the demo corps would log every rep into a company that does not exist.
 *
 * - A release build is `NODE_ENV=production` (what `taro build` sets) unless `GONGHAI_DEMO_BUILD=1` says it is the
 *   demo's own build (`npm start`, `npm test` and `npm run build:demo` set it through miniapp/scripts/ensure-build.cjs).
 * - `API_ORIGIN` must be an `https://` origin: both platforms only call HTTPS domains on the app's allow-list.
 * - `WECOM_CORP_ID` is required for qywx: `wx.qy.login` answers with a code only, and a self-built WeCom app belongs
 *   to one corp. DingTalk gives the corp at launch (`dd.corpId`), so `DD_CORP_ID` is only a fallback there.
 */
export interface BuildSettings {
  /** '' for H5 (same origin), else e.g. https://gonghai.example.com (no trailing slash). */
  apiOrigin: string;
  /** Fallback corp ids; '' when none is built in. */
  ddCorpId: string;
  wecomCorpId: string;
  release: boolean;
}

const DEMO = { apiOrigin: 'http://localhost:3000', ddCorpId: 'dingdemo', wecomCorpId: 'wwdemo' } as const;

export class BuildSettingsError extends Error {
  constructor(problems: string[]) {
    super(
      [
        '正式构建（NODE_ENV=production）缺少或带有不可用的构建参数，已停止：',
        ...problems.map((p) => `  - ${p}`),
        '例：API_ORIGIN=https://gonghai.example.com WECOM_CORP_ID=ww0123456789abcdef npm run build:qywx',
        '只想构建连本机演示服务器的版本：npm run build:demo（或设 GONGHAI_DEMO_BUILD=1）。',
      ].join('\n'),
    );
    this.name = 'BuildSettingsError';
  }
}

type Env = Record<string, string | undefined>;

export function buildSettings(target: string | undefined, env: Env): BuildSettings {
  if (target === 'h5') return { apiOrigin: '', ddCorpId: env.DD_CORP_ID ?? DEMO.ddCorpId, wecomCorpId: env.WECOM_CORP_ID ?? DEMO.wecomCorpId, release: false };
  const release = env.NODE_ENV === 'production' && env.GONGHAI_DEMO_BUILD !== '1';
  const origin = (env.API_ORIGIN ?? '').trim().replace(/\/+$/, '');
  if (!release) {
    return { apiOrigin: origin || DEMO.apiOrigin, ddCorpId: env.DD_CORP_ID ?? DEMO.ddCorpId, wecomCorpId: env.WECOM_CORP_ID ?? DEMO.wecomCorpId, release };
  }
  const problems: string[] = [];
  if (!origin) problems.push('API_ORIGIN 未设置：小程序要调用的服务器地址（https://…，须在平台后台的服务器域名白名单里）');
  else if (!/^https:\/\/[^/?#\s]+$/.test(origin)) problems.push(`API_ORIGIN=${origin} 不可用：须是 https:// 开头、不带路径的地址（钉钉和企业微信只允许调用 HTTPS 域名）`);
  else if (/^https:\/\/(localhost|127\.|0\.0\.0\.0|\[::1\])/i.test(origin)) problems.push(`API_ORIGIN=${origin} 指向本机：手机访问不到`);
  const wecomCorpId = (env.WECOM_CORP_ID ?? '').trim();
  const ddCorpId = (env.DD_CORP_ID ?? '').trim();
  if (target === 'qywx') {
    if (!wecomCorpId) problems.push('WECOM_CORP_ID 未设置：企业微信自建小程序属于一个企业，wx.qy.login 只给 code，服务器需要企业 ID（管理后台「我的企业」页底部）');
    else if (wecomCorpId === DEMO.wecomCorpId) problems.push('WECOM_CORP_ID=wwdemo 是演示企业，正式构建请填真实的企业 ID');
  }
  if (target === 'dd' && ddCorpId === DEMO.ddCorpId) problems.push('DD_CORP_ID=dingdemo 是演示企业：钉钉启动时会给出 dd.corpId，正式构建可不设 DD_CORP_ID');
  if (problems.length) throw new BuildSettingsError(problems);
  return { apiOrigin: origin, ddCorpId, wecomCorpId, release };
}
