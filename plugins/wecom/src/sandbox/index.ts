export { createWeComSandbox, weComSandboxPaths, weComSandboxPrefix } from './wecom.sandbox';
export type { WeComSandbox, WeComSandboxOptions } from './wecom.sandbox';
