import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MachineFacts } from './bench-db';

/** One DESIGN §14 target and how this run did against it. */
export interface TargetCheck {
  name: string;
  target: string;
  actual: string;
  pass: boolean;
}

/** What every benchmark saves to bench/results/<bench>.json; the rest of the object is the bench's own figures. */
export interface BenchResult {
  bench: string;
  title: string;
  date: string;
  durationS: number;
  machine: MachineFacts;
  targets: TargetCheck[];
  [figures: string]: unknown;
}

export const resultsDir = path.join(__dirname, 'results');

export function printTargets(targets: readonly TargetCheck[], say: (line: string) => void): void {
  for (const t of targets) say(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.actual}  (目标 target ${t.target})`);
}

/** Overwrites bench/results/<bench>.json and regenerates the README table from every result file there. */
export function saveResult(result: BenchResult): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${result.bench}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  writeReadme();
  return path.relative(process.cwd(), file);
}

/** Regenerates bench/results/README.md from the JSON files there. */
export function writeReadme(): void {
  const results = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')) as BenchResult);
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (`npm run bench -- nearby`, `npm run bench -- claims`); do not edit by hand. Targets are',
    'those of DESIGN §14. The full figures of each run are in the JSON file next to this one.',
    '',
    '| Benchmark | Target | Result | |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of results) {
    for (const t of r.targets) lines.push(`| ${r.title} | ${t.name}: ${t.target} | ${t.actual} | ${t.pass ? 'PASS' : 'FAIL'} |`);
  }
  lines.push(
    '',
    '## Measured on',
    '',
    '| Benchmark | Date | CPUs | Memory | Node | MariaDB | Load at start | Run time |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of results) {
    const m = r.machine;
    lines.push(
      `| ${r.title} | ${r.date.slice(0, 10)} | ${m.cpus} × ${m.cpuModel} | ${m.memoryGiB} GiB | ${m.node} | ${m.mariadb} (${m.mariadbServer ?? '?'}) | ${m.loadAverage1m ?? '?'} | ${Math.round(r.durationS)} s |`,
    );
  }
  lines.push(
    '',
    'MariaDB, the API server (claim storm) and the load generator share the machine. "throwaway" is the server of',
    '`server/test/mariadb-server.ts`, started by the bench when `MYSQL_URL` is unset (buffer pool 1 GiB,',
    '`innodb_flush_log_at_trx_commit=1` — durable — from 2026-12-07 on, `BENCH_MARIADB_FLUSH=2` for the lax setting; runs',
    'before that used 2). "Load at start" is the 1-minute load average when that bench began (in a full',
    'run the claim storm\'s includes the nearby bench just before it); other work on the machine raises it and makes the',
    'timings pessimistic.',
    '',
  );
  writeFileSync(path.join(resultsDir, 'README.md'), lines.join('\n'));
}

