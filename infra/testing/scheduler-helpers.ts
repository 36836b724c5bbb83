/**
 * Scheduler test helpers: a slow connector module (the raw connector, with a pause before each task's
 * first batch) so a run reliably outlasts an every-second schedule, and job files that use it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../corpus.js';

/**
 * Writes `<dir>/slow-connector.mjs`: the built raw connector whose transform waits `delayMs` before
 * passing a task's batches on. Worker threads import built code, so the module imports dist/.
 */
export function slowConnectorWrite(dir: string, delayMs: number): string {
  const path = join(dir, 'slow-connector.mjs');
  const raw = join(REPO_ROOT, 'dist', 'connectors', 'raw', 'raw-connector.js');
  writeFileSync(
    path,
    `import { rawConnector } from ${JSON.stringify(raw)};
export const connector = {
  ...rawConnector,
  name: 'slow-raw',
  async *transform(input, ctx) {
    await new Promise((r) => setTimeout(r, ${delayMs}));
    yield* rawConnector.transform(input, ctx);
  },
};
`,
  );
  return path;
}

/** A job file's text: `gen.narrow` of `backup` through the slow connector, on `cron`. */
export function slowJobYaml(o: {
  name: string;
  backup: string;
  module: string;
  catalog: string;
  cron: string;
  now: string | number;
}): string {
  return `name: ${o.name}
source: { uri: "${o.backup}", keyspace: gen, table: narrow }
connector: { module: "${o.module}", options: { table: narrow } }
consistency: all
now: "${o.now}"
target: { catalog: "${o.catalog}", namespace: lake, table: ${o.name.replace(/-/g, '_')} }
schedule: { cron: "${o.cron}", timeZone: UTC }
workers: 1
`;
}
