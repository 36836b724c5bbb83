/**
 * SSTable file names: `<version>-<generation>-<format>-<Component>` (3.0+; 4.1 may use a ULID-like
 * generation such as `3g1h_0sx6_3ktqk2r2lmaaxpsz4i`). `io/sstable/Descriptor.java`.
 */

export interface SSTableDescriptor {
  /** `nb-1-big`: the prefix every component file of the SSTable shares. */
  readonly prefix: string;
  readonly version: string;
  readonly generation: string;
  readonly format: string;
}

const COMPONENT = /^([a-z]{2})-([0-9A-Za-z_]+)-([a-z]+)-([A-Za-z0-9_.]+)$/;

/** Parses a component file name; `undefined` if it is not one. */
export function descriptorParse(fileName: string): (SSTableDescriptor & { component: string }) | undefined {
  const m = COMPONENT.exec(fileName);
  if (!m) return undefined;
  const [, version, generation, format, component] = m as unknown as [string, string, string, string, string];
  return { prefix: `${version}-${generation}-${format}`, version, generation, format, component };
}

export function componentFile(d: SSTableDescriptor, component: string): string {
  return `${d.prefix}-${component}`;
}

/** Groups the files of a folder into SSTables (by their Data.db), ordered by generation. */
export function descriptorsInFolder(files: readonly string[]): SSTableDescriptor[] {
  const out: SSTableDescriptor[] = [];
  for (const f of files) {
    const d = descriptorParse(f);
    if (d && d.component === 'Data.db') out.push(d);
  }
  return out.sort((a, b) => compareGeneration(a.generation, b.generation));
}

function compareGeneration(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
