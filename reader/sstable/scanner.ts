/**
 * Sequential scan of one SSTable's Data.db: partitions, then each partition's unfiltereds, pulled one at
 * a time. Bytes arrive chunk by chunk from a `ChunkStream`; a record that crosses the end of the window is
 * parsed again once the window holds all of it (its size is known from its header, so at most twice),
 * so neither a whole file nor a whole partition is ever held in memory — only the records not yet
 * consumed and the chunks under them.
 */
import { DatamoveError } from '../../core/index.js';
import { Cursor, NEED_MORE } from '../bytes/cursor.js';
import type { ChunkStream } from './chunk-source.js';
import {
  type PartitionHeader,
  ROW,
  type Row,
  type Unfiltered,
  type UnfilteredDecoder,
} from './unfiltered.js';

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * What a `try…` method of a `SyncPartitionStream` returns when its bytes have not arrived yet: await
 * `ready()`, then make the same call again.
 */
export const NOT_READY: unique symbol = Symbol('NOT_READY');
export type NotReady = typeof NOT_READY;

/** A partition's header and its static row (or null). */
export type PartitionStart = PartitionHeader & { staticRow: Row | null };

/** A stream of partitions and their unfiltereds in token order: an SSTable scan, or any other source. */
export interface PartitionStream {
  /** The next partition's header and static row, skipping the rest of the current one; undefined at the end. */
  nextPartition(): Promise<PartitionStart | undefined>;
  /** The next row or range tombstone marker of the current partition; null after its last. */
  nextUnfiltered(): Promise<Unfiltered | null>;
  /** Optional synchronous fast path (see `SyncPartitionStream`); a stream has all three or none. */
  tryNextPartition?(): PartitionStart | undefined | NotReady;
  tryNextUnfiltered?(): Unfiltered | null | NotReady;
  ready?(): Promise<void>;
}

/**
 * A `PartitionStream` that hands out whatever is already decoded (or decodable from bytes already in
 * memory) without a promise: a scan of narrow partitions costs one `await` per chunk of bytes, not one per
 * row and per layer of stream filters (an async call per row and per layer was most of the merge's time).
 */
export interface SyncPartitionStream extends PartitionStream {
  /** As `nextPartition`, or NOT_READY: then `await ready()` and call again (the call resumes where it stopped). */
  tryNextPartition(): PartitionStart | undefined | NotReady;
  /** As `nextUnfiltered`, or NOT_READY: then `await ready()` and call again. */
  tryNextUnfiltered(): Unfiltered | null | NotReady;
  /** Resolves once the call that returned NOT_READY can make progress (or rejects with why it cannot). */
  ready(): Promise<void>;
}

/** The synchronous methods of a stream turned into a whole `SyncPartitionStream` (async ones loop on them). */
export function syncPartitionStream(
  s: Pick<SyncPartitionStream, 'tryNextPartition' | 'tryNextUnfiltered' | 'ready'>,
): SyncPartitionStream {
  return {
    tryNextPartition: () => s.tryNextPartition(),
    tryNextUnfiltered: () => s.tryNextUnfiltered(),
    ready: () => s.ready(),
    async nextPartition() {
      for (;;) {
        const p = s.tryNextPartition();
        if (p !== NOT_READY) return p;
        await s.ready();
      }
    },
    async nextUnfiltered() {
      for (;;) {
        const u = s.tryNextUnfiltered();
        if (u !== NOT_READY) return u;
        await s.ready();
      }
    },
  };
}

/** `s` itself when it has the synchronous methods, else an adapter that pulls one item per `ready()`. */
export function partitionStreamSync(s: PartitionStream): SyncPartitionStream {
  if (s.tryNextPartition !== undefined && s.tryNextUnfiltered !== undefined && s.ready !== undefined)
    return s as SyncPartitionStream;
  // what the last NOT_READY asked for, and what ready() fetched for it
  let want: 'partition' | 'unfiltered' = 'partition';
  let has: 'none' | 'partition' | 'unfiltered' = 'none';
  let partition: PartitionStart | undefined;
  let unfiltered: Unfiltered | null = null;
  return syncPartitionStream({
    tryNextPartition() {
      if (has === 'partition') {
        has = 'none';
        return partition;
      }
      // an unfiltered fetched for the current partition is skipped with the rest of it
      has = 'none';
      want = 'partition';
      return NOT_READY;
    },
    tryNextUnfiltered() {
      if (has === 'unfiltered') {
        has = 'none';
        return unfiltered;
      }
      want = 'unfiltered';
      return NOT_READY;
    },
    async ready() {
      if (want === 'partition') {
        partition = await s.nextPartition();
        has = 'partition';
      } else {
        unfiltered = await s.nextUnfiltered();
        has = 'unfiltered';
      }
    },
  });
}

export class SSTableScanner implements SyncPartitionStream {
  private readonly cur: Cursor;
  private inPartition = false;
  private done = false;
  private pending: Unfiltered | null = null;
  /** A header read while its partition's first unfiltered was not in the window yet. */
  private header: PartitionHeader | null = null;
  /** After NOT_READY: the bytes needed from `cur.mark`, and whether the data may end there (between partitions). */
  private need = 0;
  private endOk = false;

