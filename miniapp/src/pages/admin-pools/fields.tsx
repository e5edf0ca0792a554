import { Input, Picker, Switch, Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';

/** One labelled form line; its error (from the form check or the server) shows right under it. */
export function Field({ label, hint, error, children }: { label: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <View className={`admin__field ${error ? 'admin__field--error' : ''}`}>
      <View className='admin__field-line'>
        <Text className='admin__label'>{label}</Text>
        <View className='admin__control'>{children}</View>
      </View>
      {hint && !error ? <Text className='admin__hint'>{hint}</Text> : null}
      {error ? <Text className='admin__error'>{error}</Text> : null}
    </View>
  );
}

export function TextInput({ value, onChange, placeholder, number, testId }: { value: string; onChange: (v: string) => void; placeholder?: string; number?: boolean; testId?: string }) {
  return <Input className='admin__input' type={number ? 'number' : 'text'} value={value} placeholder={placeholder} onInput={(e) => onChange(e.detail.value)} data-testid={testId} />;
}

export function Toggle({ checked, onChange, testId }: { checked: boolean; onChange: (v: boolean) => void; testId?: string }) {
  return <Switch checked={checked} color='#1f6feb' onChange={(e) => onChange(e.detail.value)} data-testid={testId} />;
}

/** A picker over labelled options; shows the chosen label. */
export function Choice<T>({ options, value, onChange, testId }: { options: { value: T; label: string }[]; value: T; onChange: (v: T) => void; testId?: string }) {
  const index = Math.max(0, options.findIndex((o) => o.value === value));
  return (
    <Picker mode='selector' range={options.map((o) => o.label)} value={index} onChange={(e) => onChange(options[Number(e.detail.value)]!.value)}>
      <Text className='admin__choice' data-testid={testId}>
        {options[index]?.label ?? '请选择'} ▾
      </Text>
    </Picker>
  );
}
