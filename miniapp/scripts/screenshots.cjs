// `npm run screenshots`: refreshes docs/screenshots/*.png (375×812: login, 公海 map and list, 我的客户, 工作台) by
// running the rep walk-through of the browser tests with UPDATE_SCREENSHOTS=1.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const result = spawnSync(process.execPath, [path.join(root, 'node_modules/jest/bin/jest.js'), 'miniapp/e2e/__tests__/rep-claim.test.ts', '-t', 'rep01 logs in'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, UPDATE_SCREENSHOTS: '1' },
});
process.exit(result.status ?? 1);
