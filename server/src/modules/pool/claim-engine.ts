import { isMysql, type Db } from '../../db/create-db';
import { GroupCommit } from '../../db/group-commit';
import { writeTransaction } from '../../db/write-retry';
import { applyOwnershipChanges, changeOf, type OwnershipChange } from './ownership-writer';
import { OwnershipFacts, type CustomerRow } from './ownership-facts';
import { decideChange, type Decision, type Proximity } from './ownership-rules';
import type { Pool } from './pool';

/** One claim as the engine takes it. */
export interface ClaimAttempt {
  tenantId: string;
  customerId: number;
  userId: string;
  now: number;
  /** The tenant-local day the daily quota counts; a batch holds claims of one tenant and one day. */
  day: string;
  timeZone: string;
  /** For pools with a claim radius: the claimant's location as the risk engine judged it (claim-location.ts). */
  proximity?: Proximity;
  /** Extra ledger evidence (the proximity fix and verdict). */
  evidence?: Record<string, unknown>;
}

/** What the engine decided for one claim, with the customer and its pool as the claim's turn saw them. */
export interface ClaimOutcome {
  decision: Decision;
  /** The customer after the claim (owned by the claimant when granted), or undefined when it does not exist. */
  customer: CustomerRow | undefined;
  pool: Pool | null;
}

/** Most claims in one batch (they share one transaction, so one slow batch delays all of them). */
const MAX_BATCH = 64;

/**
 * Decides the claims of a batch in arrival order with the one decision (ownership-rules.ts), as if they ran one after
 * another: each grant moves the customer and the claimant's counts on before the next claim is decided.
 */
function decideClaims(facts: OwnershipFacts, claims: ClaimAttempt[]): { outcomes: ClaimOutcome[]; changes: OwnershipChange[] } {
  const changes: OwnershipChange[] = [];
  const outcomes = claims.map((c): ClaimOutcome => {
    const row = facts.row(c.customerId);
    const pool = row ? facts.pool(row.pool_id) : null;
    // Without a pool (no such customer) the rep is nobody's member and holds nothing there: the decision says not found.
    const poolId = pool?.id ?? -1;
    const decision = decideChange(facts.state(c.customerId), pool, facts.countsOf(c.userId, poolId), {
      kind: 'claim',
      rep: facts.party(c.userId, poolId),
      proximity: c.proximity,
      now: c.now,
      timeZone: c.timeZone,
    });
    if (!decision.ok) return { decision, customer: row, pool };
    facts.granted(c.customerId, decision, c.now);
    changes.push(changeOf(c.tenantId, c.customerId, decision, c.now, { evidence: c.evidence }));
    return { decision, customer: facts.row(c.customerId), pool };
  });
  return { outcomes, changes };
}

/**
 * One batch of claims, on either dialect: read the facts under their locks, decide every claim with the one decision,
 * write the granted ones with the one writer, commit — one transaction, retried whole when it loses a conflict
 * (write-retry.ts). Every statement is its own round trip: Galera can answer OK for a multi-statement packet it aborted
 * (DESIGN §10), so a batch shares the transaction and its commit, never a packet.
 */
export async function runClaimBatch(db: Db, claims: ClaimAttempt[]): Promise<ClaimOutcome[]> {
  const { tenantId, day } = claims[0]!;
  if (claims.some((c) => c.tenantId !== tenantId || c.day !== day)) throw new Error('a claim batch holds one tenant and one day');
  const items = claims.map((c) => ({ customerId: c.customerId, userId: c.userId }));
  return writeTransaction(db, async (trx) => {
    const { outcomes, changes } = decideClaims(await OwnershipFacts.read(trx, tenantId, day, items), claims);
    // The customers stay locked from the read, so every granted change applies; if one ever did not, the writer throws
    // and the batch rolls back rather than commit a ledger that disagrees with the rows.
    await applyOwnershipChanges(trx, changes, { mustApply: true });
    return outcomes;
  });
}

const engines = new WeakMap<Db, GroupCommit<ClaimAttempt, ClaimOutcome>>();

/**
 * The claim engine of a database handle (one per handle, so per process): claims of one tenant and quota day that
 * arrive together, or while earlier batches of theirs run, are decided together (group commit). Two batches run at once
 * on MySQL (each on its own connection); SQLite has one writer, so one.
 */
export function claimEngine(db: Db): GroupCommit<ClaimAttempt, ClaimOutcome> {
  let engine = engines.get(db);
  if (!engine) {
    engine = new GroupCommit({
      keyOf: (c) => `${c.tenantId}\u0000${c.day}`,
      maxInFlight: isMysql(db) ? 2 : 1,
      maxBatch: MAX_BATCH,
      run: (claims) => runClaimBatch(db, claims),
    });
    engines.set(db, engine);
  }
  return engine;
}
