/**
 * What the mini-program engines run, decided once for the babel config, the build config and the syntax check.
 *
 * - DingTalk on Android runs its mini-programs on V8 6.9 (Chrome 69): no `?.`, `??`, `Object.fromEntries`, `.at`.
 * - iOS before 13.4 cannot parse `?.`/`??`; DingTalk and WeCom still run on iOS 11 and 12 phones.
 * - WeCom uploads the code as it is (the project has `es6: false, enhance: false`), so the build must do the work.
 *
 * So the dd and qywx builds compile every source file down to ES2018 syntax for these engines, with the built-ins the
 * source uses and the engines lack polyfilled from core-js (babel.config.js; the global it needs: engine-global.cjs).
 */
const ENGINE_TARGETS = { chrome: '69', ios: '11' };

/** The newest ECMAScript syntax an emitted dd/qywx script may contain (checked with acorn in the build tests). */
const ENGINE_ECMA_VERSION = 2018;

const isMiniTarget = (env) => env === 'dd' || env === 'qywx';

module.exports = { ENGINE_TARGETS, ENGINE_ECMA_VERSION, isMiniTarget };
