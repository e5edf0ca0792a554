import { Input, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { platform } from '@/platform';
import { ApiError, api, type CustomerProfile, type UpdateCustomerBody } from '@/services';

const LEVELS = ['A', 'B', 'C', 'D'] as const;

/** Tags as typed: separated by commas, 、 or spaces, each once. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[,，、\s]+/).map((t) => t.trim()).filter((t) => t.length > 0))];
}

/**
 * 编辑资料: name, address, level, tags, and optionally the current location as the customer's. Only what changed is
 * sent. A level over the pool's cap comes back with the server's message; an admin may then force it.
 */
export function EditSheet({ customer, admin, onCancel, onDone }: { customer: CustomerProfile; admin: boolean; onCancel: () => void; onDone: (c: CustomerProfile) => void }) {
  const [name, setName] = useState(customer.name);
  const [address, setAddress] = useState(customer.address);
  const [level, setLevel] = useState(customer.level);
  const [tags, setTags] = useState(customer.tags.join('、'));
  const [fix, setFix] = useState<{ lat: number; lng: number; coord: 'gcj02' | 'wgs84' } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [canForce, setCanForce] = useState(false);
  const [busy, setBusy] = useState(false);

  const locate = async () => {
    setError(null);
    try {
      const [f] = await platform.locate({ count: 1 });
      if (!f) throw new Error('没有取得定位');
      setFix({ lat: f.lat, lng: f.lng, coord: f.coord });
    } catch (err) {
      setError(`定位失败：${err instanceof Error ? err.message : '请开启定位后重试'}`);
    }
  };

  const save = async (force = false) => {
    if (busy) return;
    const body: UpdateCustomerBody = {};
    if (name.trim() !== customer.name) body.name = name.trim();
    if (address.trim() !== customer.address) body.address = address.trim();
    if (level !== customer.level) body.level = level as UpdateCustomerBody['level'];
    const nextTags = parseTags(tags);
    if (nextTags.join('\u0000') !== customer.tags.join('\u0000')) body.tags = nextTags;
    if (fix) Object.assign(body, fix);
    if (Object.keys(body).length === 0) {
      onCancel();
      return;
    }
    if (force) body.force = true;
    setBusy(true);
    setError(null);
    try {
      const { customer: updated } = await api.customers.update(customer.id, body);
      onDone(updated);
    } catch (err) {
      setError(err instanceof Error ? err.message : '保存失败，请重试');
      setCanForce(admin && err instanceof ApiError && err.code === 'owned_limit_reached');
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='sheet sheet--edit' data-testid='edit-sheet'>
      <Text className='sheet__title'>编辑客户资料</Text>
      <Text className='sheet__label'>客户名称</Text>
      <Input className='sheet__input' value={name} onInput={(e) => setName(e.detail.value)} maxlength={200} data-testid='edit-name' />
      <Text className='sheet__label'>地址</Text>
      <Input className='sheet__input' value={address} onInput={(e) => setAddress(e.detail.value)} maxlength={500} data-testid='edit-address' />
      <Text className='sheet__label'>级别</Text>
      <View className='sheet__chips'>
        {LEVELS.map((l) => (
          <Text key={l} className={`sheet__chip ${l === level ? 'sheet__chip--on' : ''}`} onClick={() => setLevel(l)} data-testid={`edit-level-${l}`}>
            {l} 级
          </Text>
        ))}
      </View>
      <Text className='sheet__label'>标签（用顿号或逗号分隔）</Text>
      <Input className='sheet__input' value={tags} onInput={(e) => setTags(e.detail.value)} data-testid='edit-tags' />
      <View className='sheet__row'>
        <Text className='sheet__link' onClick={locate} data-testid='edit-locate'>
          {fix ? '已取当前位置为客户位置' : '使用我的当前位置（选填）'}
        </Text>
        {fix ? (
          <Text className='sheet__link sheet__link--muted' onClick={() => setFix(null)}>
            不用了
          </Text>
        ) : null}
      </View>
      {error ? (
        <Text className='sheet__error' data-testid='edit-error'>
          {error}
        </Text>
      ) : null}
      <View className='sheet__buttons'>
        <Text className='sheet__button' onClick={onCancel}>
          取消
        </Text>
        {canForce ? (
          <Text className='sheet__button sheet__button--danger' onClick={() => save(true)} data-testid='edit-force'>
            强制修改
          </Text>
        ) : (
          <Text className={`sheet__button sheet__button--primary ${busy ? 'sheet__button--busy' : ''}`} onClick={() => save()} data-testid='edit-save'>
            {busy ? '保存中…' : '保存'}
          </Text>
        )}
      </View>
    </View>
  );
}
