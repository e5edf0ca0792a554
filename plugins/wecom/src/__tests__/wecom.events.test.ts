import { translateWeComEvent } from '../wecom.events';
import { parseWeComXml, type XmlElement } from '../wecom.xml';

const receivedAt = Date.UTC(2025, 0, 6, 1, 0, 0);

function message(xml: string): XmlElement {
  const parsed = parseWeComXml(xml);
  if (parsed === undefined) throw new Error(`not WeCom XML: ${xml}`);
  return parsed;
}

function contact(changeType: string, fields: string, createTime = '1736125200'): XmlElement {
  return message(
    `<xml><ToUserName><![CDATA[ww4b7e2a9c1d3f5e60]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
      `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event>` +
      `<ChangeType>${changeType}</ChangeType>${fields}</xml>`,
  );
}

function approval(spStatus: number, change: number, createTime = '1736125260'): XmlElement {
  return message(
    `<xml><ToUserName><![CDATA[ww4b7e2a9c1d3f5e60]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
      `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[sys_approval_change]]></Event>` +
      `<AgentID>1000002</AgentID><ApprovalInfo><SpNoStr><![CDATA[202501060001]]></SpNoStr><SpNo>202501060001</SpNo>` +
      `<SpStatus>${spStatus}</SpStatus><TemplateId><![CDATA[3Tka]]></TemplateId>` +
      `<SpRecord><SpStatus>1</SpStatus><Details><Approver><UserId><![CDATA[LiNa]]></UserId></Approver></Details></SpRecord>` +
      `<SpRecord><SpStatus>${spStatus}</SpStatus></SpRecord><StatuChangeEvent>${change}</StatuChangeEvent></ApprovalInfo></xml>`,
  );
}

const at = 1736125200_000;

describe('WeCom event translation', () => {
  it('turns create_user, delete_user and update_user into joined, left and updated', () => {
    expect(translateWeComEvent(contact('create_user', '<UserID><![CDATA[zhangsan]]></UserID><Name><![CDATA[张三]]></Name>'), receivedAt)).toEqual([
      { type: 'contact.user_joined', eventId: expect.stringMatching(/^wecom:[0-9a-f]{32}$/), occurredAt: at, userId: 'zhangsan' },
    ]);
    expect(translateWeComEvent(contact('delete_user', '<UserID><![CDATA[zhangsan]]></UserID>'), receivedAt)).toMatchObject([
      { type: 'contact.user_left', occurredAt: at, userId: 'zhangsan' },
    ]);
    expect(translateWeComEvent(contact('update_user', '<UserID><![CDATA[zhangsan]]></UserID><Position>经理</Position>'), receivedAt)).toMatchObject([
      { type: 'contact.user_updated', userId: 'zhangsan' },
    ]);
  });

  it('turns an update with NewUserID into a rename followed by an update of the new id', () => {
    const events = translateWeComEvent(
      contact('update_user', '<UserID><![CDATA[zhangsan]]></UserID><NewUserID><![CDATA[zhangsan01]]></NewUserID>'),
      receivedAt,
    );

    expect(events).toMatchObject([
      { type: 'contact.user_renamed', userId: 'zhangsan', newUserId: 'zhangsan01', occurredAt: at },
      { type: 'contact.user_updated', userId: 'zhangsan01', occurredAt: at },
    ]);
    expect(new Set(events.map((event) => event.eventId)).size).toBe(2);
  });

  it('turns party changes into department changes and ignores tag changes', () => {
    const party = (type: string) => translateWeComEvent(contact(type, '<Id>7</Id><Name><![CDATA[华北区]]></Name><ParentId>1</ParentId>'), receivedAt);

    expect(party('create_party')).toMatchObject([{ type: 'contact.department_changed', departmentId: '7', change: 'created' }]);
    expect(party('update_party')).toMatchObject([{ type: 'contact.department_changed', departmentId: '7', change: 'updated' }]);
    expect(party('delete_party')).toMatchObject([{ type: 'contact.department_changed', departmentId: '7', change: 'deleted' }]);
    expect(translateWeComEvent(contact('update_tag', '<TagId>1</TagId><AddUserItems><![CDATA[zhangsan]]></AddUserItems>'), receivedAt)).toEqual([]);
  });

  it('gives a redelivery the same event id and a later change of the same user another', () => {
    const xml = '<UserID><![CDATA[zhangsan]]></UserID>';
    const [first] = translateWeComEvent(contact('update_user', xml), receivedAt);
    const [again] = translateWeComEvent(contact('update_user', xml), receivedAt + 5000);
    const [later] = translateWeComEvent(contact('update_user', xml, '1736125201'), receivedAt);

    expect(again?.eventId).toBe(first?.eventId);
    expect(later?.eventId).not.toBe(first?.eventId);
  });

  it('finishes an approval on SpStatus 2 or 3 and withdraws it on 4 or 6', () => {
    expect(translateWeComEvent(approval(2, 2), receivedAt)).toEqual([
      {
        type: 'approval.finished',
        eventId: expect.stringMatching(/^wecom:[0-9a-f]{32}$/),
        occurredAt: 1736125260_000,
        instanceId: '202501060001',
        approved: true,
      },
    ]);
    expect(translateWeComEvent(approval(3, 3), receivedAt)).toMatchObject([{ type: 'approval.finished', approved: false }]);
    expect(translateWeComEvent(approval(4, 6), receivedAt)).toMatchObject([{ type: 'approval.withdrawn', instanceId: '202501060001' }]);
    expect(translateWeComEvent(approval(6, 8), receivedAt)).toMatchObject([{ type: 'approval.withdrawn', instanceId: '202501060001' }]);
  });

  it('reports nothing while an approval is still running, nor for chat messages', () => {
    expect(translateWeComEvent(approval(1, 1), receivedAt)).toEqual([]);
    expect(translateWeComEvent(approval(1, 10), receivedAt)).toEqual([]);
    expect(
      translateWeComEvent(
        message('<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><CreateTime>1409659813</CreateTime></xml>'),
        receivedAt,
      ),
    ).toEqual([]);
  });

  it('keeps ids as text, with every digit, does not expand entities, and refuses a DOCTYPE outright', () => {
    const parsed = message('<xml><MsgId>4561255354251345929</MsgId><Name>&amp;x</Name></xml>');

    expect(parsed).toEqual({ MsgId: '4561255354251345929', Name: '&amp;x' });
    expect(parseWeComXml('<!DOCTYPE xml [<!ENTITY x "boom">]><xml><MsgId>1</MsgId><Name>&x;</Name></xml>')).toBeUndefined();
  });
});
