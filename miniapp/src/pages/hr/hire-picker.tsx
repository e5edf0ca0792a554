import { Input, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { api, type OrgUserDto } from '@/services';

/** Days since a YYYY-MM-DD hire date, in Shanghai-agnostic whole days (the list only needs "how new"). */
function hiredText(hiredDate: string | null, now = Date.now()): string {
  if (!hiredDate) return '入职日期未知';
  const days = Math.floor((now - Date.parse(`${hiredDate}T00:00:00+08:00`)) / 86_400_000);
  return days <= 0 ? `${hiredDate} 入职（今天）` : `${hiredDate} 入职（${days} 天）`;
}

export function HireRow({ user, onPick, picked }: { user: OrgUserDto; onPick?: () => void; picked?: boolean }) {
  return (
    <View className={`hr__hire ${picked ? 'hr__hire--picked' : ''} ${user.active ? '' : 'hr__hire--left'}`} onClick={user.active ? onPick : undefined} data-testid={`hire-${user.id}`}>
      <View className='hr__hire-main'>
        <Text className='hr__hire-name'>{user.name}</Text>
        <Text className='hr__hire-dept'>{user.departments.join('、') || '未分配部门'}</Text>
      </View>
      <View className='hr__hire-side'>
        <Text className='hr__hire-date'>{user.active ? hiredText(user.hiredDate) : '已离职'}</Text>
        <Text className='hr__hire-owned'>持有 {user.owned} 个客户</Text>
      </View>
    </View>
  );
}

/** Choosing the new hire: the most recent hires first, or a search by name or id. */
export function HirePicker({ onPick }: { onPick: (user: OrgUserDto) => void }) {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<OrgUserDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    // Searching asks the server (names and ids); without a search the newest hires come first.
    const t = setTimeout(
      () =>
        api.org
          .users(q.trim() ? { q: q.trim(), limit: 20 } : { recent: '1', limit: 8 })
          .then((r) => live && setItems(r.items))
          .catch((err: unknown) => live && setError(err instanceof Error ? err.message : '加载失败')),
      q ? 250 : 0,
    );
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q]);

  return (
    <View className='hr__picker'>
      <Input className='hr__input' placeholder='搜索员工姓名或工号' value={q} onInput={(e) => setQ(e.detail.value)} data-testid='search-hire' />
      {error ? <ErrorBanner title='无法加载员工' message={error} /> : null}
      {items === null && !error ? <Loading text='正在加载最近入职的员工…' /> : null}
      {items && items.length === 0 ? <Text className='hr__muted'>没有找到「{q}」，换个姓名或工号试试</Text> : null}
      {items && !q.trim() ? <Text className='hr__muted'>最近入职</Text> : null}
      {items?.map((u) => <HireRow key={u.id} user={u} onPick={() => onPick(u)} />)}
    </View>
  );
}
