import type { AdminPool, AdminRule, PoolBody, PreviewBody, PreviewResult, RuleKind } from '@/services/api-types';
import { ApiError } from '@/services/errors';

/**
 * The 公海设置 form: what the admin edits, kept as text where the admin types numbers, so a half-typed value stays on
 * screen with its error instead of being lost. `toPoolBody` turns it into the PUT body (and the preview's rules) and
 * reports every field that fails, keyed the way the server's zod issues are (`rules.0.days`).
 */
export interface RuleForm {
  /** Stored rule id; absent for a rule added in this edit. */
  id?: number;
  /** The version this form was loaded at: the server refuses the save when someone changed the rule meanwhile. */
  version?: number;
  kind: RuleKind;
  days: string;
  enabled: boolean;
  /** Comma-separated customer levels this rule applies to (empty: all). */
  levels: string;
  tags: string;
  exemptWonCustomers: boolean;
  workingDaysOnly: boolean;
  /** Comma-separated days before the due date to remind the rep. */
  remindDaysBefore: string;
  notifyManager: boolean;
  targetPoolId: number | null;
}

export interface PoolForm {
  id: number;
  name: string;
  parentPoolId: number | null;
  escalate: boolean;
  escalateAfterDays: string;
  escalateToPoolId: number | null;
  maxOwnedPerRep: string;
  /** Per-level caps as rows; an empty level row is ignored. */
  levelCaps: { level: string; cap: string }[];
  capExcludesWon: boolean;
  dailyClaimLimit: string;
  priorOwnerCooldownDays: string;
  /** Empty: no claim distance limit. */
  claimRadiusM: string;
  rules: RuleForm[];
}

/** Field key → Chinese message; `_` holds what belongs to no single field. */
export type FieldErrors = Record<string, string>;

export const RULE_KINDS: { kind: RuleKind; label: string; hint: string }[] = [
  { kind: 'no_verified_visit', label: '无有效拜访', hint: '持有后 N 天内没有通过校验的拜访签到' },
  { kind: 'no_follow_up', label: '无跟进', hint: 'N 天没有跟进记录' },
  { kind: 'no_deal', label: '未成交', hint: '持有 N 天仍未成交' },
  { kind: 'protection_max', label: '最长保护期', hint: '无论跟进与否，最多持有 N 天' },
];
export const kindLabel = (kind: string): string => RULE_KINDS.find((k) => k.kind === kind)?.label ?? kind;

const list = (xs: readonly (string | number)[]) => xs.join(', ');
const text = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

export function ruleToForm(r: AdminRule): RuleForm {
  return {
    id: r.id,
    version: r.version,
    kind: r.kind,
    days: String(r.days),
    enabled: r.enabled,
    levels: list(r.levels),
    tags: list(r.tags),
    exemptWonCustomers: r.exemptWonCustomers,
    workingDaysOnly: r.workingDaysOnly,
    remindDaysBefore: list(r.remindDaysBefore),
    notifyManager: r.notifyManager,
    targetPoolId: r.targetPoolId,
  };
}

export function poolToForm(p: AdminPool): PoolForm {
  return {
    id: p.id,
    name: p.name,
    parentPoolId: p.parentPoolId,
    escalate: p.escalateAfterDays !== null,
    escalateAfterDays: text(p.escalateAfterDays),
    escalateToPoolId: p.escalateToPoolId,
    maxOwnedPerRep: String(p.maxOwnedPerRep),
    levelCaps: Object.entries(p.maxOwnedPerLevel)
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([level, cap]) => ({ level, cap: String(cap) })),
    capExcludesWon: p.capExcludesWon,
    dailyClaimLimit: String(p.dailyClaimLimit),
    priorOwnerCooldownDays: String(p.priorOwnerCooldownDays),
    claimRadiusM: text(p.claimRadiusM),
    rules: p.rules.map(ruleToForm),
  };
}

/** A new rule as the admin first sees it: enabled, 30 days without a verified visit, reminders 3 and 1 days before. */
export const newRule = (): RuleForm => ({
  kind: 'no_verified_visit',
  days: '30',
  enabled: true,
  levels: '',
  tags: '',
  exemptWonCustomers: true,
  workingDaysOnly: false,
  remindDaysBefore: '3, 1',
  notifyManager: false,
  targetPoolId: null,
});

