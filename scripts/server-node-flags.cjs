// The V8 flags the API server runs with: `npm start` (scripts/start.mjs) and the benchmarks' server process
// (bench/api-server-process.ts), which must run as production does.
//
// --max-semi-space-size=64: a young generation of up to 64 MB per semi-space (V8's default stops at 16 MB). A server
// at a few hundred requests a second makes mostly short-lived objects; with 16 MB the scavenger ran about 4 times as
// often (163 scavenges in one check-in bench run against 42) and promoted what the batch in flight still held, so the
// old generation filled and a mark-compact could land in the middle of the load: its concurrent marking took one of
// the two cores and the event loop stalled 15–30 ms at a time (check-in bench on MariaDB: p99 68–100 ms in the runs
// where one did, 21–35 ms otherwise). It costs up to about 100 MB more resident memory.
module.exports = { serverNodeFlags: ['--max-semi-space-size=64'] };
