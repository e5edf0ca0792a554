import { createCustomerBody } from '../../../../server/src/modules/customers/customers';
import { validateCustomerForm, type CustomerForm } from '../customer-form';

const filled: CustomerForm = {
  name: ' 上海申利贸易有限公司 ',
  address: '上海市黄浦区西藏中路 18 号',
  level: 'B',
  contacts: [
    { name: '陈经理', title: '采购', phone: '138 0013 8000' },
    { name: '', title: '', phone: '' },
  ],
  location: { lat: '31.230512', lng: '121.474603', coord: 'wgs84' },
};

describe('the new-customer form', () => {
  it('builds the body the server accepts, dropping empty contact rows and keeping the fix\'s coordinate system', () => {
    const { body, errors } = validateCustomerForm(filled);
    expect(errors).toBeNull();
    expect(body).toEqual({
      name: '上海申利贸易有限公司',
      address: '上海市黄浦区西藏中路 18 号',
      lat: 31.230512,
      lng: 121.474603,
      coord: 'wgs84',
      level: 'B',
      contacts: [{ name: '陈经理', title: '采购', phone: '138 0013 8000' }],
    });
    expect(createCustomerBody.parse(body)).toEqual({ ...body, tags: [] });
    expect(validateCustomerForm({ ...filled, poolId: 2 }).body).toMatchObject({ poolId: 2 });
  });

  it('lists every problem at once, in Chinese', () => {
    const { errors } = validateCustomerForm({
      name: '  ',
      address: '',
      level: 'C',
      contacts: [{ name: '王', title: '', phone: 'abc' }],
      location: { lat: '', lng: '121.47', coord: 'gcj02' },
    });
    expect(errors).toEqual({
      name: '请填写客户名称',
      address: '请填写地址',
      location: '请获取当前位置，或填写客户的经纬度',
      contacts: '第 1 个联系人的电话格式不对（只能有数字、空格、+ - ( )，5–32 位）',
    });
  });

  it('checks typed coordinates and contacts without a name', () => {
    const at = (lat: string, lng: string) => validateCustomerForm({ ...filled, location: { lat, lng, coord: 'gcj02' } }).errors?.location;
    expect(at('131.2', '121.4')).toBe('纬度应在 -90 到 90 之间，例如 31.2304');
    expect(at('31.2', '东经121')).toBe('经度应在 -180 到 180 之间，例如 121.4737');
    expect(at('31.2', '121.4')).toBeUndefined();
    expect(validateCustomerForm({ ...filled, contacts: [{ name: '', title: '', phone: '13800138000' }] }).errors).toEqual({ contacts: '第 1 个联系人缺少姓名' });
  });
});
