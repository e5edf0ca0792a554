import { Input, Switch, Text, View } from '@tarojs/components';
import { useCallback, useEffect, useRef, useState } from 'react';
import { DepartmentTree } from '@/components/department-tree';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { SessionGate } from '@/components/session-gate';
import { api, type AdminDepartmentNode, type AdminUserDto, type Role } from '@/services';
import './index.scss';

const ROLES: { role: Role; label: string }[] = [
  { role: 'rep', label: '业务员' },
  { role: 'manager', label: '经理' },
  { role: 'hr', label: '人事' },
  { role: 'admin', label: '管理员' },
];
const errorText = (err: unknown) => (err instanceof Error ? err.message : '操作失败，请重试');

/** The department tree with a 大区 switch per department (PUT region). */
function Departments() {
  const [departments, setDepartments] = useState<AdminDepartmentNode[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    api.admin
      .departments()
      .then((r) => setDepartments(r.items))
      .catch((err: unknown) => setError(errorText(err)));
  }, []);
  useEffect(load, [load]);

  const setRegion = async (d: AdminDepartmentNode, region: boolean) => {
    setError(null);
    try {
      await api.admin.setRegion(d.id, region);
      setDepartments((list) => list?.map((x) => (x.id === d.id ? { ...x, region } : x)) ?? null);
    } catch (err) {
      setError(errorText(err));
      load();
    }
  };

  return (
    <View className='org__section'>
      <Text className='org__title'>部门与大区</Text>
      <Text className='org__hint'>部门来自钉钉/企业微信的组织架构（每 30 分钟同步）。看板按大区汇总公海：把各大区的部门设为大区。</Text>
      {error ? <ErrorBanner title='无法保存' message={error} onRetry={load} /> : null}
      {departments === null ? (
        error ? null : <Loading text='正在加载部门…' />
      ) : departments.length === 0 ? (
        <Text className='org__hint'>{'还没有部门：请先在服务器上同步组织架构（npm run tenant -- sync <企业编号>）。'}</Text>
      ) : (
        <DepartmentTree
          departments={departments}
          testId='dept-tree'
          right={(d) => (
            <View className='org__region'>
              <Text className='org__region-label'>大区</Text>
              <Switch checked={d.region} color='#1f6feb' onChange={(e) => void setRegion(d, e.detail.value)} data-testid={`region-${d.id}`} />
            </View>
          )}
        />
      )}
    </View>
  );
}

/** Users with search and role filter; each role chip toggles that role and saves at once (PUT roles). */
function Users() {
  const [q, setQ] = useState('');
  const [role, setRole] = useState<Role | null>(null);
  const [page, setPage] = useState<{ total: number; items: AdminUserDto[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // Only the answer to the latest search is shown (typing fast sends several).
  const latest = useRef(0);

  const load = useCallback(() => {
    const ticket = ++latest.current;
    setError(null);
    api.admin
      .users({ q: q.trim() || undefined, role: role ?? undefined, limit: 100 })
      .then((r) => ticket === latest.current && setPage(r))
      .catch((err: unknown) => ticket === latest.current && setError(errorText(err)));
  }, [q, role]);
  useEffect(load, [load]);

  const toggle = async (user: AdminUserDto, r: Role) => {
    if (busy) return;
    const roles = user.roles.includes(r) ? user.roles.filter((x) => x !== r) : [...user.roles, r];
    if (roles.length === 0) {
      setError(`${user.name}至少要保留一个角色；如果他不再使用公海，请在钉钉/企业微信里把他移出可见范围。`);
      return;
    }
    setBusy(user.id);
    setError(null);
    setSaved(null);
    try {
      const { user: updated } = await api.admin.setRoles(user.id, roles);
      setPage((p) => p && { ...p, items: p.items.map((u) => (u.id === updated.id ? updated : u)) });
      setSaved(`已保存${updated.name}的角色：${ROLES.filter((x) => updated.roles.includes(x.role)).map((x) => x.label).join('、')}（下次操作时生效）`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <View className='org__section'>
      <Text className='org__title'>员工与角色</Text>
      <Input className='org__search' value={q} placeholder='搜索姓名或 UserID' onInput={(e) => setQ(e.detail.value)} data-testid='user-search' />
      <View className='org__filters'>
        {[{ role: null as Role | null, label: '全部' }, ...ROLES].map((f) => (
          <Text key={f.label} className={`org__filter ${role === f.role ? 'org__filter--on' : ''}`} onClick={() => setRole(f.role)} data-testid={`role-filter-${f.role ?? 'all'}`}>
            {f.label}
          </Text>
        ))}
      </View>
      {saved ? <ErrorBanner tone='success' message={saved} /> : null}
      {error ? <ErrorBanner title='无法修改角色' message={error} /> : null}
      {page === null ? (
        <Loading text='正在加载员工…' />
      ) : (
        <View>
          <Text className='org__hint' data-testid='user-total'>
            共 {page.total} 人{page.total > page.items.length ? `，显示前 ${page.items.length} 人，请搜索缩小范围` : ''}
          </Text>
          {page.items.map((u) => (
            <View key={u.id} className={`org__user ${u.active ? '' : 'org__user--left'}`} data-testid={`user-${u.id}`}>
              <View className='org__user-text'>
                <Text className='org__user-name'>
                  {u.name}
                  {u.active ? '' : '（已离职）'}
                </Text>
                <Text className='org__user-meta'>
                  {u.id}
                  {u.departments.length ? ` · ${u.departments.join('、')}` : ''}
                </Text>
              </View>
              <View className='org__chips'>
                {ROLES.map((r) => (
                  <Text
                    key={r.role}
                    className={`org__chip ${u.roles.includes(r.role) ? 'org__chip--on' : ''}`}
                    onClick={() => void toggle(u, r.role)}
                    data-testid={`role-${u.id}-${r.role}`}
                    data-on={u.roles.includes(r.role) ? 'true' : 'false'}
                  >
                    {r.label}
                  </Text>
                ))}
              </View>
            </View>
          ))}
        </View>
      )}
    </View>
  );
}

/** 组织与角色 (admin): regions on the department tree, and who is rep, manager, HR or admin. */
export default function AdminOrgPage() {
  return (
    <SessionGate>
      {(session) =>
        session.user.roles.includes('admin') ? (
          <View className='org'>
            <Users />
            <Departments />
          </View>
        ) : (
          <ErrorBanner title='没有权限' message='组织与角色只对管理员开放；如需调整角色，请联系管理员。' />
        )
      }
    </SessionGate>
  );
}