  constructor(
    private readonly stream: ChunkStream,
    private readonly decoder: UnfilteredDecoder,
    private readonly file: string,
    start: number,
    /** Uncompressed end of the scanned range (a partition boundary). */
    private readonly end: number,
  ) {
    this.cur = new Cursor(EMPTY, 0, 0, start);
  }

  /**
   * The next partition's header and static row (or null), skipping whatever is left of the current
   * partition; `undefined` at the end of the range.
   */
  async nextPartition(): Promise<PartitionStart | undefined> {
    for (;;) {
      const p = this.tryNextPartition();
      if (p !== NOT_READY) return p;
      await this.ready();
    }
  }

  /** The next row or marker of the current partition, `null` after its last. */
  async nextUnfiltered(): Promise<Unfiltered | null> {
    for (;;) {
      const u = this.tryNextUnfiltered();
      if (u !== NOT_READY) return u;
      await this.ready();
    }
  }

  tryNextPartition(): PartitionStart | undefined | NotReady {
    if (this.done) return undefined;
    while (this.inPartition) if (this.tryNextUnfiltered() === NOT_READY) return NOT_READY;
    const c = this.cur;
    let header = this.header;
    if (header === null) {
      if (c.pos >= c.end) {
        if (c.position >= this.end) {
          this.done = true;
          return undefined;
        }
        c.mark = c.pos;
        this.need = 1;
        this.endOk = true;
        return NOT_READY;
      }
      const h = this.tryParse(this.readHeader);
      if (h === NOT_READY) return NOT_READY;
      header = h;
    }
    // the static row, when there is one, comes first
    this.staticAllowed = true;
    const first = this.tryParse(this.readNext);
    this.staticAllowed = false;
    if (first === NOT_READY) {
      this.header = header;
      return NOT_READY;
    }
    this.header = null;
    let staticRow: Row | null = null;
    if (first !== null) {
      this.inPartition = true;
      if (first.kind === ROW && first.isStatic) staticRow = first;
      else this.pending = first; // not static: hand it out as the first unfiltered
    }
    return { key: header.key, deletion: header.deletion, position: header.position, staticRow };
  }

  tryNextUnfiltered(): Unfiltered | null | NotReady {
    if (!this.inPartition) return null;
    if (this.pending !== null) {
      const u = this.pending;
      this.pending = null;
      return u;
    }
    const u = this.tryParse(this.readNext);
    if (u === null) this.inPartition = false;
    return u;
  }

  /** Brings in the bytes the last NOT_READY asked for; at the end of the data between partitions, ends the scan. */
  async ready(): Promise<void> {
    if (await this.fill(this.need)) return;
    if (this.endOk) {
      this.done = true;
      return;
    }
    const c = this.cur;
    throw new DatamoveError(
      'DataInvalid',
      `sstable: ${this.file} at offset ${c.base + c.mark}: truncated: a record needs ${this.need} bytes, the data ends after ${c.end - c.mark}`,
      { context: { file: this.file, offset: c.base + c.mark } },
    );
  }

  private readonly readHeader = (c: Cursor): PartitionHeader => this.decoder.readPartitionHeader(c);
  /** True while the first unfiltered of a partition is read: the only place a static row may stand. */
  private staticAllowed = false;
  private readonly readNext = (c: Cursor): Unfiltered | null => {
    const u = this.decoder.readUnfiltered(c);
    if (u !== null && u.kind === ROW && u.isStatic && !this.staticAllowed) {
      throw this.decoder.corrupt(u.position, 'static row after the first row of a partition');
    }
    return u;
  };

  /** One record parsed from the window, or NOT_READY (cursor back at the record's start) when it ends first. */
  private tryParse<T>(fn: (c: Cursor) => T): T | NotReady {
    const c = this.cur;
    c.mark = c.pos;
    try {
      return fn(c);
    } catch (e) {
      if (e !== NEED_MORE) {
        if (e instanceof RangeError) throw this.decoder.corrupt(c.base + c.mark, e.message);
        throw e;
      }
      this.need = NEED_MORE.need;
      this.endOk = false;
      c.pos = c.mark;
      return NOT_READY;
    }
  }

  /** Makes at least `need` bytes from `cur.mark` available; false when the stream ends first. */
  private async fill(need: number): Promise<boolean> {
    const c = this.cur;
    const keep = c.buf.subarray(c.mark, c.end);
    const base = c.base + c.mark;
    let have = keep.length;
    const parts: Uint8Array[] = [];
    while (have < need) {
      const block = await this.stream.next();
      if (block === undefined) break;
      parts.push(block);
      have += block.length;
    }
    if (parts.length === 0) return have >= need;
    let buf: Uint8Array;
    if (keep.length === 0 && parts.length === 1) buf = parts[0]!;
    else {
      buf = new Uint8Array(have);
      buf.set(keep, 0);
      let at = keep.length;
      for (const p of parts) {
        buf.set(p, at);
        at += p.length;
      }
    }
    c.reset(buf, 0, buf.length, base);
    c.mark = 0;
    return have >= need;
  }
}
