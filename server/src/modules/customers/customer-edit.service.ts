import type { Clock } from '@gonghai/plugin-core';
import type { Actor } from '../../context';
import type { Db } from '../../db/create-db';
import { writeTransaction } from '../../db/write-retry';
import { AppError, notFound } from '../../errors';
import { encodeGeohash, toGcj02 } from '../../geo/geo';
import { localDate } from '../../time';
import { OwnershipFacts, stateOf } from '../pool/ownership-facts';
import { decideChange, type Refusal } from '../pool/ownership-rules';
import { poolError } from '../pool/pool.errors';
import type { ContactInput, UpdateContactInput, UpdateCustomerInput } from './customers';
import type { CustomerRow } from './customers.repository';
import { customerProfile, loadVisibleCustomer, manages } from './customers.service';
import type { FieldChange } from './customers.table';
import { deleteContact, findContact, insertContact, insertEdit, updateContact, updateCustomerColumns } from './customer-edits.repository';

/**
 * Who may edit a customer's details and contacts: its owner, a manager of the owner's department subtree, an admin. A
 * pool customer belongs to nobody's team, so only admins edit it (a rep claims it first). Whoever cannot even see the
 * customer gets the 404 `loadVisibleCustomer` gives; whoever sees it but may not edit it, a 403 saying who may.
 */
export async function loadEditableCustomer(db: Db, actor: Actor, id: number): Promise<CustomerRow> {
  const row = await loadVisibleCustomer(db, actor, id);
  if (actor.roles.includes('admin') || (row.owner_id !== null && row.owner_id === actor.userId)) return row;
  if (row.owner_id !== null && (await manages(db, actor, row.owner_id))) return row;
  throw new AppError(
    403,
    'forbidden',
    row.owner_id === null
      ? '公海中的客户只能由管理员修改资料；如需修改，请先领取该客户或联系管理员。'
      : '只有该客户的负责人、负责人的上级经理或管理员才能修改客户资料。',
  );
}

/**
 * The per-level cap a new level meets, decided by the one cap rule of ownership-rules.ts: asked as if the customer, at
 * its new level, were given to its owner. Only the per-level cap can refuse — a level change leaves how many customers
 * the owner holds as it is, so the total is left out. Null: the owner may hold it at that level.
 */
async function levelCapRefusal(trx: Db, actor: Actor, row: CustomerRow, level: string, now: number): Promise<Refusal | null> {
  const ownerId = row.owner_id!;
  const facts = await OwnershipFacts.readCreation(trx, actor.tenantId, localDate(now, actor.timeZone), ownerId, row.pool_id);
  const pool = facts.pool(row.pool_id);
  if (pool === null) return null;
  const owner = { ...facts.party(ownerId, pool.id), active: true, member: true };
  const decision = decideChange(
    { ...stateOf(row), status: 'pool', ownerId: null, level, reservedByAssignmentId: null },
    pool,
    { ...facts.countsOf(ownerId, pool.id), owned: 0 },
    { kind: 'assign', actor: { id: actor.userId, roles: ['admin'], inScope: true }, to: owner, force: false, now, timeZone: actor.timeZone },
  );
  if (decision.ok) return null;
  const { limit, owned } = (decision.details ?? {}) as { limit?: number; owned?: number };
  return {
    ...decision,
    message: `${owner.name} 在「${pool.name}」已持有 ${owned} 个 ${level} 级客户，达到该级别上限 ${limit} 个，不能把该客户改为 ${level} 级；请先退回部分 ${level} 级客户${actor.roles.includes('admin') ? '，或勾选强制修改' : '，或请管理员强制修改'}。`,
  };
}

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * `PATCH /api/v1/customers/:id`: changes the fields given, records what changed on the timeline, and answers the profile
 * — whose reclaim countdown is computed from the new level, so a level change re-evaluates the rules that apply.
 */
