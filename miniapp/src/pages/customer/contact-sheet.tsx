import { Input, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { api, type ContactDto } from '@/services';

/** Adds a contact (`contact` null) or edits or deletes one; each is recorded on the customer's timeline by the server. */
export function ContactSheet({ customerId, contact, onCancel, onDone }: { customerId: number; contact: ContactDto | null; onCancel: () => void; onDone: (message: string) => void }) {
  const [name, setName] = useState(contact?.name ?? '');
  const [title, setTitle] = useState(contact?.title ?? '');
  const [phone, setPhone] = useState(contact?.phone ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<string>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await action());
    } catch (err) {
      setError(err instanceof Error ? err.message : '保存失败，请重试');
    } finally {
      setBusy(false);
    }
  };

  const save = () => {
    if (!name.trim()) {
      setError('请填写联系人姓名');
      return;
    }
    void run(async () => {
      if (contact === null) {
        await api.customers.addContact(customerId, { name: name.trim(), title: title.trim() || undefined, phone: phone.trim() || undefined });
        return `已添加联系人 ${name.trim()}`;
      }
      await api.customers.editContact(customerId, contact.id, { name: name.trim(), title: title.trim() || null, phone: phone.trim() || null });
      return `已修改联系人 ${name.trim()}`;
    });
  };

  const remove = () =>
    void run(async () => {
      await api.customers.removeContact(customerId, contact!.id);
      return `已删除联系人 ${contact!.name}`;
    });

  return (
    <View className='sheet sheet--edit' data-testid='contact-sheet'>
      <Text className='sheet__title'>{contact === null ? '添加联系人' : '编辑联系人'}</Text>
      <Input className='sheet__input' placeholder='姓名' value={name} onInput={(e) => setName(e.detail.value)} maxlength={64} data-testid='contact-name' />
      <Input className='sheet__input' placeholder='职务（选填）' value={title} onInput={(e) => setTitle(e.detail.value)} maxlength={64} data-testid='contact-title' />
      <Input className='sheet__input' placeholder='电话（选填）' value={phone} onInput={(e) => setPhone(e.detail.value)} maxlength={32} data-testid='contact-phone-input' />
      {error ? <Text className='sheet__error'>{error}</Text> : null}
      <View className='sheet__buttons'>
        <Text className='sheet__button' onClick={onCancel}>
          取消
        </Text>
        {contact !== null ? (
          <Text className='sheet__button sheet__button--outline-danger' onClick={remove} data-testid='contact-delete'>
            删除
          </Text>
        ) : null}
        <Text className={`sheet__button sheet__button--primary ${busy ? 'sheet__button--busy' : ''}`} onClick={save} data-testid='contact-save'>
          {busy ? '保存中…' : '保存'}
        </Text>
      </View>
    </View>
  );
}
