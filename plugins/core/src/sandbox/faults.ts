/** A planned wrong answer (DESIGN §6 `_control/faults`): the next `times` calls to `path` get it. */
export interface SandboxFault {
  /** The vendor path without the sandbox prefix, e.g. `/topapi/v2/user/getuserinfo`. */
  path: string;
  times: number;
  /** HTTP status to answer with; default 200 when only an errcode is given. */
  status?: number;
  /** Vendor errcode to put in the body. */
  errcode?: number;
}

export type SandboxFaultAnswer = Pick<SandboxFault, 'status' | 'errcode'>;

export class SandboxFaults {
  private readonly planned = new Map<string, { answer: SandboxFaultAnswer; remaining: number }[]>();

  add(fault: SandboxFault): void {
    const queue = this.planned.get(fault.path) ?? [];
    queue.push({ answer: { status: fault.status, errcode: fault.errcode }, remaining: fault.times });
    this.planned.set(fault.path, queue);
  }

  /** Uses up one planned answer for `path`, oldest plan first; `undefined` when none is planned. */
  take(path: string): SandboxFaultAnswer | undefined {
    const queue = this.planned.get(path);
    const next = queue?.[0];
    if (queue === undefined || next === undefined) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) queue.shift();
    if (queue.length === 0) this.planned.delete(path);
    return next.answer;
  }
}
