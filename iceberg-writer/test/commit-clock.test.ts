/**
 * What a commit takes from its surroundings (`CommitHooks`), on the embedded SQLite catalog: snapshot
 * times from the injected clock (so expiry by age is exact, with no real time passing), the backoff between
 * conflicting attempts through the injected sleep and jitter, a table replaced between attempts (not
 * retried), and a version hint that cannot be read — an error, never "no hint", and a warning after a
 * swap that succeeded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { NARROW_SCHEMA } from '../../infra/index.js';
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import { versionHintWrite } from '../catalog/metadata-file.js';
import type { SqlCatalog } from '../catalog/sql/sql-catalog.js';
import { icebergCommit } from '../commit/table-commit.js';
import type { FileIO } from '../io/file-io.js';
import { tableExpireSnapshots, tableRollback, tableSnapshots } from '../table/table-ops.js';
import { filesWrite, replaced, sqliteTableOpen } from './helpers.js';

const id: TableIdentifier = { namespace: ['ks'], name: 't' };
const HOUR = 3_600_000;
const T0 = Date.parse('2024-03-01T00:00:00Z');
let inner: SqlCatalog;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ catalog: inner, close } = await sqliteTableOpen(id, 'dm-iceberg-clock-'));
});
afterEach(() => close());

const append = async (catalog: Catalog, runId: string, at: number) =>
  icebergCommit(
    catalog,
    id,
    await filesWrite(inner, id, 0, 5),
    { mode: 'append', runId },
    { now: () => at, warn: (m) => expect.fail(`unexpected warning: ${m}`) },
  );

describe('commit clock', () => {
  it('stamps snapshots with the injected time; expiry by age keeps exactly the young and the current', async () => {
    const ids: string[] = [];
    for (let k = 0; k < 4; k++) ids.push(String((await append(inner, `r${k}`, T0 + k * HOUR)).snapshotId));
    expect((await tableSnapshots(inner, id)).map((s) => s.timestamp)).toEqual([
      '2024-03-01T00:00:00.000Z',
      '2024-03-01T01:00:00.000Z',
      '2024-03-01T02:00:00.000Z',
      '2024-03-01T03:00:00.000Z',
    ]);
    // 90 minutes before T0+3h: the snapshots of T0 and T0+1h are older; T0+2h and the current stay
    const warnings: string[] = [];
    const r = await tableExpireSnapshots(inner, id, {
      olderThanMs: 90 * 60_000,
      now: T0 + 3 * HOUR,
      retainLast: 1,
      warn: (m) => warnings.push(m),
    });
    expect(r.expired).toEqual(ids.slice(0, 2));
    expect((await tableSnapshots(inner, id)).map((s) => s.snapshotId)).toEqual(ids.slice(2));
    expect(warnings).toEqual([]);
    // nothing is older than 2 hours before T0+3h any more
    expect(
      (await tableExpireSnapshots(inner, id, { olderThanMs: 2 * HOUR, now: T0 + 3 * HOUR })).expired,
    ).toEqual([]);
  });

  it('a clock that goes back still orders a snapshot after its parent', async () => {
    await append(inner, 'late', T0 + HOUR);
    await append(inner, 'early', T0);
    expect((await tableSnapshots(inner, id)).map((s) => Date.parse(s.timestamp) - T0)).toEqual([
      HOUR,
      HOUR + 1,
    ]);
  });

  it('waits between conflicting attempts through the injected sleep, with the injected jitter', async () => {
    let conflicts = 3;
    const catalog = replaced<Catalog>(inner, {
      async commitTable(tid, requirements, updates) {
        if (conflicts-- > 0) {
          throw new DatamoveError('CommitConflict', 'iceberg: commit conflict: injected', {
            retryable: true,
          });
        }
        return inner.commitTable(tid, requirements, updates);
      },
    });
    const sleeps: number[] = [];
    const r = await icebergCommit(
      catalog,
      id,
      await filesWrite(inner, id, 0, 5),
      { mode: 'append', runId: 'c', baseBackoffMs: 100, maxBackoffMs: 250 },
      { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    );
    expect(r.attempts).toBe(4);
    // backoff min(250, 100·2^(n-1)) = 100, 200, 250; half of it plus jitter·half
    expect(sleeps).toEqual([75, 150, 187.5]);
  });

  it('does not retry into a table replaced under the same name', async () => {
    const catalog = replaced<Catalog>(inner, {
      async commitTable() {
        await inner.dropTable(id);
        await inner.createTable(id, { schema: NARROW_SCHEMA });
        throw new DatamoveError('CommitConflict', 'iceberg: commit conflict: injected', { retryable: true });
      },
    });
    const before = (await inner.loadTable(id)).metadata['table-uuid'];
    const e = await icebergCommit(
      catalog,
      id,
      await filesWrite(inner, id, 0, 5),
      { mode: 'append', runId: 'x' },
      {
        sleep: async () => {},
      },
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatamoveError);
    expect(e).toMatchObject({ kind: 'CommitConflict', retryable: false, context: { uuid: before } });
    expect((e as Error).message).toMatch(
      new RegExp(
        `^iceberg: table ks\\.t was replaced while run x was committing \\(table uuid ${before}, now [0-9a-f-]{36}\\)`,
      ),
    );
    expect(await tableSnapshots(inner, id)).toEqual([]);
  });
});

describe('version hint', () => {
  const unreadableHint = (io: FileIO, writes: string[]): FileIO =>
    replaced(io, {
      async read(uri) {
        if (uri.endsWith('/version-hint.text')) {
          throw new DatamoveError('Unexpected', `iceberg: read ${uri}: EIO: i/o error, read`);
        }
        return io.read(uri);
      },
      async write(uri, bytes) {
        writes.push(uri.slice(uri.lastIndexOf('/') + 1));
        return io.write(uri, bytes);
      },
    });

  it('is written when missing, never moved back, and a read error is an error, not "no hint"', async () => {
    const t = await inner.loadTable(id);
    const hint = `${t.metadata.location}/metadata/version-hint.text`;
    const loc = (v: number) =>
      `${t.metadata.location}/metadata/${String(v).padStart(5, '0')}-x.metadata.json`;
    await versionHintWrite(inner.io, loc(3), t.metadata);
    expect(new TextDecoder().decode(await inner.io.read(hint))).toBe('3');
    await versionHintWrite(inner.io, loc(2), t.metadata);
    expect(new TextDecoder().decode(await inner.io.read(hint))).toBe('3');
    const writes: string[] = [];
    await expect(
      versionHintWrite(unreadableHint(inner.io, writes), loc(4), t.metadata),
    ).rejects.toMatchObject({
      kind: 'Unexpected',
      message: expect.stringMatching(/version-hint\.text: EIO/),
    });
    expect(writes).toEqual(['v4.metadata.json']); // the hint itself is left alone
    expect(new TextDecoder().decode(await inner.io.read(hint))).toBe('3');
  });

  it('that cannot be published after a swap is a warning; the commit and the rollback stand', async () => {
    const writes: string[] = [];
    const catalog = replaced<Catalog>(inner, { io: unreadableHint(inner.io, writes) });
    const warnings: string[] = [];
    const first = await icebergCommit(
      catalog,
      id,
      await filesWrite(inner, id, 0, 5),
      { mode: 'append', runId: 'h1' },
      { warn: (m) => warnings.push(m) },
    );
    expect(first.alreadyCommitted).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^iceberg: \S+\.metadata\.json is committed, but its version hint for path readers was not published: iceberg: read \S+version-hint\.text: EIO/,
    );
    expect(writes).not.toContain('version-hint.text');
    await append(inner, 'h2', T0);
    await tableRollback(catalog, id, { snapshotId: first.snapshotId }, { warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(2);
    expect((await tableSnapshots(inner, id)).find((s) => s.current)?.snapshotId).toBe(
      String(first.snapshotId),
    );
  });
});
