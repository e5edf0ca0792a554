import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/** Runs a few lines with the guards installed, through tsx as `npm start` runs main.ts; its status and stderr lines. */
function runGuarded(body: string) {
  const script = `const { installProcessGuards } = require(${JSON.stringify(path.join(root, 'server/src/process-guards.ts'))}); installProcessGuards(); ${body}`;
  const res = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const logged = res.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string; stack: string }; origin?: string });
  return { status: res.status, stdout: res.stdout, logged };
}

describe('process guards', () => {
  it('logs an exception thrown outside any request as fatal and exits 1 for the supervisor to restart', () => {
    const run = runGuarded(`setTimeout(() => { throw new Error('boom outside a request'); }, 0); setTimeout(() => console.log('still running'), 200);`);

    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('still running');
    expect(run.logged).toHaveLength(1);
    expect(run.logged[0]).toMatchObject({ level: 60, origin: 'uncaughtException', err: { message: 'boom outside a request' } });
    expect(run.logged[0]!.msg).toContain('exiting with status 1');
    expect(run.logged[0]!.err!.stack).toContain('boom outside a request');
  });

  it('exits 1 on a promise rejection nobody handles, logging the reason', () => {
    const run = runGuarded(`Promise.reject(new Error('nobody awaited me')); setTimeout(() => console.log('still running'), 200);`);

    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('still running');
    expect(run.logged).toEqual([expect.objectContaining({ level: 60, err: expect.objectContaining({ message: 'nobody awaited me' }) })]);
  });
});
