import { Text, View } from '@tarojs/components';
import type { AdminPool, RuleKind } from '@/services';
import { RULE_KINDS, type RuleForm } from '@/utils/pool-form';
import { Choice, Field, TextInput, Toggle } from './fields';

const SHOWN = new Set(['kind', 'days', 'workingDaysOnly', 'exemptWonCustomers', 'levels', 'tags', 'remindDaysBefore', 'notifyManager', 'targetPoolId']);

/** One reclaim rule of the pool being edited. */
export function RuleCard({
  rule,
  index,
  pools,
  poolId,
  errors,
  onChange,
  onRemove,
}: {
  rule: RuleForm;
  index: number;
  pools: AdminPool[];
  poolId: number;
  errors: Record<string, string>;
  onChange: (rule: RuleForm) => void;
  /** Only for rules added in this edit: stored rules are switched off instead (reclaims keep pointing at them). */
  onRemove?: () => void;
}) {
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => onChange({ ...rule, [key]: value });
  const kind = RULE_KINDS.find((k) => k.kind === rule.kind)!;
  // Errors on no shown field (a stale version) go at the top of the card.
  const other = Object.entries(errors).filter(([k]) => !SHOWN.has(k));
  return (
    <View className={`admin__rule ${rule.enabled ? '' : 'admin__rule--off'}`} data-testid={`rule-${index}`}>
      <View className='admin__rule-head'>
        <Text className='admin__rule-title'>
          规则 {index + 1}
          {rule.id === undefined ? '（新）' : ''} · {kind.label}
        </Text>
        <Toggle checked={rule.enabled} onChange={(v) => set('enabled', v)} testId={`rule-${index}-enabled`} />
      </View>
      {other.map(([k, v]) => (
        <Text key={k} className='admin__error'>
          {v}
        </Text>
      ))}
      <Field label='类型' hint={kind.hint} error={errors.kind}>
        <Choice options={RULE_KINDS.map((k) => ({ value: k.kind as RuleKind, label: k.label }))} value={rule.kind} onChange={(v) => set('kind', v)} testId={`rule-${index}-kind`} />
      </Field>
      <Field label='天数' error={errors.days}>
        <TextInput number value={rule.days} onChange={(v) => set('days', v)} testId={`rule-${index}-days`} />
      </Field>
      <Field label='只算工作日' hint='周末和节假日不计，调休上班日计入' error={errors.workingDaysOnly}>
        <Toggle checked={rule.workingDaysOnly} onChange={(v) => set('workingDaysOnly', v)} />
      </Field>
      <Field label='已成交客户不收回' error={errors.exemptWonCustomers}>
        <Toggle checked={rule.exemptWonCustomers} onChange={(v) => set('exemptWonCustomers', v)} />
      </Field>
      <Field label='适用等级' hint='如 A, B；留空为全部等级' error={errors.levels}>
        <TextInput value={rule.levels} onChange={(v) => set('levels', v)} placeholder='全部等级' />
      </Field>
      <Field label='适用标签' hint='留空为全部客户' error={errors.tags}>
        <TextInput value={rule.tags} onChange={(v) => set('tags', v)} placeholder='全部客户' />
      </Field>
      <Field label='提前提醒（天）' hint='如 3, 1：到期前 3 天和 1 天提醒业务员' error={errors.remindDaysBefore}>
        <TextInput value={rule.remindDaysBefore} onChange={(v) => set('remindDaysBefore', v)} placeholder='不提醒' />
      </Field>
      <Field label='抄送经理' error={errors.notifyManager}>
        <Toggle checked={rule.notifyManager} onChange={(v) => set('notifyManager', v)} />
      </Field>
      <Field label='收回到' error={errors.targetPoolId}>
        <Choice
          options={[{ value: null as number | null, label: '本公海' }, ...pools.filter((p) => p.id !== poolId).map((p) => ({ value: p.id as number | null, label: p.name }))]}
          value={rule.targetPoolId}
          onChange={(v) => set('targetPoolId', v)}
        />
      </Field>
      {onRemove ? (
        <Text className='admin__link admin__link--danger' onClick={onRemove}>
          删除这条新规则
        </Text>
      ) : null}
    </View>
  );
}
