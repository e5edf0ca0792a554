import { startThrowawayMariadb, stopThrowawayMariadb, type ThrowawayMariadb } from '../server/test/mariadb-server';
import { runCheckinBench } from './checkin.bench';
import { runClaimsBench } from './claims.bench';
import { runDedupeBench } from './dedupe.bench';
import { runDashboardBench } from './dashboard.bench';
import { runImportBench } from './import.bench';
import { runNearbyBench } from './nearby.bench';
import { runSweepBench } from './sweep.bench';
import { printTargets, saveResult, type BenchResult } from './results';

/**
 * `npm run bench [-- nearby|claims|checkin|sweep|dashboard|import|dedupe]`: the DESIGN §14 benchmarks against MariaDB (MYSQL_URL, or a throwaway server
 * started here). Prints PASS/FAIL per target and exits 0 either way; exits 1 only when the bench broke or a
 * correctness check failed (a double owner, a quota overrun, a nearby answer that differs from the full scan).
 */
const benches: Record<string, (serverUrl: string, say: (line: string) => void) => Promise<{ result: BenchResult; correct: boolean }>> = {
  nearby: runNearbyBench,
  claims: runClaimsBench,
  checkin: runCheckinBench,
  sweep: runSweepBench,
  dashboard: runDashboardBench,
  import: runImportBench,
  dedupe: runDedupeBench,
};

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const asked = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = asked.filter((a) => !(a in benches));
  if (unknown.length) {
    say(`unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(benches).join(', ')} (none = all)`);
    return 2;
  }
  const names = asked.length ? asked : Object.keys(benches);
  let server: ThrowawayMariadb | null = null;
  let serverUrl = process.env.MYSQL_URL;
  if (!serverUrl) {
    // Durable commits by default, as production runs (DESIGN §14); BENCH_MARIADB_FLUSH=2 to compare with the lax setting.
    const flush = process.env.BENCH_MARIADB_FLUSH === '2' ? 2 : 1;
    say(`MYSQL_URL not set: starting a throwaway MariaDB (innodb_flush_log_at_trx_commit=${flush}) …`);
    server = await startThrowawayMariadb({ flushLogAtTrxCommit: flush });
    serverUrl = server.url;
  }
  const stop = async () => {
    const s = server;
    server = null;
    if (s) await stopThrowawayMariadb(s);
  };
  process.once('SIGINT', () => {
    void stop().finally(() => process.exit(130));
  });
  let correct = true;
  const done: BenchResult[] = [];
  try {
    for (const name of names) {
      const run = await benches[name]!(serverUrl, say);
      const file = saveResult(run.result);
      say(`\n  ${run.result.title}:`);
      printTargets(run.result.targets, say);
      say(`  saved ${file}`);
      correct &&= run.correct;
      done.push(run.result);
    }
  } finally {
    await stop();
  }
  if (done.length > 1) {
    say('\n== summary ==');
    for (const r of done) {
      say(`  ${r.title}:`);
      printTargets(r.targets, say);
    }
  }
  if (!correct) say('\nCORRECTNESS FAILURE: see the FAIL lines above.');
  return correct ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
