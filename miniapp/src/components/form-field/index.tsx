import { Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import './index.scss';

/** A labelled form field with its Chinese validation message underneath. The `form__*` classes style the inputs. */
export function Field({ label, error, children }: { label: string; error?: string; children: ReactNode }) {
  return (
    <View className='form__field'>
      <Text className='form__label'>{label}</Text>
      {children}
      {error ? (
        <Text className='form__error' data-testid='field-error'>
          {error}
        </Text>
      ) : null}
    </View>
  );
}
