import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { DepartmentTree } from '@/components/department-tree';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { SessionGate } from '@/components/session-gate';
import { api, type AdminDepartmentNode, type AdminPool, type PoolCustomerCounts, type PreviewResult } from '@/services';
import {
  errorsOfRule,
  formChanged,
  kindLabel,
  newRule,
  poolToForm,
  previewHeadline,
  ruleErrors,
  serverFieldErrors,
  toPoolBody,
  toPreviewBody,
  type FieldErrors,
  type PoolForm,
} from '@/utils/pool-form';
import { CalendarEditor } from './calendar-editor';
import { Choice, Field, TextInput, Toggle } from './fields';
import { RuleCard } from './rule-card';
import './index.scss';

/** What 新建公海 starts from: the demo's usual limits, no departments yet, one 30-day rule. */
const BLANK_POOL: AdminPool = {
  id: 0,
  name: '',
  parentPoolId: null,
  escalateAfterDays: null,
  escalateToPoolId: null,
  maxOwnedPerRep: 200,
  maxOwnedPerLevel: {},
  capExcludesWon: false,
  dailyClaimLimit: 20,
  priorOwnerCooldownDays: 30,
  claimRadiusM: null,
  departmentIds: [],
  rules: [],
  archivedAt: null,
};

const sameIds = (a: string[], b: string[]) => [...a].sort().join(',') === [...b].sort().join(',');

