/**
 * The layer check (infra/tools/check-layers.mjs) passes on the repository, and fails — one line per
 * import, naming the rule — on a synthetic tree that breaks each rule once.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'tools', 'check-layers.mjs');

function check(root?: string): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...(root === undefined ? [] : [root])], {
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout };
}

const work = mkdtempSync(join(tmpdir(), 'datamove-layers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(work, 'tree-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('check-layers', () => {
  it('passes on the repository', () => {
    const r = check();
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('passes on imports that keep the rule', () => {
    const r = check(
      tree({
        'core/index.ts': 'export const x = 1;\n',
        'reader/index.ts': "export { x } from '../core/index.js';\n",
        'reader/sstable/a.ts': "import { x } from '../../core/index.js';\nimport { y } from './b.js';\n",
        'reader/test/a.test.ts':
          "import { x } from '../../infra/index.js';\nimport { z } from '../index.js';\n",
        'cli/main.ts': "import { g } from '../infra/index.js';\n",
        'infra/index.ts': "export { main } from '../cli/index.js';\n",
        'interop/run.ts': "import { x } from '../reader/index.js';\n",
        'storage/a.ts':
          "// import { r } from '../reader/index.js';\nconst s = \"import '../cli/main.js'\";\n",
        'index.ts': "export { x } from './reader/index.js';\n",
      }),
    );
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('fails with one line per import that breaks it', () => {
    const r = check(
      tree({
        'compactor/arrow/a.ts': "import { s } from '../../iceberg-writer/index.js';\n",
        'connectors/b.ts': "\nimport type { T } from '../compactor/arrow/a.js';\n",
        'reader/c.ts': "export { corpusRoot } from '../infra/index.js';\n",
        'reader/test/d.test.ts': "import { corpusRoot } from '../../infra/corpus.js';\n",
        'decider/e.ts': "async function f() {\n  return import('../interop/index.js');\n}\n",
        'storage/f.ts': "import { g } from './index.js';\n",
        'extra/g.ts': "import { x } from '../core/index.js';\n",
      }),
    );
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      "compactor/arrow/a.ts:1: import '../../iceberg-writer/index.js': compactor/ may not import iceberg-writer/ (compactor → reader, storage, core)",
      "connectors/b.ts:2: import '../compactor/arrow/a.js': imports an inner file of compactor/: import compactor/index.ts",
      "decider/e.ts:2: import '../interop/index.js': nothing imports interop/",
      "extra/g.ts:1: import '../core/index.js': extra/ is not a layer (add it to infra/tools/check-layers.mjs)",
      "reader/c.ts:1: import '../infra/index.js': product code imports infra/ (only cli/ may)",
      "reader/test/d.test.ts:1: import '../../infra/corpus.js': imports an inner file of infra/: import infra/index.ts",
      "storage/f.ts:1: import './index.js': storage/ imports its own index.ts (a cycle): import the inner file",
    ]);
  });
});
