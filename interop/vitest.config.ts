// `npm run test:interop`: the suites that run real engines and servers (interop/**), never part of `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['interop/**/*.test.ts'],
    globalSetup: ['./infra/test/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
