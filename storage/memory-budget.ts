/**
 * A byte budget shared by every open object of a source: read-ahead blocks are fetched only when the
 * budget has room, so opening a hundred SSTables for a k-way merge does not multiply the read-ahead
 * memory by a hundred. Demand reads always proceed (they are what the decoder waits on) and are counted.
 */

export interface MemoryBudget {
  readonly limitBytes: number;
  /** Bytes currently held. */
  used(): number;
  /** Reserves `bytes` if they fit under the limit; `false` (and nothing reserved) otherwise. */
  tryReserve(bytes: number): boolean;
  /** Reserves `bytes` even past the limit (demand reads). */
  reserve(bytes: number): void;
  release(bytes: number): void;
}

export function memoryBudget(limitBytes: number): MemoryBudget {
  let used = 0;
  return {
    limitBytes,
    used: () => used,
    tryReserve(bytes) {
      if (used + bytes > limitBytes) return false;
      used += bytes;
      return true;
    },
    reserve(bytes) {
      used += bytes;
    },
    release(bytes) {
      used = Math.max(0, used - bytes);
    },
  };
}
