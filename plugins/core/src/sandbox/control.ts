import type { LoginChannel, OrgFixture } from '../port';
import type { SandboxAccessTokens } from './access-tokens';
import type { SandboxFault, SandboxFaults } from './faults';
import type { SandboxLoginCodes } from './login-codes';
import type { RequestBody } from './request-body';

/** A control endpoint's answer, framework-free; each vendor's router writes it out. */
export interface ControlReply {
  status: number;
  body: unknown;
}

export interface SandboxControlOptions {
  fixtures: readonly OrgFixture[];
  codes: SandboxLoginCodes;
  tokens: SandboxAccessTokens;
  faults: SandboxFaults;
  /** The vendor paths this sandbox serves (faults may target only these), without the prefix. */
  vendorPaths: readonly string[];
  /** The router prefix, e.g. `/sandbox/dingtalk`; a fault path given with it is accepted too. */
  prefix: string;
}

/** Thrown by the programmatic helpers; the HTTP control endpoints answer 400 with the same code instead. */
export class SandboxControlError extends Error {
  override readonly name = 'SandboxControlError';

  constructor(
    readonly code: 'invalid_request' | 'unknown_corp' | 'unknown_user' | 'unknown_path',
    message: string,
  ) {
    super(message);
  }
}

/** The control endpoints of DESIGN §6 that every vendor sandbox shares, over the sandbox's own state. */
export class SandboxControl {
  constructor(private readonly options: SandboxControlOptions) {}

  /** A code of `channel` (default `miniprogram`) for a member of a sandbox corp; throws for an unknown corp or user. */
  mintLoginCode(corpId: string, userId: string, channel: LoginChannel = 'miniprogram'): string {
    const fixture = this.options.fixtures.find((candidate) => candidate.corpId === corpId);
    if (fixture === undefined) throw new SandboxControlError('unknown_corp', `no corp "${corpId}" in the sandbox`);
    if (!fixture.users.some((user) => user.userId === userId)) {
      throw new SandboxControlError('unknown_user', `no user "${userId}" in corp "${corpId}"`);
    }
    return this.options.codes.mint({ corpId, userId, channel });
  }

  /** `POST _control/login-code` `{corpId, userId, channel?: "miniprogram" | "oauth"}` → `{code}`. */
  loginCode(request: RequestBody): ControlReply {
    if (!request.ok) return unreadable(request);
    const body = request.value;
    const corpId = stringField(body, 'corpId');
    const userId = stringField(body, 'userId');
    const channel = loginChannelField(body);
    if (corpId === undefined || userId === undefined || channel === null) {
      const expected = 'expected a JSON body {"corpId": string, "userId": string, "channel"?: "miniprogram" | "oauth"}';
      return failure(new SandboxControlError('invalid_request', expected));
    }
    return attempt(() => ({ code: this.mintLoginCode(corpId, userId, channel) }));
  }

  /** `POST _control/tokens/expire` → `{expired}`: how many live tokens it expired. */
  expireTokens(): ControlReply {
    return { status: 200, body: { expired: this.options.tokens.expireAll() } };
  }

  /** Plans the fault; a path given with the sandbox prefix is stored without it. Returns the fault as planned. */
  injectFault(fault: SandboxFault): SandboxFault {
    const { prefix } = this.options;
    const path = fault.path.startsWith(`${prefix}/`) ? fault.path.slice(prefix.length) : fault.path;
    if (!this.options.vendorPaths.includes(path)) {
      throw new SandboxControlError(
        'unknown_path',
        `the sandbox serves no "${fault.path}"; faults can target ${this.options.vendorPaths.join(', ')}`,
      );
    }
    const planned = { ...fault, path };
    this.options.faults.add(planned);
    return planned;
  }

  /** `POST _control/faults` `{path, times, status?, errcode?}` → the accepted fault; `times` defaults to 1. */
  addFault(request: RequestBody): ControlReply {
    if (!request.ok) return unreadable(request);
    const body = request.value;
    const path = stringField(body, 'path');
    const times = numberField(body, 'times') ?? 1;
    const status = numberField(body, 'status');
    const errcode = numberField(body, 'errcode');
    const valid =
      path !== undefined &&
      Number.isInteger(times) &&
      times >= 1 &&
      (status === undefined || (Number.isInteger(status) && status >= 200 && status <= 599)) &&
      (errcode === undefined || Number.isInteger(errcode)) &&
      (errcode !== undefined || (status !== undefined && status !== 200));
    if (!valid) {
      return failure(
        new SandboxControlError(
          'invalid_request',
          'expected a JSON body {"path": string, "times"?: integer >= 1, "status"?: 200..599, "errcode"?: integer} ' +
            'with an errcode or a non-200 status',
        ),
      );
    }
    return attempt(() => this.injectFault({ path, times, status, errcode }));
  }
}

function attempt(run: () => unknown): ControlReply {
  try {
    return { status: 200, body: run() };
  } catch (error) {
    if (error instanceof SandboxControlError) return failure(error);
    throw error;
  }
}

function unreadable(request: Extract<RequestBody, { ok: false }>): ControlReply {
  const status = request.reason === 'too_large' ? 413 : 400;
  return { status, body: { error: { code: request.reason, message: request.message } } };
}

function failure(error: SandboxControlError): ControlReply {
  return { status: 400, body: { error: { code: error.code, message: error.message } } };
}

function stringField(body: unknown, name: string): string | undefined {
  const value = isRecord(body) ? body[name] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The body's `channel`: `undefined` when absent (the default applies), `null` when it names no channel. */
export function loginChannelField(body: unknown): LoginChannel | undefined | null {
  const value = isRecord(body) ? body.channel : undefined;
  if (value === undefined) return undefined;
  return value === 'miniprogram' || value === 'oauth' ? value : null;
}

function numberField(body: unknown, name: string): number | undefined {
  const value = isRecord(body) ? body[name] : undefined;
  return typeof value === 'number' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
