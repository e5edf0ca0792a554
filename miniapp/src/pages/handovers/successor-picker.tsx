import { Input, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { api, type OrgUserDto } from '@/services';

/**
 * Choosing the successor among the colleagues the caller may hand over to (the server lists a manager's own subtrees):
 * active ones only, never the leaver, with how many customers each already holds. A search asks the server.
 */
export function SuccessorPicker({ leaverId, onPick }: { leaverId: string; onPick: (user: OrgUserDto) => void }) {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<OrgUserDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    const t = setTimeout(
      () =>
        api.org
          .users(q.trim() ? { q: q.trim(), limit: 20 } : { limit: 50 })
          .then((r) => live && setItems(r.items.filter((u) => u.active && u.id !== leaverId)))
          .catch((err: unknown) => live && setError(err instanceof Error ? err.message : '加载失败')),
      q ? 250 : 0,
    );
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q, leaverId]);

  return (
    <View className='handovers__picker' data-testid='successor-picker'>
      <Input className='handovers__input' placeholder='搜索同事姓名或工号' value={q} onInput={(e) => setQ(e.detail.value)} data-testid='search-successor' />
      {error ? <ErrorBanner title='无法加载同事' message={error} /> : null}
      {items === null && !error ? <Loading text='正在加载同事…' /> : null}
      {items && items.length === 0 ? <Text className='handovers__muted'>{q.trim() ? `没有找到「${q.trim()}」，换个姓名或工号试试` : '你管理的部门里没有可以接手的同事'}</Text> : null}
      {items?.map((u) => (
        <View key={u.id} className='handovers__person' onClick={() => onPick(u)} data-testid={`successor-${u.id}`}>
          <View className='handovers__person-main'>
            <Text className='handovers__person-name'>{u.name}</Text>
            <Text className='handovers__muted'>{u.departments.join('、') || '未分配部门'}</Text>
          </View>
          <Text className='handovers__muted'>持有 {u.owned} 个客户</Text>
        </View>
      ))}
    </View>
  );
}
