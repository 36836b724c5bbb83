import { defineConfig } from 'vitest/config';

/**
 * `npm run test:interop`: the tests that run real engines — Cassandra 4.1 and 5.0 nodes started from
 * the jar (interop/cassandra/), and the Iceberg engines (interop/iceberg/) — kept out of `npm test`.
 * One file at a time: each starts JVMs on a shared 2-core machine.
 */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['interop/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    globalSetup: ['./infra/test/global-setup.ts'],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
