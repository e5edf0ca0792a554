import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt } = require(path.resolve(__dirname, '../../scripts/ensure-build.cjs')) as { ensureBuilt: (t: string) => { built: boolean } };

/** The H5 build the server serves; rebuilt only when its sources changed (scripts/test.mjs usually built it already). */
export function ensureH5Build(): void {
  ensureBuilt('h5');
}
