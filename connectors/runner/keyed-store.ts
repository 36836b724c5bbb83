/**
 * The keyed store of a `keyed` source: the source's compacted rows on local disk, looked up by key.
 * Writing (worker, one file per task attempt): each raw-model batch is appended as one Arrow IPC stream
 * segment, and each run of rows sharing a key becomes an index entry `[key, segment, rowStart, rowEnd]`.
 * Reading (worker of the main pass): the merged index (one JSON file written by the main thread) maps a key
 * to its entries; a lookup reads only those segments (positioned reads) and slices them. Memory: the index
 * and one decoded segment (the last one is kept: consecutive lookups mostly hit it).
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { bytesAt } from '../arrow/out-columns.js';
import { keyedKey } from '../connector.js';

export interface KeyedSegment {
  readonly offset: number;
  readonly length: number;
}

/** What one task wrote (a sink's `detail`). */
export interface KeyedTaskStore {
  readonly file: string;
  readonly segments: readonly KeyedSegment[];
  /** `[key, segment, rowStart, rowEnd]`. */
  readonly keys: readonly (readonly [string, number, number, number])[];
}

/** The merged index of a keyed source, written once by the main thread. */
export interface KeyedStoreIndex {
  readonly files: readonly { readonly file: string; readonly segments: readonly KeyedSegment[] }[];
  /** key → flat `[file, segment, rowStart, rowEnd, …]`. */
  readonly keys: Record<string, number[]>;
}

export function keyedStoreIndexMerge(tasks: readonly KeyedTaskStore[]): KeyedStoreIndex {
  const files = tasks.map((t) => ({ file: t.file, segments: t.segments }));
  const keys: Record<string, number[]> = Object.create(null);
  tasks.forEach((t, f) => {
    for (const [k, s, a, b] of t.keys) {
      const list = keys[k] ?? [];
      keys[k] = list;
      list.push(f, s, a, b);
    }
  });
  return { files, keys };
}

function keyPart(d: arrow.Data, row: number): string | Uint8Array | number | null {
  if (d.type instanceof arrow.Utf8) {
    const b = bytesAt(d, row);
    return b === null ? null : new TextDecoder().decode(b);
  }
  if (d.type instanceof arrow.Binary) return bytesAt(d, row);
  const v = arrow.makeVector(d).get(row) as unknown;
  return v === null ? null : String(v);
}

export class KeyedStoreWriter {
  readonly #temp: string;
  readonly #final: string;
  readonly #fd: number;
  readonly #keyColumns: readonly string[];
  readonly #segments: KeyedSegment[] = [];
  readonly #keys: [string, number, number, number][] = [];
  #offset = 0;
  rows = 0;

  constructor(dir: string, name: string, keyColumns: readonly string[]) {
    this.#temp = join(dir, `${name}.tmp`);
    this.#final = join(dir, `${name}.arrows`);
    this.#fd = openSync(this.#temp, 'w');
    this.#keyColumns = keyColumns;
  }

  write(batch: arrow.RecordBatch): void {
    const idx = this.#keyColumns.map((n) => {
      const i = batch.schema.fields.findIndex((f) => f.name === n);
      if (i < 0) throw new Error(`keyed source has no column ${n}`);
      return batch.data.children[i]!;
    });
    const seg = this.#segments.length;
    let last: [string, number, number, number] | undefined;
    for (let r = 0; r < batch.numRows; r++) {
      const k = keyedKey(idx.map((d) => keyPart(d, r)));
      if (last !== undefined && last[0] === k) last[3] = r + 1;
      else {
        last = [k, seg, r, r + 1];
        this.#keys.push(last);
      }
    }
    const bytes = arrow.tableToIPC(new arrow.Table([batch]), 'stream');
    writeSync(this.#fd, bytes);
    this.#segments.push({ offset: this.#offset, length: bytes.length });
    this.#offset += bytes.length;
    this.rows += batch.numRows;
  }

  async commit(): Promise<KeyedTaskStore> {
    closeSync(this.#fd);
    await rename(this.#temp, this.#final);
    return { file: this.#final, segments: this.#segments, keys: this.#keys };
  }

  async abort(): Promise<void> {
    try {
      closeSync(this.#fd);
    } catch {}
    await rm(this.#temp, { force: true });
  }
}

const indexes = new Map<string, Promise<KeyedStoreIndex>>();

export class KeyedStoreReader {
  readonly #index: KeyedStoreIndex;
  #cached: { file: number; segment: number; batch: arrow.RecordBatch } | undefined;
  readonly #fds = new Map<number, number>();

  private constructor(index: KeyedStoreIndex) {
    this.#index = index;
  }

  /** Opens the index at `path` (parsed once per thread). */
  static async open(path: string): Promise<KeyedStoreReader> {
    let p = indexes.get(path);
    if (p === undefined) {
      p = readFile(path, 'utf8').then((t) => JSON.parse(t) as KeyedStoreIndex);
      indexes.set(path, p);
    }
    return new KeyedStoreReader(await p);
  }

  #segment(file: number, segment: number): arrow.RecordBatch {
    const c = this.#cached;
    if (c !== undefined && c.file === file && c.segment === segment) return c.batch;
    const f = this.#index.files[file]!;
    const s = f.segments[segment]!;
    let fd = this.#fds.get(file);
    if (fd === undefined) {
      fd = openSync(f.file, 'r');
      this.#fds.set(file, fd);
    }
    const bytes = new Uint8Array(s.length);
    let done = 0;
    while (done < s.length) {
      const n = readSync(fd, bytes, done, s.length - done, s.offset + done);
      if (n === 0) throw new Error(`keyed store ${f.file} is truncated at ${s.offset + done}`);
      done += n;
    }
    const batch = arrow.tableFromIPC(bytes).batches[0]!;
    this.#cached = { file, segment, batch };
    return batch;
  }

  async *lookup(key: string): AsyncIterable<arrow.RecordBatch> {
    const e = this.#index.keys[key];
    if (e === undefined) return;
    for (let i = 0; i < e.length; i += 4) {
      const b = this.#segment(e[i]!, e[i + 1]!);
      yield b.slice(e[i + 2]!, e[i + 3]!);
    }
  }

  close(): void {
    for (const fd of this.#fds.values()) closeSync(fd);
    this.#fds.clear();
    this.#cached = undefined;
  }
}
