import type { Clock } from '@gonghai/plugin-core';
import type { Actor } from '../../context';
import type { Db } from '../../db/create-db';
import { writeTransaction } from '../../db/write-retry';
import { AppError, notFound } from '../../errors';
import { encodeGeohash, toGcj02 } from '../../geo/geo';
import { formatLocal, localDate, toIso } from '../../time';
import { departmentPaths, findUser, userInSubtrees, userNames } from '../org/org.repository';
import { OwnershipFacts } from '../pool/ownership-facts';
import { decideChange, emptyCounts, refusalError } from '../pool/ownership-rules';
import { recordCreations } from '../pool/ownership-writer';
import { poolError } from '../pool/pool.errors';
import { homePoolId, isPoolMember } from '../pool/pool.repository';
import { appealTimeline } from '../reclaim/appeal.service';
import { reclaimClocks, type ClockRule } from '../reclaim/clocks';
import { cachedCalendar, rulesByPool } from '../pool/pool-rules.repository';
import type { WorkCalendar } from '../reclaim/work-calendar';
import { customerVisitTimeline } from '../visits/visits.timeline';
import { editsOf, editTimelineItems, maskPhone } from './customer-edits.timeline';
import type { CreateCustomerInput, CustomerDto } from './customers';
import { assertNotDuplicate } from './duplicate-check';
import { nameKey, phoneKey } from './duplicates';
import {
  contactsOf,
  dealsOf,
  findCustomer,
  followUpsOf,
  ledgerOf,
  ownedCustomers,
  type CustomerRow,
} from './customers.repository';

/** Shapes a row for the wire, with its earliest reclaim clock when owned. */
export function toCustomerDto(row: CustomerRow, rules: ClockRule[], zone: string, calendar?: WorkCalendar): CustomerDto {
  let reclaim: CustomerDto['reclaim'] = null;
  if (row.status === 'owned' && row.owned_since !== null) {
    const first = reclaimClocks(
      {
        level: row.level,
        tags: JSON.parse(row.tags) as string[],
        ownedSince: row.owned_since,
        lastVerifiedVisitAt: row.last_verified_visit_at,
        lastFollowUpAt: row.last_follow_up_at,
        lastDealWonAt: row.last_deal_won_at,
      },
      rules,
      zone,
      calendar,
    )[0];
    if (first) reclaim = { ruleId: first.ruleId, kind: first.kind, dueDate: new Date(first.dueDate).toISOString() };
  }
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    lat: row.lat,
    lng: row.lng,
    level: row.level,
    tags: JSON.parse(row.tags) as string[],
    status: row.status,
    poolId: row.pool_id,
    ownerId: row.owner_id,
    ownedSince: toIso(row.owned_since),
    lastVerifiedVisitAt: toIso(row.last_verified_visit_at),
    lastFollowUpAt: toIso(row.last_follow_up_at),
    reclaim,
  };
}

export async function customerDtos(db: Db, actor: Actor, rows: CustomerRow[]): Promise<CustomerDto[]> {
  const rules = await rulesByPool(db, actor.tenantId, rows.map((r) => r.pool_id));
  // Only working-day rules need the calendar; claims and listings skip the read otherwise.
  const calendar = [...rules.values()].some((list) => list.some((r) => r.workingDaysOnly)) ? await cachedCalendar(db, actor.tenantId) : undefined;
  return rows.map((r) => toCustomerDto(r, rules.get(r.pool_id) ?? [], actor.timeZone, calendar));
}

/** Whether the actor manages `userId` (leads a department above them). */
export async function manages(db: Db, actor: Actor, userId: string): Promise<boolean> {
  if (!actor.roles.includes('manager')) return false;
  const me = await findUser(db, actor.tenantId, actor.userId);
  if (!me) return false;
  return userInSubtrees(db, actor.tenantId, userId, await departmentPaths(db, actor.tenantId, me.leaderOf));
}

