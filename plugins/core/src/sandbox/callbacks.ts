import { request } from 'undici';
import type { OrgFixture } from '../port';
import type { RequestBody } from './request-body';

/** How the server answered one delivered callback. */
export interface CallbackDelivery {
  status: number;
  body: string;
}

/** POSTs (or GETs) one callback to the server as the platform would, and returns the server's raw answer. */
export async function deliverCallback(options: {
  url: string;
  method?: 'GET' | 'POST';
  query: Record<string, string>;
  body?: string;
  contentType?: string;
}): Promise<CallbackDelivery> {
  const target = new URL(options.url);
  for (const [name, value] of Object.entries(options.query)) target.searchParams.set(name, value);
  const response = await request(target, {
    method: options.method ?? 'POST',
    headers: options.contentType === undefined ? {} : { 'content-type': options.contentType },
    body: options.body,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  return { status: response.statusCode, body: await response.body.text() };
}

export type OrgUserInput = Omit<OrgFixture['users'][number], 'leaderOf' | 'mobile' | 'title' | 'hiredDate'> &
  Partial<Pick<OrgFixture['users'][number], 'mobile' | 'title' | 'hiredDate'>> & { leaderOf: number[] };

/**
 * Reads `POST _control/org/users` `{userId, name, departmentIds, leader?, hiredDate?, mobile?, title?}`; `leader: true`
 * makes the user the leader of every listed department. Returns a message instead when the body is wrong.
 */
export function parseOrgUser(request: RequestBody): OrgUserInput | string {
  const expected =
    'expected a JSON body {"userId": string, "name": string, "departmentIds": integer[], "leader"?: boolean, ' +
    '"hiredDate"?: "YYYY-MM-DD", "mobile"?: string, "title"?: string, "admin"?: boolean}';
  if (!request.ok) return request.message;
  const body = request.value as Record<string, unknown> | null;
  if (typeof body !== 'object' || body === null) return expected;
  const { userId, name, departmentIds, leader, hiredDate, mobile, title, admin } = body;
  const ids = Array.isArray(departmentIds) ? departmentIds : [];
  const valid =
    typeof userId === 'string' &&
    /^[A-Za-z0-9_.@-]{1,64}$/.test(userId) &&
    typeof name === 'string' &&
    name.trim() !== '' &&
    ids.length > 0 &&
    ids.every((id) => Number.isInteger(id)) &&
    (leader === undefined || typeof leader === 'boolean') &&
    (hiredDate === undefined || (typeof hiredDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(hiredDate))) &&
    (mobile === undefined || typeof mobile === 'string') &&
    (title === undefined || typeof title === 'string') &&
    (admin === undefined || typeof admin === 'boolean');
  if (!valid) return expected;
  const departments = ids as number[];
  return {
    userId,
    name: name.trim(),
    departmentIds: departments,
    leaderOf: leader === true ? [...departments] : [],
    ...(hiredDate === undefined ? {} : { hiredDate: hiredDate as string }),
    ...(mobile === undefined ? {} : { mobile: mobile as string }),
    ...(title === undefined ? {} : { title: title as string }),
    ...(admin === true ? { admin: true } : {}),
  };
}
