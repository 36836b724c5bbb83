/**
 * The ground truth: what `SELECT * FROM t` returns at the reference time, computed from a partition's
 * write history alone by applying the statements in timestamp order (timestamps are unique, so this is
 * exactly last-write-wins) and then dropping what has expired. It shares no code with the reader or the
 * compactor, so comparing the two checks both.
 */
import type { JsonValue } from '../../reader/index.js';
import type { PartitionHistory, RowOp, TableGen } from './model.js';

interface CellState {
  value: JsonValue;
  expiresAt: number; // seconds; Infinity when no TTL
}

interface RowState {
  marker: { expiresAt: number } | null;
  cells: Map<number, CellState>;
}

/** The live rows of partition `p` at `now` (seconds), as JSON objects keyed by column name. */
export function* oracleRows(
  gen: TableGen,
  p: number,
  now: number,
  ops?: (j: number) => readonly RowOp[],
): Generator<Record<string, JsonValue>> {
  const history = gen.partitionHistory(p);
  const rowOps = ops ?? ((j: number) => gen.rowOps(p, j));
  const model = gen.model;
  const key = gen.partitionKey(p);
  const base: Record<string, JsonValue> = {};
  model.partitionKey.forEach((c, i) => {
    base[c.name] = key[i]!;
  });
  const statics = model.columns.filter((c) => c.kind === 'static' && !c.hidden);
  const regulars = model.columns.filter((c) => c.kind === 'regular' && !c.hidden);

  const staticState = applyOps(history.staticOps, history, -1);
  const staticValues: Record<string, JsonValue> = {};
  let staticLive = false;
  for (const c of statics) {
    const s = staticState?.cells.get(c.id);
    const live = s !== undefined && now < s.expiresAt;
    staticValues[c.name] = live ? s.value : null;
    if (live) staticLive = true;
  }

  let any = false;
  const n = gen.rowCount(p);
  for (let j = 0; j < n; j++) {
    const state = applyOps(rowOps(j), history, j);
    if (state === null) continue;
    const markerLive = state.marker !== null && now < state.marker.expiresAt;
    const out: Record<string, JsonValue> = { ...base };
    const ck = gen.clustering(p, j);
    model.clustering.forEach((c, i) => {
      out[c.name] = ck[i]!;
    });
    let cellLive = false;
    for (const c of regulars) {
      const s = state.cells.get(c.id);
      const live = s !== undefined && now < s.expiresAt;
      out[c.name] = live ? s.value : null;
      if (live) cellLive = true;
    }
    if (!markerLive && !cellLive) continue;
    any = true;
    yield { ...out, ...staticValues };
  }
  if (!any && staticLive) {
    const out: Record<string, JsonValue> = { ...base };
    for (const c of model.clustering) out[c.name] = null;
    for (const c of regulars) out[c.name] = null;
    yield { ...out, ...staticValues };
  }
}

/** Applies a row's writes and the partition-level deletions that cover it, in timestamp order. */
function applyOps(ops: readonly RowOp[], history: PartitionHistory, j: number): RowState | null {
  const deletions: number[] = [];
  if (history.deletion !== undefined) deletions.push(history.deletion);
  if (j >= 0) for (const r of history.ranges) if (j >= r.from && j < r.to) deletions.push(r.ts);
  type Step = { ts: number; op: RowOp | null };
  const steps: Step[] = ops.map((op) => ({ ts: op.ts, op }));
  for (const d of deletions) steps.push({ ts: d, op: null });
  steps.sort((a, b) => a.ts - b.ts);
  let state: RowState | null = null;
  for (const { ts, op } of steps) {
    if (op === null || op.kind === 'delete-row') {
      state = null;
      continue;
    }
    state ??= { marker: null, cells: new Map() };
    if (op.kind === 'delete-cell') {
      state.cells.delete(op.column);
      continue;
    }
    const expiresAt = op.ttl > 0 ? Math.floor(ts / 1e6) + op.ttl : Number.POSITIVE_INFINITY;
    if (op.kind === 'insert') state.marker = { expiresAt };
    for (const [column, value] of op.cells) {
      if (value === null) state.cells.delete(column);
      else state.cells.set(column, { value, expiresAt });
    }
  }
  return state;
}
