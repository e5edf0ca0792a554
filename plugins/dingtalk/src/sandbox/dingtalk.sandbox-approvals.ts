import { randomUUID } from 'node:crypto';
import type { SandboxApproval, SandboxApprovalOutcome } from '@gonghai/plugin-core';

export type { SandboxApproval, SandboxApprovalOutcome };

interface StoredApproval extends SandboxApproval {
  corpId: string;
  createTime: number;
  finishTime?: number;
}

/** The approvals started in the sandbox, in start order. */
export class SandboxApprovals {
  private readonly items: StoredApproval[] = [];

  start(approval: Omit<StoredApproval, 'instanceId' | 'status'>): string {
    const instanceId = randomUUID();
    this.items.push({ ...approval, instanceId, status: 'pending' });
    return instanceId;
  }

  list(): SandboxApproval[] {
    return this.items.map(({ instanceId, templateId, originatorUserId, title, fields, approverUserIds, status }) => ({
      instanceId,
      templateId,
      originatorUserId,
      title,
      fields: fields.map((field) => ({ ...field })),
      approverUserIds: [...approverUserIds],
      status,
    }));
  }

  /**
   * Ends a pending approval and returns the `bpms_instance_change` plaintext DingTalk pushes for it (dingtalk-api
   * §4.3: `finish` with `agree`/`refuse`, or `terminate` without a result); `undefined` for an unknown instance,
   * `'decided'` when it ended before.
   */
  settle(
    instanceId: string,
    outcome: SandboxApprovalOutcome,
    now: number,
  ): { corpId: string; payload: Record<string, unknown> } | 'decided' | undefined {
    const approval = this.items.find((item) => item.instanceId === instanceId);
    if (approval === undefined) return undefined;
    if (approval.status !== 'pending') return 'decided';
    approval.status = outcome;
    approval.finishTime = now;
    return {
      corpId: approval.corpId,
      payload: {
        EventType: 'bpms_instance_change',
        processInstanceId: approval.instanceId,
        corpId: approval.corpId,
        processCode: approval.templateId,
        title: approval.title,
        ...(outcome === 'withdrawn'
          ? { type: 'terminate' }
          : { type: 'finish', result: outcome === 'approved' ? 'agree' : 'refuse' }),
        staffId: approval.originatorUserId,
        bizCategoryId: '',
        createTime: approval.createTime,
        finishTime: now,
      },
    };
  }
}
