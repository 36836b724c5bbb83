import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'interop/**'],
    globalSetup: ['./infra/test/global-setup.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