/**
 * Loads a customer the actor may see: admins and HR see all, owners theirs, pool members the pool's customers,
 * managers their team's. Anything else is "not found", so ids of other tenants or teams reveal nothing.
 */
export async function loadVisibleCustomer(db: Db, actor: Actor, id: number): Promise<CustomerRow> {
  const row = await findCustomer(db, actor.tenantId, id);
  if (!row) throw notFound('客户');
  if (actor.roles.includes('admin') || actor.roles.includes('hr') || row.owner_id === actor.userId) return row;
  if (row.status === 'pool' && (await isPoolMember(db, actor.tenantId, actor.userId, row.pool_id))) return row;
  if (row.owner_id !== null && (await manages(db, actor, row.owner_id))) return row;
  throw notFound('客户');
}

export async function loadOwnedCustomer(db: Db, actor: Actor, id: number): Promise<CustomerRow> {
  const row = await loadVisibleCustomer(db, actor, id);
  if (row.owner_id !== actor.userId) {
    throw poolError(403, 'not_owner', '只有该客户的负责人才能进行此操作；请先领取该客户。');
  }
  return row;
}

export async function createCustomer(db: Db, clock: Clock, actor: Actor, input: CreateCustomerInput): Promise<CustomerDto> {
  const { lat, lng } = toGcj02(input.lat, input.lng, input.coord);
  const now = clock.now();
  const id = await writeTransaction(db, async (trx) => {
    await assertNotDuplicate(trx, actor, { name: input.name, lat, lng, phones: input.contacts.map((c) => c.phone) });
    const owned = input.poolId === undefined;
    const poolId = input.poolId ?? (await homePoolId(trx, actor.tenantId, actor.userId));
    const day = localDate(now, actor.timeZone);
    // The creator's counts in the pool, under the lock their claims there take: creation obeys the same caps.
    const facts = await OwnershipFacts.readCreation(trx, actor.tenantId, day, actor.userId, poolId ?? -1);
    const pool = poolId === undefined ? null : facts.pool(poolId);
    const decision = decideChange(null, pool, pool ? facts.countsOf(actor.userId, pool.id) : emptyCounts(day), {
      kind: 'create',
      rep: facts.party(actor.userId, poolId ?? -1),
      admin: actor.roles.includes('admin'),
      level: input.level,
      owned,
      now,
      timeZone: actor.timeZone,
    });
    if (!decision.ok) throw refusalError(decision);
    const result = await trx
      .insertInto('customers')
      .values({
        tenant_id: actor.tenantId,
        name: input.name,
        name_key: nameKey(input.name),
        address: input.address,
        lat,
        lng,
        geohash: encodeGeohash(lat, lng),
        level: input.level,
        tags: JSON.stringify(input.tags),
        status: decision.toUserId === null ? 'pool' : 'owned',
        pool_id: decision.toPoolId,
        owner_id: decision.toUserId,
        owned_since: decision.toUserId === null ? null : now,
        pool_entered_at: decision.toUserId === null ? now : null,
        created_by: actor.userId,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const customerId = Number(result.insertId);
    if (input.contacts.length > 0) {
      await trx
        .insertInto('customer_contacts')
        .values(
          input.contacts.map((c) => ({
            tenant_id: actor.tenantId,
            customer_id: customerId,
            name: c.name,
            title: c.title ?? null,
            phone: c.phone ?? null,
            phone_key: phoneKey(c.phone),
            created_at: now,
          })),
        )
        .execute();
    }
    await recordCreations(trx, [{ tenantId: actor.tenantId, customerId, toUserId: decision.toUserId, toPoolId: decision.toPoolId, actorId: decision.actorId, reason: decision.reason, now }]);
    return customerId;
  });
  const row = await findCustomer(db, actor.tenantId, id);
  return (await customerDtos(db, actor, [row!]))[0]!;
}

export interface TimelineItem {
  type: string;
  at: string;
  [field: string]: unknown;
}

/** The full profile (全景档案): details, contacts (masked unless the viewer may call them), timeline, countdown. */
export async function customerProfile(db: Db, actor: Actor, id: number) {
  const row = await loadVisibleCustomer(db, actor, id);
  const [dto] = await customerDtos(db, actor, [row]);
  const seesPhones =
    row.owner_id === actor.userId ||
    actor.roles.includes('admin') ||
    (row.owner_id !== null && (await manages(db, actor, row.owner_id)));
  const [contacts, ledger, followUps, deals, visits, edits] = await Promise.all([
    contactsOf(db, actor.tenantId, id),
    ledgerOf(db, actor.tenantId, id),
    followUpsOf(db, actor.tenantId, id),
    dealsOf(db, actor.tenantId, id),
    customerVisitTimeline(db, actor.tenantId, id),
    editsOf(db, actor.tenantId, id),
  ]);
  const names = await userNames(db, actor.tenantId, [
    ...ledger.flatMap((e) => [e.from_user_id, e.to_user_id, e.actor_id].filter((x): x is string => x !== null)),
    ...followUps.map((f) => f.user_id),
    ...deals.map((d) => d.user_id),
    ...visits.map((v) => v.userId),
    ...edits.map((e) => e.actorId),
    ...(row.owner_id ? [row.owner_id] : []),
  ]);
  const timeline: (TimelineItem & { sortKey: number })[] = [
    ...ledger.map((e) => ({
      sortKey: e.at,
      type: e.type,
      at: new Date(e.at).toISOString(),
      fromUserId: e.from_user_id,
      fromUserName: e.from_user_id ? names.get(e.from_user_id) ?? null : null,
      toUserId: e.to_user_id,
      toUserName: e.to_user_id ? names.get(e.to_user_id) ?? null : null,
      fromPoolId: e.from_pool_id,
      toPoolId: e.to_pool_id,
      actorId: e.actor_id,
      reason: e.reason,
      ruleId: e.rule_id,
      ruleVersion: e.rule_version,
    })),
    ...followUps.map((f) => ({
      sortKey: f.at,
      type: 'follow_up',
      at: new Date(f.at).toISOString(),
      kind: f.kind,
      content: f.content,
      userId: f.user_id,
      userName: names.get(f.user_id) ?? null,
    })),
    ...deals.map((d) => ({
      sortKey: d.created_at,
      type: 'deal',
      at: new Date(d.created_at).toISOString(),
      dealId: d.id,
      title: d.title,
      amount: d.amount_cents / 100,
      status: d.status,
      closedAt: toIso(d.closed_at),
      userId: d.user_id,
      userName: names.get(d.user_id) ?? null,
    })),
    ...(await appealTimeline(db, actor.tenantId, id)),
    ...visits.map((v) => ({
      sortKey: Date.parse(v.checkedInAt),
      type: 'visit',
      at: v.checkedInAt,
      visitId: v.id,
      verdict: v.verdict,
      risk: v.risk,
      distanceM: v.distanceM,
      finishedAt: v.finishedAt,
      dwellS: v.dwellS,
      notes: v.notes,
      review: v.review,
      photos: v.photos ?? [],
      userId: v.userId,
      userName: names.get(v.userId) ?? null,
    })),
    ...editTimelineItems(edits, names, seesPhones),
  ];
  // Newest first; at the same instant the creation, which always comes first, is listed last.
  timeline.sort((a, b) => b.sortKey - a.sortKey || Number(a.type === 'created') - Number(b.type === 'created'));
  return {
    ...dto!,
    ownerName: row.owner_id ? names.get(row.owner_id) ?? null : null,
    priorOwnerId: row.prior_owner_id,
    priorOwnerBlockedUntil: toIso(row.prior_owner_blocked_until),
    reserved: row.reserved_by_assignment_id !== null,
    // Whoever may call the contacts may also edit the customer (customer-edit.service.ts).
    editable: seesPhones,
    contacts: contacts.map((c) => ({ id: c.id, name: c.name, title: c.title, phone: seesPhones ? c.phone : maskPhone(c.phone) })),
    timeline: timeline.map(({ sortKey: _sortKey, ...item }) => item),
  };
}

/** The rep's own customers, most urgent reclaim first (customers without a clock last). */
export async function myCustomers(db: Db, actor: Actor): Promise<CustomerDto[]> {
  const dtos = await customerDtos(db, actor, await ownedCustomers(db, actor.tenantId, actor.userId));
  const due = (c: CustomerDto) => (c.reclaim ? Date.parse(c.reclaim.dueDate) : Number.POSITIVE_INFINITY);
  return dtos.sort((a, b) => due(a) - due(b) || a.id - b.id);
}

export async function addFollowUp(
  db: Db,
  clock: Clock,
  actor: Actor,
  customerId: number,
  input: { kind: 'call' | 'note' | 'message'; content: string },
) {
  const now = clock.now();
  return writeTransaction(db, async (trx) => {
    await loadOwnedCustomer(trx, actor, customerId);
    const result = await trx
      .insertInto('follow_ups')
      .values({ tenant_id: actor.tenantId, customer_id: customerId, user_id: actor.userId, kind: input.kind, content: input.content, at: now })
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('customers')
      .set({ last_follow_up_at: now, updated_at: now })
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', customerId)
      .execute();
    return { id: Number(result.insertId), kind: input.kind, content: input.content, at: new Date(now).toISOString() };
  });
}

function dealDto(d: { id: number; title: string; amount_cents: number; status: string; closed_at: number | null; created_at: number }) {
  return { id: d.id, title: d.title, amount: d.amount_cents / 100, status: d.status, closedAt: toIso(d.closed_at), createdAt: new Date(d.created_at).toISOString() };
}

export async function addDeal(
  db: Db,
  clock: Clock,
  actor: Actor,
  customerId: number,
  input: { title: string; amount: number; status: 'open' | 'won' | 'lost' },
) {
  const now = clock.now();
  return writeTransaction(db, async (trx) => {
    await loadOwnedCustomer(trx, actor, customerId);
    const closedAt = input.status === 'open' ? null : now;
    const result = await trx
      .insertInto('deals')
      .values({
        tenant_id: actor.tenantId,
        customer_id: customerId,
        user_id: actor.userId,
        title: input.title,
        amount_cents: Math.round(input.amount * 100),
        status: input.status,
        closed_at: closedAt,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    if (input.status === 'won') await markWon(trx, actor.tenantId, customerId, now);
    return dealDto({ id: Number(result.insertId), title: input.title, amount_cents: Math.round(input.amount * 100), status: input.status, closed_at: closedAt, created_at: now });
  });
}

export async function setDealStatus(
  db: Db,
  clock: Clock,
  actor: Actor,
  customerId: number,
  dealId: number,
  status: 'open' | 'won' | 'lost',
) {
  const now = clock.now();
  return writeTransaction(db, async (trx) => {
    await loadOwnedCustomer(trx, actor, customerId);
    const deal = await trx
      .selectFrom('deals')
      .selectAll()
      .where('tenant_id', '=', actor.tenantId)
      .where('customer_id', '=', customerId)
      .where('id', '=', dealId)
      .executeTakeFirst();
    if (!deal) throw notFound('商机');
    if (deal.status !== 'open' && status !== deal.status) {
      throw new AppError(422, 'deal_closed', `该商机已于 ${formatLocal(deal.closed_at ?? now, actor.timeZone)} 关闭，不能再修改状态；请新建一个商机。`);
    }
    const closedAt = status === 'open' ? null : now;
    await trx
      .updateTable('deals')
      .set({ status, closed_at: closedAt, updated_at: now })
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', dealId)
      .execute();
    if (status === 'won') await markWon(trx, actor.tenantId, customerId, now);
    return dealDto({ ...deal, status, closed_at: closedAt });
  });
}

async function markWon(trx: Db, tenantId: string, customerId: number, now: number) {
  await trx
    .updateTable('customers')
    .set({ last_deal_won_at: now, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', customerId)
    .execute();
}