export async function editCustomer(db: Db, clock: Clock, actor: Actor, id: number, input: UpdateCustomerInput) {
  const now = clock.now();
  await writeTransaction(db, async (trx) => {
    const row = await loadEditableCustomer(trx, actor, id);
    const changes: FieldChange[] = [];
    const set: Parameters<typeof updateCustomerColumns>[3] = {};
    if (input.name !== undefined && input.name !== row.name) {
      changes.push({ field: 'name', from: row.name, to: input.name });
      set.name = input.name;
    }
    if (input.address !== undefined && input.address !== row.address) {
      changes.push({ field: 'address', from: row.address, to: input.address });
      set.address = input.address;
    }
    if (input.lat !== undefined && input.lng !== undefined) {
      const { lat, lng } = toGcj02(input.lat, input.lng, input.coord);
      if (lat !== row.lat || lng !== row.lng) {
        changes.push({ field: 'location', from: { lat: row.lat, lng: row.lng }, to: { lat, lng } });
        Object.assign(set, { lat, lng, geohash: encodeGeohash(lat, lng) });
      }
    }
    if (input.tags !== undefined) {
      const before = JSON.parse(row.tags) as string[];
      const tags = [...new Set(input.tags)];
      if (!sameTags(before, tags)) {
        changes.push({ field: 'tags', from: before, to: tags });
        set.tags = JSON.stringify(tags);
      }
    }
    if (input.level !== undefined && input.level !== row.level) {
      if (row.owner_id !== null && !(input.force && actor.roles.includes('admin'))) {
        const refusal = await levelCapRefusal(trx, actor, row, input.level, now);
        if (refusal) throw poolError(refusal.status, 'owned_limit_reached', refusal.message, refusal.details);
      }
      changes.push({ field: 'level', from: row.level, to: input.level });
      set.level = input.level;
    }
    if (changes.length === 0) return;
    await updateCustomerColumns(trx, actor.tenantId, id, { ...set, updated_at: now });
    await insertEdit(trx, { tenantId: actor.tenantId, customerId: id, actorId: actor.userId, kind: 'edited', changes, at: now });
  });
  return customerProfile(db, actor, id);
}

/** The contact's name before and after, first in every contact edit, so the timeline can name the contact. */
const contactNamed = (from: string | null, to: string | null): FieldChange => ({ field: 'contact', from, to });

export async function addContact(db: Db, clock: Clock, actor: Actor, customerId: number, input: ContactInput) {
  const now = clock.now();
  return writeTransaction(db, async (trx) => {
    await loadEditableCustomer(trx, actor, customerId);
    const contact = { name: input.name, title: input.title ?? null, phone: input.phone ?? null };
    const id = await insertContact(trx, { tenantId: actor.tenantId, customerId, ...contact, now });
    const changes = [
      contactNamed(null, contact.name),
      ...(contact.title ? [{ field: 'title', from: null, to: contact.title }] : []),
      ...(contact.phone ? [{ field: 'phone', from: null, to: contact.phone }] : []),
    ];
    await insertEdit(trx, { tenantId: actor.tenantId, customerId, actorId: actor.userId, kind: 'contact_added', changes, at: now });
    return { id, ...contact };
  });
}

export async function editContact(db: Db, clock: Clock, actor: Actor, customerId: number, contactId: number, input: UpdateContactInput) {
  const now = clock.now();
  return writeTransaction(db, async (trx) => {
    await loadEditableCustomer(trx, actor, customerId);
    const before = await findContact(trx, actor.tenantId, customerId, contactId);
    if (!before) throw notFound('联系人');
    const after = { name: input.name ?? before.name, title: input.title === undefined ? before.title : input.title || null, phone: input.phone === undefined ? before.phone : input.phone || null };
    const changes = (['name', 'title', 'phone'] as const).filter((f) => after[f] !== before[f]).map((f) => ({ field: f, from: before[f], to: after[f] }));
    if (changes.length > 0) {
      await updateContact(trx, actor.tenantId, contactId, after);
      await insertEdit(trx, { tenantId: actor.tenantId, customerId, actorId: actor.userId, kind: 'contact_edited', changes: [contactNamed(before.name, after.name), ...changes], at: now });
    }
    return { id: contactId, ...after };
  });
}

export async function removeContact(db: Db, clock: Clock, actor: Actor, customerId: number, contactId: number): Promise<void> {
  const now = clock.now();
  await writeTransaction(db, async (trx) => {
    await loadEditableCustomer(trx, actor, customerId);
    const before = await findContact(trx, actor.tenantId, customerId, contactId);
    if (!before) throw notFound('联系人');
    await deleteContact(trx, actor.tenantId, contactId);
    const changes = [contactNamed(before.name, null), ...(before.phone ? [{ field: 'phone', from: before.phone, to: null }] : [])];
    await insertEdit(trx, { tenantId: actor.tenantId, customerId, actorId: actor.userId, kind: 'contact_removed', changes, at: now });
  });
}
