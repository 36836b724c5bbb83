import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // interop/: real Cassandra, Spark, PyIceberg — `npm run test:interop` (interop/vitest.config.ts)
    exclude: ['node_modules/**', 'dist/**', 'interop/**'],
    globalSetup: ['./infra/test/global-setup.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
