/** One Jest run for the whole workspace; `npm test` (scripts/test.mjs) provisions MariaDB and Chromium first. */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  testMatch: ['<rootDir>/{config,plugins,server}/**/__tests__/**/*.test.ts', '<rootDir>/miniapp/**/__tests__/**/*.test.ts'],
  // The mini-program's `@/…` imports (its tsconfig paths).
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/miniapp/src/$1' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/server/test/global-setup.ts',
  globalTeardown: '<rootDir>/server/test/global-teardown.ts',
  testTimeout: 120000,
};