function PoolSettings() {
  const [pools, setPools] = useState<AdminPool[] | null>(null);
  const [departments, setDepartments] = useState<AdminDepartmentNode[]>([]);
  const [counts, setCounts] = useState<PoolCustomerCounts[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  /** The pool being edited, or 'new' while 新建公海 is open. */
  const [poolId, setPoolId] = useState<number | 'new' | null>(null);
  const [form, setForm] = useState<PoolForm | null>(null);
  const [memberIds, setMemberIds] = useState<string[]>([]);
  const [archiveTo, setArchiveTo] = useState<number | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [preview, setPreview] = useState<{ key: string; result: PreviewResult; current: PreviewResult } | null>(null);
  const [busy, setBusy] = useState<'preview' | 'save' | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const load = useCallback(() => {
    setLoadError(null);
    Promise.all([api.admin.pools(), api.admin.departments(), api.admin.poolCounts()])
      .then(([p, d, c]) => {
        setPools(p.items);
        setDepartments(d.items);
        setCounts(c.items);
        setPoolId((id) => id ?? p.items.find((x) => x.archivedAt === null)?.id ?? null);
      })
      .catch((err: unknown) => setLoadError(err instanceof Error ? err.message : '加载失败'));
  }, []);
  useEffect(load, [load]);

  const creating = poolId === 'new';
  const pool = creating ? BLANK_POOL : (pools?.find((p) => p.id === poolId) ?? null);
  useEffect(() => {
    setForm(pool ? (pool === BLANK_POOL ? { ...poolToForm(pool), rules: [newRule()] } : poolToForm(pool)) : null);
    setMemberIds(pool?.departmentIds ?? []);
    setArchiveTo(null);
    setErrors({});
    setPreview(null);
  }, [pool]);

  // The preview belongs to the exact rule list it ran on; any edit of a rule makes it stale.
  const previewKey = useMemo(() => (form ? JSON.stringify(toPreviewBody(form).body) : ''), [form]);
  const freshPreview = preview && preview.key === previewKey ? preview : null;
  const changed = form && pool ? creating || formChanged(form, pool) || !sameIds(memberIds, pool.departmentIds) : false;

  const edit = (f: PoolForm) => {
    setForm(f);
    setSaved(null);
  };

  const runPreview = async (): Promise<PreviewResult | null> => {
    if (!form || !pool) return null;
    const { body, errors: found } = toPreviewBody(form);
    if (Object.keys(found).length) {
      setErrors({ ...found, _: '规则有误，请按标红的提示修改后再预览' });
      return null;
    }
    setBusy('preview');
    try {
      // The same dry run with the stored rules beside it, so the admin sees what the change itself adds.
      const [result, current] = await Promise.all([api.admin.preview(pool.id, body), api.admin.preview(pool.id, {})]);
      setPreview({ key: JSON.stringify(body), result, current });
      setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith('rules') && k !== '_')));
      return result;
    } catch (err) {
      setErrors(serverFieldErrors(err));
      return null;
    } finally {
      setBusy(null);
    }
  };

  const save = async () => {
    if (!form || !pool || busy) return;
    const { body, errors: found } = toPoolBody(form);
    if (Object.keys(found).length) {
      setErrors({ ...found, _: `有 ${Object.keys(found).length} 处填写有误，请按标红的提示修改后再保存` });
      return;
    }
    if (creating) {
      setBusy('save');
      try {
        const { pool: created } = await api.admin.createPool({ ...body, departmentIds: memberIds });
        setPools((list) => [...(list ?? []), created]);
        setPoolId(created.id);
        setSaved(`已新建「${created.name}」`);
      } catch (err) {
        setErrors(serverFieldErrors(err));
      } finally {
        setBusy(null);
      }
      return;
    }
    // Nobody saves rules without having seen what they would reclaim: a stale preview runs first and the admin confirms.
    if (!freshPreview) {
      await runPreview();
      return;
    }
    setBusy('save');
    try {
      const { pool: updated } = await api.admin.updatePool(pool.id, { ...body, departmentIds: memberIds });
      setPools((list) => list?.map((p) => (p.id === updated.id ? updated : p)) ?? null);
      setErrors({});
      setSaved(`已保存「${updated.name}」`);
    } catch (err) {
      setErrors(serverFieldErrors(err));
    } finally {
      setBusy(null);
    }
  };

  if (loadError) return <ErrorBanner title='加载失败' message={loadError} onRetry={load} />;
  if (!pools) return <Loading text='正在加载公海…' />;

  const setField = <K extends keyof PoolForm>(key: K, value: PoolForm[K]) => form && edit({ ...form, [key]: value });
  const others = pools.filter((p) => p.id !== poolId && p.archivedAt === null);
  const deptName = (id: string) => departments.find((d) => d.id === id)?.name ?? id;
  const countOf = (id: number) => counts.find((c) => c.poolId === id) ?? { poolId: id, poolCustomers: 0, ownedCustomers: 0 };
  const archived = pool !== null && pool.archivedAt !== null;

  const archive = async () => {
    if (!pool || creating || busy) return;
    const target = others.find((p) => p.id === archiveTo);
    if (!target) {
      setErrors({ archive: '请先选择客户移入哪个公海' });
      return;
    }
    const c = countOf(pool.id);
    const { confirm } = await Taro.showModal({
      title: `归档「${pool.name}」`,
      content: `${c.poolCustomers + c.ownedCustomers} 个客户（公海中 ${c.poolCustomers} 个、已被领取 ${c.ownedCustomers} 个，领取人不变）将移入「${target.name}」。归档后不能再修改或领取，名称保留。确定归档吗？`,
      confirmText: '归档',
    });
    if (!confirm) return;
    setBusy('save');
    try {
      const { moved } = await api.admin.archivePool(pool.id, target.id);
      setSaved(`已归档「${pool.name}」，${moved.poolCustomers + moved.ownedCustomers} 个客户移入「${target.name}」`);
      setPoolId(target.id);
      load();
    } catch (err) {
      setErrors(serverFieldErrors(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <View className='admin'>
      <View className='admin__section'>
        <View className='admin__section-head'>
          <Text className='admin__section-title'>公海池</Text>
          <Text className='admin__link' onClick={() => setPoolId('new')} data-testid='new-pool'>
            新建公海
          </Text>
        </View>
        <View data-testid='pool-list'>
          {pools.map((p) => {
            const c = countOf(p.id);
            return (
              <View key={p.id} className={`admin__pool ${p.id === poolId ? 'admin__pool--on' : ''} ${p.archivedAt ? 'admin__pool--archived' : ''}`} onClick={() => setPoolId(p.id)} data-testid={`pool-${p.id}`}>
                <View className='admin__pool-head'>
                  <Text className='admin__pool-name'>{p.name}</Text>
                  <Text className='admin__pool-count' data-testid={`pool-${p.id}-count`}>
                    {p.archivedAt ? '已归档 · ' : ''}公海 {c.poolCustomers} · 已领 {c.ownedCustomers}
                  </Text>
                </View>
                <Text className='admin__muted' data-testid={`pool-${p.id}-departments`}>
                  成员部门：{p.departmentIds.length ? p.departmentIds.map(deptName).join('、') : '无（没有人能领取）'}
                </Text>
              </View>
            );
          })}
        </View>
      </View>

      {saved ? <ErrorBanner tone='success' message={saved} /> : null}
      {errors._ ? <ErrorBanner title='无法保存' message={errors._} /> : null}
      {archived ? <ErrorBanner tone='warning' message={`「${pool.name}」已归档，不能再修改；如需同样的设置，请新建一个公海。`} /> : null}

      {form && pool && !archived ? (
        <View>
          <View className='admin__section'>
            <Text className='admin__section-title'>领取设置</Text>
            <Field label='公海名称' error={errors.name}>
              <TextInput value={form.name} onChange={(v) => setField('name', v)} testId='pool-name' />
            </Field>
            <Field label='上级公海' hint='本公海的客户在回收和升级时可去往上级'>
              <Text className='admin__muted'>{pools.find((p) => p.id === form.parentPoolId)?.name ?? '无'}</Text>
            </Field>
            <Field label='每人最多持有' error={errors.maxOwnedPerRep}>
              <TextInput number value={form.maxOwnedPerRep} onChange={(v) => setField('maxOwnedPerRep', v)} testId='max-owned' />
            </Field>
            <Field label='按等级上限' hint='每个等级最多持有多少个；不填则只受总上限限制'>
              <Text className='admin__link' onClick={() => setField('levelCaps', [...form.levelCaps, { level: '', cap: '' }])}>
                添加等级
              </Text>
            </Field>
            {form.levelCaps.map((row, i) => (
              <View key={i} className='admin__level-cap'>
                <TextInput value={row.level} placeholder='等级，如 A' onChange={(v) => setField('levelCaps', form.levelCaps.map((r, j) => (j === i ? { ...r, level: v } : r)))} />
                <TextInput number value={row.cap} placeholder='上限' onChange={(v) => setField('levelCaps', form.levelCaps.map((r, j) => (j === i ? { ...r, cap: v } : r)))} />
                <Text className='admin__link admin__link--danger' onClick={() => setField('levelCaps', form.levelCaps.filter((_, j) => j !== i))}>
                  删除
                </Text>
                {errors[`maxOwnedPerLevel.${row.level.trim().toUpperCase() || '?'}`] ? (
                  <Text className='admin__error admin__error--row'>{errors[`maxOwnedPerLevel.${row.level.trim().toUpperCase() || '?'}`]}</Text>
                ) : null}
              </View>
            ))}
            <Field label='已成交客户不占上限' error={errors.capExcludesWon}>
              <Toggle checked={form.capExcludesWon} onChange={(v) => setField('capExcludesWon', v)} />
            </Field>
            <Field label='每日领取上限' error={errors.dailyClaimLimit}>
              <TextInput number value={form.dailyClaimLimit} onChange={(v) => setField('dailyClaimLimit', v)} />
            </Field>
            <Field label='原持有人冷却（天）' hint='客户被收回或退回后，原持有人多少天内不能再领' error={errors.priorOwnerCooldownDays}>
              <TextInput number value={form.priorOwnerCooldownDays} onChange={(v) => setField('priorOwnerCooldownDays', v)} />
            </Field>
            <Field label='领取距离（米）' hint='留空不限；填写后只能领取这个距离内的客户' error={errors.claimRadiusM}>
              <TextInput number value={form.claimRadiusM} onChange={(v) => setField('claimRadiusM', v)} placeholder='不限' />
            </Field>
            <Field label='无人领取升级' hint='客户在本公海无人领取多少天后，升级到另一个公海' error={errors.escalateAfterDays}>
              <Toggle checked={form.escalate} onChange={(v) => setField('escalate', v)} />
            </Field>
            {form.escalate ? (
              <View>
                <Field label='无人领取天数' error={errors.escalateAfterDays}>
                  <TextInput number value={form.escalateAfterDays} onChange={(v) => setField('escalateAfterDays', v)} />
                </Field>
                <Field label='升级到' error={errors.escalateToPoolId}>
                  <Choice options={[{ value: null as number | null, label: '请选择' }, ...others.map((p) => ({ value: p.id as number | null, label: p.name }))]} value={form.escalateToPoolId} onChange={(v) => setField('escalateToPoolId', v)} />
                </Field>
              </View>
            ) : null}
          </View>

          <View className='admin__section' data-testid='members'>
            <Text className='admin__section-title'>成员部门</Text>
            <Text className='admin__hint'>选中部门（含下级部门）的成员可以领取本公海的客户。</Text>
            {errors.departmentIds ? <Text className='admin__error'>{errors.departmentIds}</Text> : null}
            <DepartmentTree
              departments={departments}
              right={(d) => {
                const on = memberIds.includes(d.id);
                return (
                  <Text
                    className={`admin__check ${on ? 'admin__check--on' : ''}`}
                    onClick={() => {
                      setMemberIds(on ? memberIds.filter((id) => id !== d.id) : [...memberIds, d.id]);
                      setSaved(null);
                    }}
                    data-testid={`member-${d.id}`}
                    data-on={on ? 'true' : 'false'}
                  >
                    {on ? '✓ 成员' : '加入'}
                  </Text>
                );
              }}
            />
          </View>

          <View className='admin__section'>
            <View className='admin__section-head'>
              <Text className='admin__section-title'>回收规则</Text>
              <Text className='admin__link' onClick={() => edit({ ...form, rules: [...form.rules, newRule()] })} data-testid='add-rule'>
                添加规则
              </Text>
            </View>
            <Text className='admin__hint'>客户满足任一启用的规则即在到期当晚收回公海。停用的规则保留在历史中，不会删除。</Text>
            {form.rules.map((r, i) => (
              <RuleCard
                key={r.id ?? `new-${i}`}
                rule={r}
                index={i}
                pools={pools}
                poolId={pool.id}
                errors={errorsOfRule(errors, i)}
                onChange={(next) => edit({ ...form, rules: form.rules.map((x, j) => (j === i ? next : x)) })}
                onRemove={r.id === undefined ? () => edit({ ...form, rules: form.rules.filter((_, j) => j !== i) }) : undefined}
              />
            ))}
          </View>

          {creating ? (
            <View className='admin__section'>
              <Text className='admin__hint'>新公海还没有客户：保存后，成员部门的人即可领取导入或新建到其中的客户。</Text>
              <View className='admin__actions'>
                <Text className='admin__button admin__button--ghost' onClick={() => setPoolId(null)}>
                  取消
                </Text>
                <Text className='admin__button' onClick={() => void save()} data-testid='create-pool'>
                  {busy === 'save' ? '保存中…' : '新建公海'}
                </Text>
              </View>
            </View>
          ) : (
            <View className='admin__section' data-testid='preview'>
              <Text className='admin__section-title'>修改预览</Text>
              {freshPreview ? (
                <PreviewPanel result={freshPreview.result} current={freshPreview.current} />
              ) : (
                <Text className='admin__hint'>{preview ? '规则已改动，请重新预览。' : '保存前先预览：按修改后的规则，今晚的回收会收回哪些客户。'}</Text>
              )}
              {Object.keys(ruleErrors(errors)).length > 0 && !errors._ ? <Text className='admin__error'>规则有误，请按标红的提示修改</Text> : null}
              <View className='admin__actions'>
                <Text className='admin__button admin__button--ghost' onClick={() => void runPreview()} data-testid='run-preview'>
                  {busy === 'preview' ? '预览中…' : '预览'}
                </Text>
                <Text className={`admin__button ${changed ? '' : 'admin__button--off'}`} onClick={() => changed && void save()} data-testid='save'>
                  {busy === 'save' ? '保存中…' : freshPreview ? `确认保存${freshPreview.result.reclaimed ? `（将收回 ${freshPreview.result.reclaimed} 个）` : ''}` : '预览并保存'}
                </Text>
              </View>
            </View>
          )}

          {!creating ? (
            <View className='admin__section' data-testid='archive-section'>
              <Text className='admin__section-title'>归档公海</Text>
              <Text className='admin__hint'>归档后公海不能再领取或修改，其中的客户移入另一个公海（已领取的客户领取人不变）。</Text>
              <Field label='客户移入' error={errors.archive ?? errors.moveCustomersToPoolId}>
                <Choice
                  options={[{ value: null as number | null, label: '请选择' }, ...others.map((p) => ({ value: p.id as number | null, label: p.name }))]}
                  value={archiveTo}
                  onChange={setArchiveTo}
                  testId='archive-target'
                />
              </Field>
              <View className='admin__actions'>
                <Text className='admin__button admin__button--danger' onClick={() => void archive()} data-testid='archive'>
                  归档
                </Text>
              </View>
            </View>
          ) : null}
        </View>
      ) : null}

      <CalendarEditor initialYear={new Date().getFullYear()} />
    </View>
  );
}

/** The dry run: «此修改将收回 N 个客户：…» with the split by rule, region and rep, and examples. */
function PreviewPanel({ result, current }: { result: PreviewResult; current: PreviewResult }) {
  return (
    <View className='admin__preview'>
      <Text className={`admin__preview-headline ${result.reclaimed ? 'admin__preview-headline--warn' : ''}`} data-testid='preview-headline'>
        {previewHeadline(result, current)}
      </Text>
      {result.byRule.length ? (
        <View className='admin__preview-group'>
          <Text className='admin__preview-title'>按规则</Text>
          {result.byRule.map((r) => (
            <Text key={r.ruleId} className='admin__preview-line'>
              {r.days} 天{kindLabel(r.kind)}：{r.count} 个
            </Text>
          ))}
        </View>
      ) : null}
      {result.byRegion.length ? (
        <View className='admin__preview-group'>
          <Text className='admin__preview-title'>按区域</Text>
          {result.byRegion.map((r) => (
            <Text key={r.region} className='admin__preview-line'>
              {r.region}：{r.count} 个
            </Text>
          ))}
        </View>
      ) : null}
      {result.byRep.length ? (
        <View className='admin__preview-group'>
          <Text className='admin__preview-title'>按业务员</Text>
          {result.byRep.slice(0, 8).map((r) => (
            <Text key={r.userId} className='admin__preview-line'>
              {r.name}：{r.count} 个
            </Text>
          ))}
          {result.byRep.length > 8 ? <Text className='admin__preview-line'>…另有 {result.byRep.length - 8} 人</Text> : null}
        </View>
      ) : null}
      {result.examples.length ? (
        <View className='admin__preview-group'>
          <Text className='admin__preview-title'>例如</Text>
          {result.examples.slice(0, 5).map((e) => (
            <Text key={e.customerId} className='admin__preview-line'>
              {e.name}（{e.ownerName ?? '公海'}）：{e.reason}
            </Text>
          ))}
        </View>
      ) : null}
    </View>
  );
}

/** 公海池 (admin): the pools with their member departments and customers; create, edit (claim settings and reclaim rules with a dry-run preview before saving), archive; and the working-day calendar. */
export default function AdminPoolsPage() {
  return (
    <SessionGate>
      {(session) => (session.user.roles.includes('admin') ? <PoolSettings /> : <ErrorBanner title='没有权限' message='公海池只对管理员开放；如需修改规则，请联系管理员。' />)}
    </SessionGate>
  );
}
