import { describeEdit } from '../customer-edit-text';
import { describeTimeline } from '../timeline';

const at = '2026-11-27T02:00:00.000Z';
const edited = (kind: string, changes: { field: string; from: unknown; to: unknown }[]) => ({ type: 'edited', at, kind, actorId: 'rep01', actorName: '张三', changes });

describe('the timeline text of customer edits', () => {
  it('says a single change as one sentence: «张三 将级别由 B 改为 A»', () => {
    expect(describeEdit(edited('edited', [{ field: 'level', from: 'B', to: 'A' }]))).toEqual({ tag: '编辑', title: '张三 将级别由 B 改为 A', lines: [], tone: 'plain' });
  });

  it('lists several changes one per line, tags joined and the location only said to have moved', () => {
    const entry = describeEdit(
      edited('edited', [
        { field: 'name', from: '老名字', to: '新名字' },
        { field: 'tags', from: [], to: ['重点', '老客户'] },
        { field: 'location', from: { lat: 31, lng: 121 }, to: { lat: 31.1, lng: 121.1 } },
      ]),
    );
    expect(entry.title).toBe('张三 修改了客户资料');
    expect(entry.lines).toEqual(['将名称由 老名字 改为 新名字', '将标签由 无 改为 重点、老客户', '更新了位置']);
  });

  it('names the contact added, edited or removed, phones as the server sent them (masked or not)', () => {
    expect(describeEdit(edited('contact_added', [{ field: 'contact', from: null, to: '李四' }, { field: 'phone', from: null, to: '139****5678' }]))).toMatchObject({
      tag: '联系人',
      title: '张三 添加了联系人 李四',
      lines: ['电话：139****5678'],
    });
    expect(
      describeEdit(edited('contact_edited', [{ field: 'contact', from: '李四', to: '李四' }, { field: 'title', from: '采购', to: null }, { field: 'phone', from: '13800001111', to: '13900002222' }])),
    ).toMatchObject({ title: '张三 修改了联系人 李四', lines: ['清空了职务（原为 采购）', '将电话由 13800001111 改为 13900002222'] });
    expect(describeEdit(edited('contact_edited', [{ field: 'contact', from: '李四', to: '李小四' }, { field: 'name', from: '李四', to: '李小四' }]))).toMatchObject({
      title: '张三 将联系人 李四 改名为 李小四',
      lines: [],
    });
    expect(describeEdit(edited('contact_removed', [{ field: 'contact', from: '李四', to: null }])).title).toBe('张三 删除了联系人 李四');
  });

  it('reaches the profile timeline, with a merge as its own entry', () => {
    const entries = describeTimeline(
      [
        edited('edited', [{ field: 'level', from: 'C', to: 'B' }]),
        { type: 'merged', at, fromUserId: 'rep09', fromUserName: '王五', toUserId: null, fromPoolId: 3, toPoolId: null, actorId: 'admin01', reason: '合并了重复的客户「上海老店」（编号 12）' },
        { type: 'merged', at, fromUserId: 'rep01', fromUserName: '张三', toUserId: 'rep01', toUserName: '张三', fromPoolId: 2, toPoolId: 2, actorId: 'admin01', reason: '合并了重复的客户「上海老店」（编号 12）' },
      ],
      Date.parse(at),
    );
    expect(entries.map((e) => [e.kind, e.tag, e.title, e.lines])).toEqual([
      ['edit', '编辑', '张三 将级别由 C 改为 B', []],
      ['ownership', '合并', '合并了重复的客户「上海老店」（编号 12）', ['重复记录的负责人：王五', '操作人：admin01']],
      ['ownership', '合并', '合并后仍由 张三 负责', []],
    ]);
  });
});
