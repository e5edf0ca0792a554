import webpack from 'webpack';

/**
 * The dd build inherits `my.*` calls from the alipay runtime (Taro.request, the event centre, sockets), but DingTalk
 * exposes its API as `dd`. This plugin starts every emitted script with `var my = dd;` so those references resolve to
 * `dd`; the build test checks that no dd script uses `my` without it. See the taro-toolchain reference, caveat 1.
 * (webpack's BannerPlugin cannot be used: Taro deletes some chunk files, e.g. custom-wrapper.js, before the banner stage.)
 */
export const DD_MY_SHIM = 'var my = dd;';

export class DdMyShimPlugin {
  apply(compiler: webpack.Compiler): void {
    compiler.hooks.thisCompilation.tap('DdMyShimPlugin', (compilation) => {
      compilation.hooks.processAssets.tap(
        // After minification, so the shim is neither renamed nor inlined.
        { name: 'DdMyShimPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE + 1 },
        (assets) => {
          for (const name of Object.keys(assets)) {
            if (!name.endsWith('.js')) continue;
            compilation.updateAsset(name, (source) => new webpack.sources.ConcatSource(`${DD_MY_SHIM}\n`, source));
          }
        },
      );
    });
  }
}
