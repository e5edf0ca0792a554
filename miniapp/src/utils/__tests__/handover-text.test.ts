import { customersText, deadlineText } from '../handover-text';

const DEADLINE = '2026-12-10T14:00:00.000Z';
const at = (iso: string) => Date.parse(iso);

describe('the handover deadline a manager sees', () => {
  it('counts whole hours left, rounded down, and turns urgent under a day', () => {
    expect(deadlineText(DEADLINE, at('2026-12-07T14:00:00Z'))).toEqual({ text: '还剩 72 小时，逾期退回公海', urgent: false });
    expect(deadlineText(DEADLINE, at('2026-12-09T06:30:00Z'))).toEqual({ text: '还剩 31 小时，逾期退回公海', urgent: false });
    expect(deadlineText(DEADLINE, at('2026-12-09T14:00:01Z'))).toEqual({ text: '还剩 23 小时，逾期退回公海', urgent: true });
    expect(deadlineText(DEADLINE, at('2026-12-10T13:30:00Z'))).toEqual({ text: '还剩不到 1 小时，逾期退回公海', urgent: true });
    expect(deadlineText(DEADLINE, at('2026-12-10T14:00:00Z'))).toEqual({ text: '已逾期，即将退回公海', urgent: true });
  });

  it('names the first customers and the total', () => {
    expect(customersText(['宏达贸易', '新锐科技', '华光五金'], 40)).toBe('宏达贸易、新锐科技、华光五金 等 40 个客户');
    expect(customersText(['宏达贸易', '新锐科技'], 2)).toBe('宏达贸易、新锐科技（共 2 个客户）');
    expect(customersText([], 0)).toBe('0 个客户');
  });
});
