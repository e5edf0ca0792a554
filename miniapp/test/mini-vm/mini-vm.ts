import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createDdGlobal } from './dd-global';
import { Phone, type Navigation } from './phone';
import { applySetData, byClass, textOf, type ViewNode } from './render-tree';
import { VirtualTimers } from './virtual-timers';
import { createWxGlobal } from './wx-global';

export type MiniTarget = 'dd' | 'qywx';

/** A page as the logic layer holds it: the config's methods, its data, and what the runtime hangs on it. */
export interface PageInstance {
  route: string;
  __route__: string;
  options: Record<string, string>;
  data: { root?: ViewNode; [key: string]: unknown };
  setData(data: Record<string, unknown>, cb?: () => void): void;
  /** Every setData payload, in order. */
  readonly setDataCalls: Record<string, unknown>[];
  [method: string]: unknown;
}

type Config = Record<string, unknown>;

/**
 * A mini-program's logic layer in a Node `vm` context, running a built `dist/dd` or `dist/qywx` unchanged: a CommonJS
 * loader over the folder, `App`/`Page`/`Component`/`Behavior`/`getApp`/`getCurrentPages`, timers, `navigator`, and
 * the platform global (`dd`, or `wx` with `wx.qy`) on a Phone. For `dd` the context has no `globalThis` (nor
 * `global`), as DingTalk's engine. No view layer runs: what a page shows is rebuilt from its setData calls, and a tap is
 * a call of the page's `eh` with the node's `sid` — which is how the view layer reports one.
 */
/** Built-ins after ES2018 (and those iOS 11 lacks), removed from a context before the app loads. */
const REMOVE_NEWER_BUILTINS = `
  delete Object.fromEntries; delete Object.hasOwn; delete Promise.allSettled; delete Promise.any;
  for (const name of ['flat', 'flatMap', 'at', 'findLast', 'findLastIndex', 'toSorted', 'toReversed', 'toSpliced', 'with']) delete Array.prototype[name];
  for (const name of ['at', 'replaceAll', 'matchAll', 'trimStart', 'trimEnd']) delete String.prototype[name];
  delete globalThis.structuredClone;
`;

export class MiniVm implements Navigation {
  readonly context: vm.Context;
  readonly timers: VirtualTimers;
  /** The page stack, bottom first (what getCurrentPages() answers). */
  readonly stack: PageInstance[] = [];
  /** Console output of the app and the runtime. */
  readonly logs: string[] = [];
  private readonly modules = new Map<string, { exports: unknown }>();
  private readonly pageConfigs = new Map<string, Config>();
  /** Tab pages stay alive once opened, as on the phone. */
  private readonly tabPages = new Map<string, PageInstance>();
  private app: Config | null = null;
  private loading: string | null = null;
  private readonly appJson: { pages: string[]; tabBar?: { list?: { pagePath: string }[]; items?: { pagePath: string }[] } };

