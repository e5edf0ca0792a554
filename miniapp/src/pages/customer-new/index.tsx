import { Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { Field } from '@/components/form-field';
import { SessionGate } from '@/components/session-gate';
import { platform } from '@/platform';
import { ApiError, api, type Pool } from '@/services';
import { validateCustomerForm, type CustomerForm, type FormErrors } from '@/utils/customer-form';

const LEVELS = ['A', 'B', 'C', 'D'] as const;
const EMPTY_CONTACT = { name: '', title: '', phone: '' };

function NewCustomer() {
  const [form, setForm] = useState<CustomerForm>({ name: '', address: '', level: 'C', contacts: [{ ...EMPTY_CONTACT }], location: { lat: '', lng: '', coord: 'gcj02' } });
  const [errors, setErrors] = useState<FormErrors>({});
  const [pools, setPools] = useState<(Pool & { member: boolean })[]>([]);
  const [accuracy, setAccuracy] = useState<number | null>(null);
  const [locating, setLocating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ message: string; customerId?: number; claimable?: boolean } | null>(null);

  useEffect(() => {
    api.pool
      .pools()
      .then((r) => setPools(r.items.filter((p) => p.member)))
      .catch(() => undefined);
  }, []);

  // Editing a field takes its error away; the rest stay until the next 保存.
  const clear = (keys: string[]) =>
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !keys.includes(k))) as FormErrors);
  const patch = (p: Partial<CustomerForm>) => {
    setForm((f) => ({ ...f, ...p }));
    clear(Object.keys(p));
  };
  const setContact = (i: number, p: Partial<CustomerForm['contacts'][number]>) => {
    setForm((f) => ({ ...f, contacts: f.contacts.map((c, j) => (j === i ? { ...c, ...p } : c)) }));
    clear(['contacts']);
  };

  const useHere = async () => {
    if (locating) return;
    setLocating(true);
    setErrors((e) => ({ ...e, location: undefined }));
    try {
      const [fix] = await platform.locate({ count: 1 });
      patch({ location: { lat: fix!.lat.toFixed(6), lng: fix!.lng.toFixed(6), coord: fix!.coord } });
      setAccuracy(fix!.accuracy);
    } catch (err) {
      setErrors((e) => ({ ...e, location: err instanceof Error ? err.message : '定位失败，请手动填写经纬度' }));
    } finally {
      setLocating(false);
    }
  };

  const submit = async () => {
    if (busy) return;
    const checked = validateCustomerForm(form);
    setErrors(checked.errors ?? {});
    setFailure(null);
    if (!checked.body) return;
    setBusy(true);
    try {
      const { customer } = await api.customers.create(checked.body);
      await Taro.redirectTo({ url: `/pages/customer/index?id=${customer.id}` });
    } catch (err) {
      // A duplicate (查重/撞单) names the existing customer, and says whether this rep can claim it from their pool.
      const existing = err instanceof ApiError ? (err.details.customerId as number | undefined) : undefined;
      const claimable = err instanceof ApiError && err.details.claimable === true;
      setFailure({ message: err instanceof Error ? err.message : '保存失败，请重试', customerId: existing, claimable });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='form'>
      {failure ? (
        <View>
          <ErrorBanner title='没有保存' message={failure.message} />
          {failure.customerId ? (
            <Text
              className={failure.claimable ? 'form__button' : 'form__link'}
              onClick={() => Taro.navigateTo({ url: `/pages/customer/index?id=${failure.customerId}` })}
              data-testid='duplicate-existing'
            >
              {failure.claimable ? '去领取' : '查看已有的客户'}
            </Text>
          ) : null}
        </View>
      ) : null}

      <View className='form__card'>
        <Field label='客户名称' error={errors.name}>
          <Input className='form__input' placeholder='如：上海某某贸易有限公司' value={form.name} onInput={(e) => patch({ name: e.detail.value })} maxlength={200} data-testid='input-name' />
        </Field>
        <Field label='地址' error={errors.address}>
          <Input className='form__input' placeholder='省市区 + 街道门牌' value={form.address} onInput={(e) => patch({ address: e.detail.value })} maxlength={500} data-testid='input-address' />
        </Field>
        <Field label='客户等级'>
          <View className='form__chips'>
            {LEVELS.map((l) => (
              <Text key={l} className={`form__chip ${form.level === l ? 'form__chip--on' : ''}`} onClick={() => patch({ level: l })}>
                {l} 级
              </Text>
            ))}
          </View>
        </Field>
      </View>

      <View className='form__card'>
        <Field label='位置' error={errors.location}>
          <Text className='form__button form__button--light' onClick={useHere} data-testid='use-location'>
            {locating ? '正在定位…' : '使用当前位置'}
          </Text>
          <View className='form__row'>
            <Input
              className='form__input form__input--half'
              type='digit'
              placeholder='纬度，如 31.2304'
              value={form.location.lat}
              onInput={(e) => {
                setAccuracy(null);
                patch({ location: { ...form.location, lat: e.detail.value, coord: 'gcj02' } });
              }}
              data-testid='input-lat'
            />
            <Input
              className='form__input form__input--half'
              type='digit'
              placeholder='经度，如 121.4737'
              value={form.location.lng}
              onInput={(e) => {
                setAccuracy(null);
                patch({ location: { ...form.location, lng: e.detail.value, coord: 'gcj02' } });
              }}
              data-testid='input-lng'
            />
          </View>
          <Text className='form__hint'>
            {accuracy !== null
              ? `已取当前位置，精度 ±${Math.round(accuracy)} 米${form.location.coord === 'wgs84' ? '（GPS 坐标，服务器会换算）' : ''}`
              : '手动填写时请用高德或腾讯地图上的坐标（GCJ-02）'}
          </Text>
        </Field>
      </View>

      <View className='form__card'>
        <Field label='联系人' error={errors.contacts}>
          {form.contacts.map((c, i) => (
            <View key={i} className='form__contact'>
              <Input className='form__input form__input--third' placeholder='姓名' value={c.name} onInput={(e) => setContact(i, { name: e.detail.value })} maxlength={64} />
              <Input className='form__input form__input--third' placeholder='职务' value={c.title} onInput={(e) => setContact(i, { title: e.detail.value })} maxlength={64} />
              <Input className='form__input form__input--third' type='number' placeholder='电话' value={c.phone} onInput={(e) => setContact(i, { phone: e.detail.value })} maxlength={32} />
            </View>
          ))}
          <Text className='form__link' onClick={() => patch({ contacts: [...form.contacts, { ...EMPTY_CONTACT }] })}>
            + 再加一个联系人
          </Text>
        </Field>
      </View>

      <View className='form__card'>
        <Field label='归属'>
          <View className='form__chips'>
            <Text className={`form__chip ${form.poolId === undefined ? 'form__chip--on' : ''}`} onClick={() => patch({ poolId: undefined })} data-testid='owner-me'>
              归我负责
            </Text>
            {pools.map((p) => (
              <Text key={p.id} className={`form__chip ${form.poolId === p.id ? 'form__chip--on' : ''}`} onClick={() => patch({ poolId: p.id })}>
                放入{p.name}
              </Text>
            ))}
          </View>
          <Text className='form__hint'>{form.poolId === undefined ? '新客户算入你的持有上限，并开始回收计时。' : '客户进入公海，所有成员都可以领取。'}</Text>
        </Field>
      </View>

      <Text className={`form__submit ${busy ? 'form__submit--busy' : ''}`} onClick={submit} data-testid='submit'>
        {busy ? '保存中…' : '保存客户'}
      </Text>
    </View>
  );
}

/** 新建客户: a customer the rep found on the ground, into their own name or into a pool they belong to. */
export default function CustomerNewPage() {
  return <SessionGate>{() => <NewCustomer />}</SessionGate>;
}
