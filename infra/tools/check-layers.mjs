#!/usr/bin/env node
/**
 * The layer check (`npm run lint`, and infra/test/layers.test.ts in `npm test`): reads every .ts file
 * outside node_modules and dist and prints one line per import that breaks the rule — `file:line: import
 * '<specifier>': <rule>` — exiting 1 when there is any. The rule (README "Architecture"):
 *
 *   cli            → anything below, and infra
 *   validation     → decider, connectors, iceberg-writer, sstable-writer, compactor, reader, storage, core
 *   decider        → connectors, iceberg-writer, sstable-writer, compactor, reader, storage, core
 *   connectors     → iceberg-writer, compactor, reader, storage, core
 *   compactor      → reader, storage, core
 *   sstable-writer → reader, storage, core
 *   iceberg-writer → storage, core
 *   reader         → storage, core
 *   storage        → core
 *   core           → nothing
 *   infra          → anything but interop; interop → anything; nothing imports interop
 *
 * An import from another top-level folder names that folder's index.ts, never an inner file. Tests and
 * benchmarks (`*.test.ts`, `*.bench.ts`, `test/`, `bench/`) keep to their folder's layer but may also import
 * infra (test data, fixtures, helpers). Product code does not import its own folder's index (a cycle).
 * The root index.ts (the library surface) may import the layers from core to validation. Worker entry
 * files that piscina loads by path are not imports and are not checked. Specifiers are found with
 * TypeScript's pre-processor (a devDependency already), so comments and strings are not mistaken for imports.
 *
 * Usage: node infra/tools/check-layers.mjs [root]   (root defaults to the repository)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ts = createRequire(import.meta.url)('typescript');

const PRODUCT = ['core', 'storage', 'reader', 'sstable-writer', 'compactor', 'iceberg-writer', 'connectors'];
/** What each folder's product code may import (besides itself). */
const MAY_IMPORT = {
  core: [],
  storage: ['core'],
  reader: ['storage', 'core'],
  'sstable-writer': ['reader', 'storage', 'core'],
  compactor: ['reader', 'storage', 'core'],
  'iceberg-writer': ['storage', 'core'],
  connectors: ['iceberg-writer', 'compactor', 'reader', 'storage', 'core'],
  decider: ['connectors', 'iceberg-writer', 'sstable-writer', 'compactor', 'reader', 'storage', 'core'],
  validation: [
    'decider',
    'connectors',
    'iceberg-writer',
    'sstable-writer',
    'compactor',
    'reader',
    'storage',
    'core',
  ],
  cli: [...PRODUCT, 'decider', 'validation', 'infra'],
  infra: [...PRODUCT, 'decider', 'validation', 'cli'],
  interop: [...PRODUCT, 'decider', 'validation', 'cli', 'infra'],
  '.': [...PRODUCT, 'decider', 'validation'],
};

const SKIP = new Set(['node_modules', 'dist']);

function tsFiles(dir, root, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) tsFiles(p, root, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
      out.push(relative(root, p).split(sep).join('/'));
  }
  return out;
}

const folderOf = (file) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');
const isTestOrBench = (file) => /(^|\/)(test|bench)\//.test(file) || /\.(test|bench)\.ts$/.test(file);

/** The rule an import of `target` (a repository path) from `file` breaks, or undefined. */
function violation(file, target) {
  const from = folderOf(file);
  const to = folderOf(target);
  const allowed = MAY_IMPORT[from];
  if (allowed === undefined) return `${from}/ is not a layer (add it to infra/tools/check-layers.mjs)`;
  if (target.startsWith('../')) return 'imports from outside the repository';
  if (from === to) {
    if (from !== '.' && target === `${from}/index.ts` && !isTestOrBench(file)) {
      return `${from}/ imports its own index.ts (a cycle): import the inner file`;
    }
    return undefined;
  }
  if (to === 'interop') return 'nothing imports interop/';
  if (MAY_IMPORT[to] === undefined && to !== '.') return `${to}/ is not a layer`;
  if (to === '.') return 'imports the root index.ts (only package users do)';
  const testInfra = to === 'infra' && isTestOrBench(file);
  if (!allowed.includes(to) && !testInfra) {
    if (to === 'infra') return 'product code imports infra/ (only cli/ may)';
    return `${from}/ may not import ${to}/ (${from} → ${allowed.length ? allowed.join(', ') : 'nothing'})`;
  }
  if (target !== `${to}/index.ts`) return `imports an inner file of ${to}/: import ${to}/index.ts`;
  return undefined;
}

export function checkLayers(root) {
  const problems = [];
  for (const file of tsFiles(root, root).sort()) {
    const text = readFileSync(join(root, file), 'utf8');
    const { importedFiles } = ts.preProcessFile(text, true, true);
    for (const imp of importedFiles) {
      const spec = imp.fileName;
      if (!spec.startsWith('.')) continue;
      const target = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts');
      const rule = violation(file, target);
      if (rule === undefined) continue;
      const line = text.slice(0, imp.pos).split('\n').length;
      problems.push(`${file}:${line}: import '${spec}': ${rule}`);
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(here, '..', '..'));
  const problems = checkLayers(root);
  for (const p of problems) console.log(p);
  if (problems.length > 0) {
    console.error(`check-layers: ${problems.length} import(s) break the layer rule`);
    process.exit(1);
  }
}