  constructor(
    readonly target: MiniTarget,
    readonly distDir: string,
    readonly phone: Phone,
  ) {
    this.timers = new VirtualTimers(() => phone.inFlight > 0);
    this.appJson = JSON.parse(fs.readFileSync(path.join(distDir, 'app.json'), 'utf8'));
    const log =
      (level: string) =>
      (...args: unknown[]) =>
        this.logs.push(`[${level}] ${args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : safeJson(a))).join(' ')}`);
    const sandbox: Record<string, unknown> = {
      ...this.timers.globals(),
      console: { log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') },
      navigator: { userAgent: target === 'dd' ? 'Mozilla/5.0 (Linux; Android 13) AliApp(DingTalk/7.6.0) DingTalk(7.6.0)' : 'Mozilla/5.0 (Linux; Android 13) wxwork/4.1.30 MicroMessenger/7.0.1 miniProgram' },
      App: (config: Config) => {
        this.app = config;
      },
      Page: (config: Config) => {
        if (!this.loading) throw new Error('Page() called outside a page file');
        this.pageConfigs.set(this.loading, config);
      },
      Component: (config: Config) => config,
      Behavior: (config: Config) => config,
      getApp: () => this.app,
      getCurrentPages: () => [...this.stack],
      requirePlugin: () => {
        throw new Error('no plugins in this app');
      },
    };
    if (target === 'dd') sandbox.dd = createDdGlobal(phone, this, this.timers);
    else sandbox.wx = createWxGlobal(phone, this);
    this.context = vm.createContext(sandbox, { name: `mini-${target}` });
    // The oldest engines the builds target (config/engine-targets.cjs: V8 6.9, iOS 11) lack the newer built-ins: take
    // them out of the context's own realm, so a built-in the build failed to polyfill throws here as on those phones.
    vm.runInContext(REMOVE_NEWER_BUILTINS, this.context);
    // DingTalk's engine has no globalThis: a bare use throws a ReferenceError while `typeof globalThis` says "undefined".
    if (target === 'dd') vm.runInContext('delete globalThis.globalThis;', this.context);
  }

  /** Loads app.js and every page, then launches the app as the client does: onLaunch, onShow, the first page. */
  async launch(): Promise<void> {
    this.require(path.join(this.distDir, 'app.js'));
    if (!this.app) throw new Error('app.js did not call App()');
    for (const page of this.appJson.pages) {
      this.loading = page;
      try {
        this.require(path.join(this.distDir, `${page}.js`));
      } finally {
        this.loading = null;
      }
      if (!this.pageConfigs.has(page)) throw new Error(`${page}.js did not call Page()`);
    }
    const first = this.appJson.pages[0]!;
    const launchOptions = { path: first, query: {}, scene: 1001 };
    (this.app.onLaunch as ((o: unknown) => void) | undefined)?.call(this.app, launchOptions);
    (this.app.onShow as ((o: unknown) => void) | undefined)?.call(this.app, launchOptions);
    await this.open(first, {});
  }

  /** The page on top of the stack. */
  get page(): PageInstance {
    const top = this.stack[this.stack.length - 1];
    if (!top) throw new Error('no page is open');
    return top;
  }

  /** What the current page shows, as a tree. */
  tree(page: PageInstance = this.page): ViewNode | undefined {
    return page.data.root;
  }

  /** All the text the current page shows. */
  text(page: PageInstance = this.page): string {
    return textOf(this.tree(page));
  }

  find(className: string, text?: string | RegExp): ViewNode[] {
    return byClass(this.tree(), className, text);
  }

  /** Taps a node the way the view layer reports it: the page's event handler with the node's sid. */
  tap(node: ViewNode, page: PageInstance = this.page): void {
    this.dispatch(node, 'tap', {}, page);
  }

  /** Types into an input the way the view layer reports it: an `input` event carrying the whole new value. */
  input(node: ViewNode, value: string, page: PageInstance = this.page): void {
    this.dispatch(node, 'input', { value, cursor: value.length }, page);
  }

  private dispatch(node: ViewNode, type: string, detail: Record<string, unknown>, page: PageInstance): void {
    if (!node.sid) throw new Error(`node has no sid: ${safeJson(node).slice(0, 200)}`);
    const target = { id: node.uid ?? node.sid, dataset: { sid: node.sid } };
    const eh = page.eh as ((e: unknown) => void) | undefined;
    if (typeof eh !== 'function') throw new Error(`page ${page.route} has no eh`);
    eh.call(page, { type, timeStamp: Date.now(), currentTarget: target, target, detail });
  }

  /** Taps the one node with `className` whose text contains `text`. */
  tapOn(className: string, text?: string | RegExp): void {
    const nodes = this.find(className, text);
    if (nodes.length !== 1) throw new Error(`expected one .${className} ${String(text ?? '')} on ${this.page.route}, found ${nodes.length}; the page shows: ${this.text()}`);
    this.tap(nodes[0]!);
  }

  /**
   * Polls (real time) until `check` returns a value other than undefined/false/null. Gives up at once when `failWhen`
   * returns a reason (the page shows a failure that no waiting will fix), else after `timeoutMs`.
   */
  async waitFor<T>(what: string, check: () => T | undefined | null | false, options: { timeoutMs?: number; failWhen?: () => string | undefined } = {}): Promise<T> {
    const { timeoutMs = 20_000, failWhen = () => this.failureShown() } = options;
    const started = Date.now();
    for (;;) {
      let value: T | undefined | null | false;
      try {
        value = check();
      } catch {
        value = undefined;
      }
      if (value !== undefined && value !== null && value !== false) return value;
      const failure = failWhen();
      if (failure) throw new Error(`${what}: ${failure}`);
      if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** A login failure on screen, which no waiting fixes («登录失败» and its reason). */
  failureShown(): string | undefined {
    const top = this.stack[this.stack.length - 1];
    if (!top) return undefined;
    const banner = byClass(this.tree(top), 'error-banner', '登录失败')[0];
    return banner ? `the page shows «${textOf(banner)}»` : undefined;
  }

  /** What a failing test should print: the page, refusals, unknown platform reads, recent logs. */
  diagnosis(): string {
    const top = this.stack[this.stack.length - 1];
    return [
      `page: ${top?.route ?? '(none)'} shows «${top ? this.text(top) : ''}»`,
      `refused by the platform: ${safeJson(this.phone.refusals)}`,
      `unknown platform reads: ${[...this.phone.unknownReads].join(', ') || '(none)'}`,
      `http: ${this.phone.http.map((h) => `${h.method} ${h.url} ${h.status}`).join(' | ')}`,
      `logs:\n${this.logs.slice(-15).join('\n')}`,
    ].join('\n');
  }

  /** Closes the app: no timer of it runs afterwards. */
  /** Evaluates an expression inside the app's context (what the engine itself would see). */
  evaluate<T>(expression: string): T {
    return vm.runInContext(expression, this.context) as T;
  }

  close(): void {
    this.timers.stop();
  }

  // Navigation, called by the platform global.

  async navigate(kind: 'navigateTo' | 'redirectTo' | 'switchTab' | 'reLaunch', url: string): Promise<void> {
    const [pathPart, queryPart = ''] = url.replace(/^\//, '').split('?');
    const route = pathPart!;
    if (!this.pageConfigs.has(route)) throw new Error(`no page ${route}`);
    const query = Object.fromEntries(new URLSearchParams(queryPart));
    const isTab = this.tabRoutes().includes(route);
    if (kind === 'navigateTo' && isTab) throw new Error(`navigateTo cannot open the tab page ${route}; use switchTab`);
    if (kind === 'switchTab' && !isTab) throw new Error(`switchTab can only open a tab page, not ${route}`);
    if (kind === 'navigateTo') this.hide(this.stack[this.stack.length - 1]);
    if (kind === 'redirectTo') this.unload(this.stack.pop());
    if (kind === 'reLaunch' || kind === 'switchTab') {
      while (this.stack.length) {
        const p = this.stack.pop()!;
        if (this.tabPages.get(p.route) === p) this.hide(p);
        else this.unload(p);
      }
    }
    if (kind === 'reLaunch') {
      for (const p of this.tabPages.values()) this.unload(p);
      this.tabPages.clear();
    }
    await this.open(route, query);
  }

  async back(delta: number): Promise<void> {
    if (this.stack.length <= 1) throw new Error('navigateBack: no page to go back to');
    for (let i = 0; i < delta && this.stack.length > 1; i++) this.unload(this.stack.pop());
    (this.page.onShow as () => void)?.call(this.page);
  }

  private tabRoutes(): string[] {
    const tabBar = this.appJson.tabBar;
    return (tabBar?.list ?? tabBar?.items ?? []).map((t) => t.pagePath);
  }

  private async open(route: string, query: Record<string, string>): Promise<void> {
    const alive = this.tabPages.get(route);
    if (alive) {
      this.stack.push(alive);
      (alive.onShow as () => void)?.call(alive);
      return;
    }
    const page = this.instantiate(route, query);
    this.stack.push(page);
    if (this.tabRoutes().includes(route)) this.tabPages.set(route, page);
    (page.onLoad as (q: unknown) => void)?.call(page, query);
    (page.onShow as () => void)?.call(page);
    (page.onReady as () => void)?.call(page);
  }

  private instantiate(route: string, query: Record<string, string>): PageInstance {
    const config = this.pageConfigs.get(route)!;
    const calls: Record<string, unknown>[] = [];
    const page = { ...config } as unknown as PageInstance;
    Object.assign(page, {
      route,
      __route__: route,
      options: query,
      data: JSON.parse(JSON.stringify(config.data ?? {})),
      setDataCalls: calls,
      setData: (payload: Record<string, unknown>, cb?: () => void) => {
        calls.push(payload);
        applySetData(page.data, payload);
        if (typeof cb === 'function') setTimeout(cb, 0);
      },
    });
    return page;
  }

  private hide(page: PageInstance | undefined): void {
    (page?.onHide as (() => void) | undefined)?.call(page);
  }

  private unload(page: PageInstance | undefined): void {
    (page?.onUnload as (() => void) | undefined)?.call(page);
  }

  /** CommonJS over the dist folder: relative requires, `.js` implied, one instance per file. */
  private require(file: string): unknown {
    const resolved = file.endsWith('.js') ? file : `${file}.js`;
    const cached = this.modules.get(resolved);
    if (cached) return cached.exports;
    const module = { exports: {} as unknown };
    this.modules.set(resolved, module);
    const source = fs.readFileSync(resolved, 'utf8');
    const fn = vm.runInContext(`(function (require, module, exports) {${source}\n})`, this.context, { filename: resolved }) as (
      r: (p: string) => unknown,
      m: { exports: unknown },
      e: unknown,
    ) => void;
    const localRequire = (p: string) => {
      if (!p.startsWith('.')) throw new Error(`${path.relative(this.distDir, resolved)} requires "${p}": only files of the package can be required`);
      return this.require(path.resolve(path.dirname(resolved), p));
    };
    fn.call(module.exports, localRequire, module, module.exports);
    return module.exports;
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export { Phone };
