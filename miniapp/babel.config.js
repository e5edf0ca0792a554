const { ENGINE_TARGETS, isMiniTarget } = require('./config/engine-targets.cjs');

// babel-preset-taro: React + TypeScript through the webpack5 runner (see taro-toolchain reference). The mini-program
// builds target the engines' own level (config/engine-targets.cjs): syntax down to what they parse, and every ES2019+
// built-in the source uses that the engines lack polyfilled from core-js ("usage-global": each file imports the
// core-js modules for the built-ins it uses, which install them where missing; "usage-pure" is not used because it
// leaves `.at()` alone). core-js finds the global object through config/engine-global.cjs. H5 keeps the
// browserslist of package.json. The top-level `targets` is what the polyfill plugin reads.
const mini = isMiniTarget(process.env.TARO_ENV);

// "usage" cannot know a receiver's type, so `new Set()` or `.map()` would pull in polyfills of built-ins the source
// cannot use: the TypeScript lib is ES2020 (tsconfig.json), which has no iterator helpers, no ES2025 Set methods, no
// typed-array or ArrayBuffer additions, and no proposals; the web APIs (URL, DOM collections) do not exist in the
// mini-program engines at all, and a polyfill could only install them on the stand-in global (engine-global.cjs).
const NOT_USABLE = [/^es\.iterator\./, /^es\.set\./, /^es\.typed-array\./, /^es\.array-buffer\./, /^es\.error\.cause$/, /^esnext\./, /^web\./];

module.exports = {
  ...(mini ? { targets: ENGINE_TARGETS } : {}),
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5', ...(mini ? { targets: ENGINE_TARGETS } : {}) }]],
  // Our sources only: Taro's runtime (also compiled by this config) ships at the engines' level already, and core-js
  // itself requires Taro's runtime (Taro provides `document`/`window` to every module), so polyfill imports in Taro's
  // files would form a require cycle that leaves core-js half-loaded.
  overrides: mini ? [{ exclude: /[\\/]node_modules[\\/]/, plugins: [['polyfill-corejs3', { method: 'usage-global', version: require('core-js/package.json').version, exclude: NOT_USABLE }]] }] : [],
};
