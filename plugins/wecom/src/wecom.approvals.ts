import { PlatformError, type ApprovalRequest } from '@gonghai/plugin-core';

/** A template control as `oa/gettemplatedetail` describes it. */
export interface WeComTemplateControl {
  control: string;
  id: string;
  titles: string[];
}

/**
 * The `oa/applyevent` body (wecom-api §5a). Each field fills the template's Text or Textarea control titled with its
 * name; approvers, when given, are one node each in order (`attr` 1: a one-person node), otherwise the template's own
 * flow runs. The title and the first two fields are the summary WeCom shows in its lists. Throws `INVALID_ARGUMENT`
 * for a field the template has no control for.
 */
export function applyEventBody(
  templateId: string,
  controls: readonly WeComTemplateControl[],
  request: ApprovalRequest,
): Record<string, unknown> {
  const contents = request.fields.map((field) => {
    const control = controls.find(
      (candidate) => (candidate.control === 'Text' || candidate.control === 'Textarea') && candidate.titles.includes(field.name),
    );
    if (control === undefined) {
      throw new PlatformError(
        'INVALID_ARGUMENT',
        `WeCom approval template ${templateId} has no Text/Textarea control titled "${field.name}"`,
      );
    }
    return { control: control.control, id: control.id, value: { text: field.value } };
  });
  const approvers = request.approverUserIds ?? [];
  const summary = [request.title, ...request.fields.slice(0, 2).map((field) => `${field.name}：${field.value}`)];
  return {
    creator_userid: request.originatorUserId,
    template_id: templateId,
    use_template_approver: approvers.length === 0 ? 1 : 0,
    ...(approvers.length === 0 ? {} : { approver: approvers.map((userId) => ({ attr: 1, userid: [userId] })) }),
    apply_data: { contents },
    summary_list: summary.map((text) => ({ summary_info: [{ text, lang: 'zh_CN' }] })),
  };
}
