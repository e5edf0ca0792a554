import type { CreateCustomerBody } from '@/services/api-types';

/** The new-customer form as typed (strings, straight from the inputs). */
export interface CustomerForm {
  name: string;
  address: string;
  level: 'A' | 'B' | 'C' | 'D';
  contacts: { name: string; title: string; phone: string }[];
  /** From the current fix (its own system) or typed in (GCJ-02, as AMap and Tencent Maps show them). */
  location: { lat: string; lng: string; coord: 'gcj02' | 'wgs84' };
  /** undefined: the rep's own customer; a pool id: straight into that pool. */
  poolId?: number;
}

export type FormErrors = Partial<Record<'name' | 'address' | 'location' | 'contacts', string>>;

const PHONE = /^[0-9+\-() ]{5,32}$/;

/**
 * Checks the form the way the server will (same limits as `createCustomerBody`), so a rep sees every problem at once
 * in Chinese before sending; returns the request body when there is none.
 */
export function validateCustomerForm(form: CustomerForm): { body: CreateCustomerBody; errors: null } | { body: null; errors: FormErrors } {
  const errors: FormErrors = {};
  const name = form.name.trim();
  const address = form.address.trim();
  if (!name) errors.name = '请填写客户名称';
  else if (name.length > 200) errors.name = '客户名称最多 200 个字';
  if (!address) errors.address = '请填写地址';
  else if (address.length > 500) errors.address = '地址最多 500 个字';

  const lat = Number(form.location.lat.trim());
  const lng = Number(form.location.lng.trim());
  if (!form.location.lat.trim() || !form.location.lng.trim()) errors.location = '请获取当前位置，或填写客户的经纬度';
  else if (!Number.isFinite(lat) || lat < -90 || lat > 90) errors.location = '纬度应在 -90 到 90 之间，例如 31.2304';
  else if (!Number.isFinite(lng) || lng < -180 || lng > 180) errors.location = '经度应在 -180 到 180 之间，例如 121.4737';

  const contacts = form.contacts
    .map((c) => ({ name: c.name.trim(), title: c.title.trim(), phone: c.phone.trim() }))
    .filter((c) => c.name || c.title || c.phone);
  const badContact = contacts.findIndex((c) => !c.name);
  const badPhone = contacts.findIndex((c) => c.phone && !PHONE.test(c.phone));
  if (badContact >= 0) errors.contacts = `第 ${badContact + 1} 个联系人缺少姓名`;
  else if (badPhone >= 0) errors.contacts = `第 ${badPhone + 1} 个联系人的电话格式不对（只能有数字、空格、+ - ( )，5–32 位）`;
  else if (contacts.length > 20) errors.contacts = '最多 20 个联系人';

  if (Object.keys(errors).length > 0) return { body: null, errors };
  return {
    errors: null,
    body: {
      name,
      address,
      lat,
      lng,
      coord: form.location.coord,
      level: form.level,
      contacts: contacts.map((c) => ({ name: c.name, ...(c.title ? { title: c.title } : {}), ...(c.phone ? { phone: c.phone } : {}) })),
      ...(form.poolId === undefined ? {} : { poolId: form.poolId }),
    },
  };
}