/** A whole number in [min, max] typed as text, or the message saying what is wrong. */
function intField(raw: string, what: string, min: number, max: number): number | string {
  const s = raw.trim();
  if (s === '') return `请填写${what}`;
  if (!/^-?\d+$/.test(s)) return `${what}必须是整数`;
  const n = Number(s);
  if (n < min) return `${what}不能小于 ${min}`;
  if (n > max) return `${what}不能大于 ${max}`;
  return n;
}

const splitList = (raw: string): string[] =>
  raw
    .split(/[,，、\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** One rule of the body; errors go under `rules.<i>.<field>`. */
function ruleBody(r: RuleForm, i: number, errors: FieldErrors) {
  const at = (f: string) => `rules.${i}.${f}`;
  const days = intField(r.days, '天数', 1, 3650);
  if (typeof days === 'string') errors[at('days')] = days;
  const levels = splitList(r.levels).map((l) => l.toUpperCase());
  if (new Set(levels).size !== levels.length) errors[at('levels')] = '客户等级不能重复';
  const tags = splitList(r.tags);
  if (new Set(tags).size !== tags.length) errors[at('tags')] = '标签不能重复';
  const remind: number[] = [];
  for (const part of splitList(r.remindDaysBefore)) {
    const d = intField(part, '提前提醒天数', 1, 3650);
    if (typeof d === 'string') {
      errors[at('remindDaysBefore')] = d;
      break;
    }
    if (typeof days === 'number' && d > days) {
      errors[at('remindDaysBefore')] = `提前 ${d} 天提醒超过了规则的 ${days} 天`;
      break;
    }
    if (remind.includes(d)) {
      errors[at('remindDaysBefore')] = '提前提醒天数不能重复';
      break;
    }
    remind.push(d);
  }
  if (remind.length > 10) errors[at('remindDaysBefore')] = '提前提醒最多 10 个';
  return {
    ...(r.id === undefined ? {} : { id: r.id }),
    ...(r.version === undefined ? {} : { version: r.version }),
    kind: r.kind,
    days: typeof days === 'number' ? days : 0,
    enabled: r.enabled,
    levels,
    tags,
    exemptWonCustomers: r.exemptWonCustomers,
    workingDaysOnly: r.workingDaysOnly,
    remindDaysBefore: remind.sort((a, b) => b - a),
    notifyManager: r.notifyManager,
    targetPoolId: r.targetPoolId,
  };
}

/**
 * The `PUT /api/v1/admin/pools/:id` body for the form, and every field error found on the way (an empty object when
 * the body is good to send). Member departments are left out, so a save keeps them.
 */
export function toPoolBody(f: PoolForm): { body: PoolBody; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const num = (key: keyof PoolForm, raw: string, what: string, min: number, max: number): number => {
    const v = intField(raw, what, min, max);
    if (typeof v === 'string') {
      errors[key] = v;
      return 0;
    }
    return v;
  };
  const name = f.name.trim();
  if (!name) errors.name = '请填写公海名称';
  else if (name.length > 64) errors.name = '公海名称最长 64 个字';
  const maxOwnedPerRep = num('maxOwnedPerRep', f.maxOwnedPerRep, '每人最多持有', 1, 100_000);
  const dailyClaimLimit = num('dailyClaimLimit', f.dailyClaimLimit, '每日领取上限', 1, 10_000);
  const priorOwnerCooldownDays = num('priorOwnerCooldownDays', f.priorOwnerCooldownDays, '原持有人冷却天数', 0, 3650);
  const claimRadiusM = f.claimRadiusM.trim() === '' ? null : num('claimRadiusM', f.claimRadiusM, '领取距离', 10, 50_000);
  let escalateAfterDays: number | null = null;
  let escalateToPoolId: number | null = null;
  if (f.escalate) {
    escalateAfterDays = num('escalateAfterDays', f.escalateAfterDays, '无人领取升级天数', 1, 3650);
    escalateToPoolId = f.escalateToPoolId;
    if (escalateToPoolId === null) errors.escalateToPoolId = '请选择升级到哪个公海';
    else if (escalateToPoolId === f.id) errors.escalateToPoolId = '不能升级到本公海';
  }
  const maxOwnedPerLevel: Record<string, number> = {};
  const levelsSeen = new Set<string>();
  for (const row of f.levelCaps) {
    const level = row.level.trim().toUpperCase();
    if (!level && !row.cap.trim()) continue;
    const key = `maxOwnedPerLevel.${level || '?'}`;
    if (!level) {
      errors[key] ??= '请填写客户等级';
      continue;
    }
    if (levelsSeen.has(level)) {
      errors[key] ??= `等级 ${level} 出现了两次`;
      continue;
    }
    levelsSeen.add(level);
    const cap = intField(row.cap, `${level} 级持有上限`, 0, 100_000);
    if (typeof cap === 'string') errors[key] ??= cap;
    else maxOwnedPerLevel[level] = cap;
  }
  if (f.rules.length > 20) errors.rules = '一个公海最多 20 条规则';
  const rules = f.rules.map((r, i) => ruleBody(r, i, errors));
  return {
    body: { name, parentPoolId: f.parentPoolId, escalateAfterDays, escalateToPoolId, maxOwnedPerRep, maxOwnedPerLevel, capExcludesWon: f.capExcludesWon, dailyClaimLimit, priorOwnerCooldownDays, claimRadiusM, rules },
    errors,
  };
}

/** The preview body: the form's whole rule list (rules the admin deleted count as disabled, as the save would leave them). */
export function toPreviewBody(f: PoolForm, now?: string): { body: PreviewBody; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const rules = f.rules.map((r, i) => ruleBody(r, i, errors));
  return { body: now === undefined ? { rules } : { rules, now }, errors };
}

/** The rule-level errors only (the preview needs nothing else to be valid). */
export const ruleErrors = (errors: FieldErrors): FieldErrors => Object.fromEntries(Object.entries(errors).filter(([k]) => k.startsWith('rules')));

/**
 * The server's refusal as field errors: zod issues land on their fields (`rules.0.days`, `maxOwnedPerLevel.A`), a
 * coded error naming a field (a stale rule version, an escalation cycle) on that field, and the summary or the
 * server's own message under `_`.
 */
export function serverFieldErrors(err: unknown): FieldErrors {
  if (!(err instanceof ApiError)) return { _: err instanceof Error ? err.message : '保存失败，请重试' };
  const issues = (err.details.issues as { path: string; message: string }[] | undefined) ?? [];
  const out: FieldErrors = {};
  // Reference and version errors name their field (`field: 'rules.1.version'`): shown on the rule and at the top.
  if (typeof err.details.field === 'string') {
    return { [err.details.field]: err.message, _: err.message };
  }
  for (const i of issues) {
    const key = i.path || '_';
    if (!(key in out)) out[key] = i.message;
  }
  if (!('_' in out)) out._ = issues.length === 0 ? err.message : `有 ${Object.keys(out).length} 处填写有误，请按标红的提示修改后再保存`;
  return out;
}

/** Errors of one rule, for its card, with the field name without the `rules.<i>.` prefix. */
export function errorsOfRule(errors: FieldErrors, i: number): Record<string, string> {
  const prefix = `rules.${i}.`;
  return Object.fromEntries(Object.entries(errors).flatMap(([k, v]) => (k.startsWith(prefix) ? [[k.slice(prefix.length), v]] : [])));
}

/**
 * The dry run in one sentence, as the admin reads it before saving: «此修改将收回 N 个客户（现有规则下 M 个）：…».
 * `current` is the same dry run with the stored rules, so the admin sees what the change itself adds. Escalation of
 * long-unclaimed pool customers follows the pool's escalation setting, not the rules, so it is said apart.
 */
export function previewHeadline(p: PreviewResult, current?: PreviewResult | null): string {
  const compare = current ? `（现有规则下 ${current.reclaimed} 个）` : '';
  const escalated = p.escalated ? `今晚另有 ${p.escalated} 个久无人领取的公海客户将按升级设置转到上级公海（与回收规则无关）` : '';
  if (p.reclaimed === 0) return `此修改不会收回任何客户${compare}${escalated ? `；${escalated}` : ''}`;
  const parts: string[] = [];
  if (p.byRule.length) parts.push(p.byRule.map((r) => `${r.days} 天${kindLabel(r.kind)} ${r.count} 个`).join('，'));
  if (p.byRep.length) {
    const reps = p.byRep.slice(0, 3).map((r) => `${r.name} ${r.count} 个`);
    parts.push(`涉及 ${p.byRep.length} 名业务员（${reps.join('、')}${p.byRep.length > 3 ? ' 等' : ''}）`);
  }
  if (escalated) parts.push(escalated);
  return `此修改将收回 ${p.reclaimed} 个客户${compare}：${parts.join('；')}`;
}

/** Whether the form differs from the pool as loaded (the save button stays off otherwise). */
export function formChanged(f: PoolForm, p: AdminPool): boolean {
  return JSON.stringify(toPoolBody(f).body) !== JSON.stringify(toPoolBody(poolToForm(p)).body);
}
