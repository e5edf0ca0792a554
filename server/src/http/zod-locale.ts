import { z } from 'zod';

/**
 * Zod's default messages, in plain Chinese that says what to change (a client shows them to people). zod's own zh-CN
 * locale still reads `数值过大：期望 number <=90`; this one reads `数值过大，应不大于 90`. Messages a schema gives itself
 * take precedence over these. Set once, on import, by the module that formats errors, so every app gets it.
 */
type Issue = z.core.$ZodRawIssue;

const typeNames: Record<string, string> = {
  number: '数字',
  int: '整数',
  bigint: '整数',
  string: '文字',
  boolean: 'true 或 false',
  array: '数组（列表）',
  object: '对象（{…}）',
  date: '日期',
  null: 'null',
};

const formatNames: Record<string, string> = {
  datetime: '带时区的 ISO 时间，例如 2026-11-17T02:00:00+08:00',
  date: 'YYYY-MM-DD 日期，例如 2026-11-17',
  time: 'HH:MM:SS 时间',
  email: '邮箱地址',
  url: '网址',
  uuid: 'UUID',
};

const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));

function received(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return '数组';
  if (typeof input === 'number') return Number.isNaN(input) ? '无法识别的数字' : '数字';
  if (typeof input === 'string') return '文字';
  if (typeof input === 'boolean') return 'true/false';
  if (typeof input === 'object') return '对象';
  return typeof input;
}

function sizeUnit(origin: string): string | null {
  if (origin === 'string') return '个字';
  if (origin === 'array' || origin === 'set' || origin === 'map') return '项';
  if (origin === 'file') return '字节';
  return null;
}

/** The Chinese message for one issue zod raised without a message of its own. */
export function chineseIssueMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return '缺少此项，请填写';
      const expected = typeNames[issue.expected] ?? issue.expected;
      if (issue.expected === 'int' && typeof issue.input === 'number') return '必须是整数';
      if ((issue.expected === 'number' || issue.expected === 'int') && typeof issue.input === 'number') return '必须是有限的数字';
      return `应为${expected}，收到的是${received(issue.input)}`;
    }
    case 'too_big': {
      const unit = sizeUnit(issue.origin);
      const max = String(issue.maximum);
      if (unit) return issue.origin === 'string' ? `太长了，最多 ${max} ${unit}` : `太多了，最多 ${max} ${unit}`;
      return issue.inclusive ? `数值过大，应不大于 ${max}` : `数值过大，应小于 ${max}`;
    }
    case 'too_small': {
      const unit = sizeUnit(issue.origin);
      const min = String(issue.minimum);
      if (unit && Number(issue.minimum) === 1 && issue.inclusive !== false) return issue.origin === 'string' ? '不能为空，请填写' : '不能为空，至少 1 项';
      if (unit) return issue.origin === 'string' ? `太短了，至少 ${min} ${unit}` : `太少了，至少 ${min} ${unit}`;
      return issue.inclusive ? `数值过小，应不小于 ${min}` : `数值过小，应大于 ${min}`;
    }
    case 'invalid_format':
      return formatNames[issue.format] ? `格式不对，应为${formatNames[issue.format]}` : '格式不对，请检查后重填';
    case 'not_multiple_of':
      return `必须是 ${String(issue.divisor)} 的倍数`;
    case 'unrecognized_keys':
      return `不支持的字段：${issue.keys.slice(0, 5).map((k) => k.slice(0, 32)).join('、')}，请删掉`;
    case 'invalid_value': {
      const choices = issue.values.length === 1 ? show(issue.values[0]) : `${issue.values.map(show).join('、')} 之一`;
      return issue.input === undefined ? `缺少此项，请填写 ${choices}` : `只能是 ${choices}`;
    }
    case 'invalid_key':
      return '含有不正确的键名，请检查';
    case 'invalid_element':
      return '含有不正确的值，请检查';
    case 'invalid_union':
      return '格式不对，请检查后重填';
    default:
      return '不正确，请检查后重填';
  }
}

z.config({ localeError: chineseIssueMessage });
