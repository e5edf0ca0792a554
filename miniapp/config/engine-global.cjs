'use strict';
/*
 * The global object as core-js looks it up (`core-js/internals/global-this`), without touching what the mini-program
 * engines forbid. core-js's own lookup ends in `Function('return this')()`, and DingTalk's engine has no
 * `globalThis`/`global` while both DingTalk and WeChat refuse `new Function`. The dd and qywx builds replace that
 * module with this one (config/index.ts). Every name is reached through `typeof`, which never throws. It lives in
 * config/, outside the sources babel compiles: the polyfill plugin would otherwise add core-js imports to the very
 * module core-js needs first (a require cycle that leaves core-js's `export` half-loaded). For the same reason it never
 * names `window`: Taro's mini builds provide a `window` from its runtime (webpack ProvidePlugin), which is not the
 * global object and whose require would start that cycle again.
 *
 * Where the engine offers no global object, a stand-in carries the standard built-ins: core-js then installs a
 * missing method on the real constructor or prototype it finds there (Object.fromEntries, Array.prototype.at …),
 * which is all the source needs. A polyfill of a whole new global (a constructor the engine lacks entirely) would
 * land on the stand-in only, so the source must not rely on one (the engines have every ES2015 constructor).
 */
var check = function (it) {
  return it && it.Math === Math && it;
};

function standIn() {
  var g = { Math: Math, JSON: JSON, Object: Object, Array: Array, String: String, Number: Number, Boolean: Boolean, Function: Function };
  g.Date = Date;
  g.RegExp = RegExp;
  g.Error = Error;
  g.TypeError = TypeError;
  g.RangeError = RangeError;
  g.SyntaxError = SyntaxError;
  g.parseInt = parseInt;
  g.parseFloat = parseFloat;
  g.isNaN = isNaN;
  g.isFinite = isFinite;
  g.encodeURIComponent = encodeURIComponent;
  g.decodeURIComponent = decodeURIComponent;
  if (typeof Symbol !== 'undefined') g.Symbol = Symbol;
  if (typeof Promise !== 'undefined') g.Promise = Promise;
  if (typeof Map !== 'undefined') g.Map = Map;
  if (typeof Set !== 'undefined') g.Set = Set;
  if (typeof WeakMap !== 'undefined') g.WeakMap = WeakMap;
  if (typeof WeakSet !== 'undefined') g.WeakSet = WeakSet;
  if (typeof Reflect !== 'undefined') g.Reflect = Reflect;
  if (typeof Proxy !== 'undefined') g.Proxy = Proxy;
  if (typeof ArrayBuffer !== 'undefined') g.ArrayBuffer = ArrayBuffer;
  if (typeof DataView !== 'undefined') g.DataView = DataView;
  if (typeof Uint8Array !== 'undefined') g.Uint8Array = Uint8Array;
  if (typeof setTimeout !== 'undefined') g.setTimeout = setTimeout;
  if (typeof clearTimeout !== 'undefined') g.clearTimeout = clearTimeout;
  if (typeof setInterval !== 'undefined') g.setInterval = setInterval;
  if (typeof clearInterval !== 'undefined') g.clearInterval = clearInterval;
  if (typeof console !== 'undefined') g.console = console;
  return g;
}

module.exports =
  check(typeof globalThis == 'object' && globalThis) ||
  check(typeof self == 'object' && self) ||
  check(typeof global == 'object' && global) ||
  standIn();
