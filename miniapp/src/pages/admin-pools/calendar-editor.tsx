import { Picker, Text, View } from '@tarojs/components';
import { useCallback, useEffect, useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { ApiError, api, type CalendarDay } from '@/services';
import { addCalendarDay, calendarSummary, kindFor, removeCalendarDay, toCalendarBody, weekdayName } from '@/utils/work-calendar';
import { TextInput } from './fields';

/** The tenant's working-day calendar for one year: 节假日 on weekdays and 调休上班 on weekends, which rules counting working days use. */
export function CalendarEditor({ initialYear }: { initialYear: number }) {
  const [year, setYear] = useState(initialYear);
  const [days, setDays] = useState<CalendarDay[] | null>(null);
  const [saved, setSaved] = useState<string>('');
  const [pick, setPick] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [banner, setBanner] = useState<{ tone: 'success' | 'error'; message: string } | null>(null);

  const load = useCallback(() => {
    setDays(null);
    setError(null);
    api.admin
      .calendar(year)
      .then((r) => {
        setDays(r.days);
        setSaved(JSON.stringify(r.days));
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : '加载失败'));
  }, [year]);
  useEffect(load, [load]);

  const add = () => {
    if (!days) return;
    const r = addCalendarDay(days, year, pick, note);
    setDays(r.days);
    setError(r.error);
    if (!r.error) {
      setPick('');
      setNote('');
    }
  };

  const save = async () => {
    if (!days) return;
    setBanner(null);
    try {
      const r = await api.admin.setCalendar(toCalendarBody(year, days));
      setDays(r.days);
      setSaved(JSON.stringify(r.days));
      setBanner({ tone: 'success', message: `已保存 ${year} 年的工作日历：${calendarSummary(r.days)}` });
    } catch (err) {
      const issues = err instanceof ApiError ? ((err.details.issues as { message: string }[] | undefined) ?? []) : [];
      setBanner({ tone: 'error', message: issues.length ? issues.map((i) => i.message).join('；') : err instanceof Error ? err.message : '保存失败' });
    }
  };

  const kind = kindFor(pick);
  return (
    <View className='admin__section' data-testid='calendar'>
      <View className='admin__section-head'>
        <Text className='admin__section-title'>工作日历</Text>
        <View className='admin__year'>
          <Text className='admin__link' onClick={() => setYear(year - 1)}>
            ‹
          </Text>
          <Text className='admin__year-text'>{year} 年</Text>
          <Text className='admin__link' onClick={() => setYear(year + 1)}>
            ›
          </Text>
        </View>
      </View>
      <Text className='admin__hint'>默认周一到周五上班。在这里标出工作日的节假日和周末的调休上班日；「只算工作日」的规则按此计算天数。</Text>
      {banner ? <ErrorBanner tone={banner.tone} message={banner.message} /> : null}
      {days === null && !error ? <Loading /> : null}
      {days ? (
        <View>
          <Text className='admin__muted'>{calendarSummary(days)}</Text>
          {days.map((d) => (
            <View key={d.day} className='admin__day'>
              <Text className={`admin__day-kind admin__day-kind--${d.kind}`}>{d.kind === 'holiday' ? '节假日' : '调休上班'}</Text>
              <Text className='admin__day-date'>
                {d.day} {weekdayName(d.day)}
              </Text>
              <Text className='admin__day-note'>{d.note ?? ''}</Text>
              <Text className='admin__link admin__link--danger' onClick={() => setDays(removeCalendarDay(days, d.day))}>
                删除
              </Text>
            </View>
          ))}
          <View className='admin__day-add'>
            <Picker mode='date' value={pick || `${year}-01-01`} start={`${year}-01-01`} end={`${year}-12-31`} onChange={(e) => setPick(String(e.detail.value))}>
              <Text className='admin__choice'>{pick ? `${pick} ${weekdayName(pick)}` : '选择日期'} ▾</Text>
            </Picker>
            {kind ? <Text className='admin__muted'>将记为{kind === 'holiday' ? '节假日' : '调休上班'}</Text> : null}
            <TextInput value={note} onChange={setNote} placeholder='备注，如 国庆' />
            <Text className='admin__button admin__button--ghost' onClick={add}>
              添加
            </Text>
          </View>
          {error ? <Text className='admin__error'>{error}</Text> : null}
          <Text className={`admin__button ${JSON.stringify(days) === saved ? 'admin__button--off' : ''}`} onClick={() => void save()}>
            保存日历
          </Text>
        </View>
      ) : null}
      {error && days === null ? <ErrorBanner title='加载失败' message={error} onRetry={load} /> : null}
    </View>
  );
}
