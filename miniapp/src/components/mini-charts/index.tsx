import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { dayLabel, flowBars, scaleBars, stackSegments } from '@/utils/dashboard-view';
import './index.scss';

/**
 * Charts drawn with plain Views and CSS heights/widths: they render the same on DingTalk, WeCom and H5 and add no
 * chart library to the main package (which must stay ≤ 1.5 MB).
 */

/** Inflow and outflow per day as paired columns on one scale, first and last day labelled; `height` in design px. */
export function FlowChart({ series, height = 160 }: { series: { day: string; inflow: number; outflow: number }[]; height?: number }) {
  const bars = flowBars(series);
  const totalIn = series.reduce((s, p) => s + p.inflow, 0);
  const totalOut = series.reduce((s, p) => s + p.outflow, 0);
  return (
    <View className='mchart' data-testid='flow-chart'>
      <View className='mchart__legend'>
        <Text className='mchart__key mchart__key--in'>流入 {totalIn}</Text>
        <Text className='mchart__key mchart__key--out'>流出 {totalOut}</Text>
      </View>
      <View className='mchart__columns' style={{ height: Taro.pxTransform(height) }}>
        {bars.map((b) => (
          <View key={b.day} className='mchart__day'>
            <View className='mchart__col mchart__col--in' style={{ height: `${b.inflow.pct}%` }} />
            <View className='mchart__col mchart__col--out' style={{ height: `${b.outflow.pct}%` }} />
          </View>
        ))}
      </View>
      {bars.length > 0 ? (
        <View className='mchart__axis'>
          <Text>{dayLabel(bars[0]!.day)}</Text>
          <Text>{dayLabel(bars[bars.length - 1]!.day)}</Text>
        </View>
      ) : null}
    </View>
  );
}

/** A small line of columns (e.g. the pool size per day) without axes. */
export function Sparkline({ values, tone = 'blue' }: { values: number[]; tone?: 'blue' | 'light' }) {
  const bars = scaleBars(values.map((value, i) => ({ key: String(i), value })), 4);
  return (
    <View className={`mchart__spark mchart__spark--${tone}`}>
      {bars.map((b) => (
        <View key={b.key} className='mchart__spark-col' style={{ height: `${b.pct}%` }} />
      ))}
    </View>
  );
}

/** One bar split into coloured parts with their percents below (e.g. verified / suspect / rejected visits). */
export function StackedBar({ parts, testId }: { parts: { key: string; label: string; value: number; tone: string }[]; testId?: string }) {
  const segments = stackSegments(parts);
  const tones = new Map(parts.map((p) => [p.key, p.tone]));
  const total = parts.reduce((s, p) => s + p.value, 0);
  return (
    <View className='mchart__stack' data-testid={testId}>
      <View className='mchart__stack-bar'>
        {total === 0 ? <View className='mchart__stack-empty' /> : null}
        {segments.filter((s) => s.pct > 0).map((s) => (
          <View key={s.key} className={`mchart__seg mchart__seg--${tones.get(s.key)}`} style={{ width: `${s.pct}%` }} />
        ))}
      </View>
      <View className='mchart__stack-legend'>
        {segments.map((s) => (
          <View key={s.key} className='mchart__stack-item'>
            <View className={`mchart__dot mchart__seg--${tones.get(s.key)}`} />
            <Text>
              {s.label} {s.value}（{s.pct}%）
            </Text>
          </View>
        ))}
      </View>
    </View>
  );
}

/** Horizontal bars with a label and a value each (e.g. the reps who lost most customers). */
export function BarList({ items, unit = '' }: { items: { key: string; label: string; value: number }[]; unit?: string }) {
  const bars = scaleBars(items.map((i) => ({ key: i.key, value: i.value })));
  return (
    <View className='mchart__list'>
      {items.map((item, i) => (
        <View key={item.key} className='mchart__row'>
          <Text className='mchart__row-label'>{item.label}</Text>
          <View className='mchart__row-track'>
            <View className='mchart__row-bar' style={{ width: `${bars[i]!.pct}%` }} />
          </View>
          <Text className='mchart__row-value'>
            {item.value}
            {unit}
          </Text>
        </View>
      ))}
    </View>
  );
}
