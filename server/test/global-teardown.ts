import { stopThrowawayMariadb } from './mariadb-server';

export default async function globalTeardown(): Promise<void> {
  const started = process.env.GONGHAI_TEST_MARIADB;
  if (started) stopThrowawayMariadb(JSON.parse(started) as { pid: number; dir: string });
}
