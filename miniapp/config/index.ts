import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import TsconfigPathsPlugin from 'tsconfig-paths-webpack-plugin';
import { DdMyShimPlugin } from './dd-my-shim';

/** Where dd/qywx builds send API calls; H5 is served by the API server itself, so it stays same-origin (''). */
const DEFAULT_API_ORIGIN = 'http://localhost:3000';

export default defineConfig<'webpack5'>(async (merge) => {
  const env = process.env.TARO_ENV;
  const plugins: string[] = [];
  if (env === 'dd') plugins.push('@tarojs/plugin-platform-alipay-dd');
  if (env === 'qywx') plugins.push('@tarojs/plugin-platform-weapp-qy');
  const apiOrigin = env === 'h5' ? '' : (process.env.API_ORIGIN ?? DEFAULT_API_ORIGIN).replace(/\/+$/, '');

  const config: UserConfigExport<'webpack5'> = {
    projectName: 'gonghai',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${env}`,
    plugins,
    defineConstants: {
      API_ORIGIN: JSON.stringify(apiOrigin),
      // Corp ids used when the platform's launch URL carries none (the demo's by default).
      DD_CORP_ID: JSON.stringify(process.env.DD_CORP_ID ?? 'dingdemo'),
      WECOM_CORP_ID: JSON.stringify(process.env.WECOM_CORP_ID ?? 'wwdemo'),
    },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      postcss: { pxtransform: { enable: true, config: {} } },
      webpackChain(chain) {
        chain.resolve.plugin('tsconfig-paths').use(TsconfigPathsPlugin);
        if (env === 'dd') {
          // alipay-dd 0.3.1 on npm lacks its own fix "turn globalObject from 'my' to 'dd'" (2023-09-26).
          chain.output.globalObject('dd');
          chain.plugin('dd-my-shim').use(DdMyShimPlugin);
        }
      },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'browser' },
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[contenthash:8].js' },
      miniCssExtractPluginOption: { ignoreOrder: true, filename: 'css/[name].[contenthash:8].css', chunkFilename: 'css/[name].[contenthash:8].css' },
      postcss: { autoprefixer: { enable: true, config: {} } },
      webpackChain(chain) {
        chain.resolve.plugin('tsconfig-paths').use(TsconfigPathsPlugin);
        // Taro splits only initial chunks, so every lazily loaded page carried its own copy of the shared code
        // (services, Taro's H5 APIs): split async chunks too, so each shared module ships once.
        chain.optimization.splitChunks({ ...(chain.optimization.get('splitChunks') as object), chunks: 'all' });
      },
    },
  };
  return merge({}, config);
});
