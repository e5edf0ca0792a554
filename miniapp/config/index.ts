import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import TsconfigPathsPlugin from 'tsconfig-paths-webpack-plugin';
import webpack from 'webpack';
import { buildSettings } from './build-settings';
import { DdMyShimPlugin } from './dd-my-shim';

export default defineConfig<'webpack5'>(async (merge) => {
  const env = process.env.TARO_ENV;
  const plugins: string[] = [];
  if (env === 'dd') plugins.push('@tarojs/plugin-platform-alipay-dd');
  if (env === 'qywx') plugins.push('@tarojs/plugin-platform-weapp-qy');
  // Throws (and so stops the build) when a release build of dd/qywx lacks its API origin or corp id.
  const settings = buildSettings(env, process.env);

  const config: UserConfigExport<'webpack5'> = {
    projectName: 'gonghai',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${env}`,
    plugins,
    defineConstants: {
      // Where dd/qywx builds send API calls; H5 is served by the API server itself, so it stays same-origin ('').
      API_ORIGIN: JSON.stringify(settings.apiOrigin),
      // Corp ids used when the platform's launch carries none (the demo's in a demo build, '' in a release dd build).
      DD_CORP_ID: JSON.stringify(settings.ddCorpId),
      WECOM_CORP_ID: JSON.stringify(settings.wecomCorpId),
    },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      postcss: { pxtransform: { enable: true, config: {} } },
      webpackChain(chain) {
        chain.resolve.plugin('tsconfig-paths').use(TsconfigPathsPlugin);
        // core-js (the polyfills of babel.config.js) looks the global object up ending in `Function('return this')`,
        // which the engines refuse: give it the engine-safe lookup instead (config/engine-global.cjs).
        chain
          .plugin('engine-global')
          .use(webpack.NormalModuleReplacementPlugin, [/core-js(-pure)?[\\/]internals[\\/]global-this\.js$/, path.resolve(__dirname, 'engine-global.cjs')]);
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
