import { Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import type { AdminDepartmentNode } from '@/services';
import './index.scss';

/** How deep a department sits: '/1/' is 0, '/1/2/22/' is 2. */
export const depthOf = (path: string): number => Math.max(0, path.split('/').filter(Boolean).length - 1);

/**
 * The platform's department tree, one indented row per department (parents first, as the server lists them), each
 * with what the page puts on its right: a region switch on 组织与角色, a member check on 公海池.
 */
export function DepartmentTree({ departments, right, testId }: { departments: AdminDepartmentNode[]; right: (d: AdminDepartmentNode) => ReactNode; testId?: string }) {
  return (
    <View className='dept-tree' data-testid={testId}>
      {departments.map((d) => (
        <View key={d.id} className='dept-tree__row' style={{ paddingLeft: `${depthOf(d.path) * 32}px` }} data-testid={`dept-row-${d.id}`}>
          <View className='dept-tree__text'>
            <Text className='dept-tree__name'>{d.name}</Text>
            <Text className='dept-tree__meta'>
              {d.memberCount} 人{d.leaders.length ? ` · 负责人 ${d.leaders.join('、')}` : ''}
              {d.region ? ' · 大区' : ''}
            </Text>
          </View>
          <View className='dept-tree__right'>{right(d)}</View>
        </View>
      ))}
    </View>
  );
}
