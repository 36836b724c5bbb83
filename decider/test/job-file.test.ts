/** Job files: YAML and JSON load; every error names the file and the field. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobConnectorOptions, jobFileLoad } from '../job-file.js';

const dir = mkdtempSync(join(tmpdir(), 'datamove-jobfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = `
name: users-profiles
cohort: canary
source:
  uri: s3://backups/cassandra
  s3: { endpoint: "http://127.0.0.1:4569", pathStyle: true }
  keyspace: users
  table: profiles
connector: { name: raw, options: { metadataColumns: true } }
consistency: quorum
asOf: "2025-12-31T00:00:00Z"
target: { namespace: lake, table: profiles, mode: append, properties: { owner: data } }
schedule: { cron: "0 3 * * *", timeZone: Europe/Paris }
retries: 3
timeouts: { newPath: 30m }
alerts: { webhook: "http://127.0.0.1:9/hook", timeout: 2s }
`;

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('job files', () => {
  it('loads YAML with defaults and fills the raw table from the source', () => {
    const job = jobFileLoad(write('good.yaml', GOOD));
    expect(job.name).toBe('users-profiles');
    expect(job.source.layout).toBe('auto');
    expect(job.target.mode).toBe('append');
    expect(job.schedule).toEqual({ cron: '0 3 * * *', timeZone: 'Europe/Paris' });
    expect(jobConnectorOptions(job)).toEqual({ metadataColumns: true, table: 'profiles' });
  });

  it('loads JSON', () => {
    const job = jobFileLoad(
      write(
        'good.json',
        JSON.stringify({
          name: 'j',
          source: { uri: '/backups', keyspace: 'ks', table: 't' },
          connector: { name: 'raw' },
          target: { namespace: 'n', table: 't' },
        }),
      ),
    );
    expect(job.consistency).toBe('quorum');
    expect(job.target.mode).toBe('overwrite');
  });

  const cases: [string, string, RegExp][] = [
    ['mode', GOOD.replace('mode: append', 'mode: upsert'), /bad-mode\.yaml: target\.mode: /],
    [
      'unknown field',
      GOOD.replace('retries: 3', 'retries: 3\nretry: 4'),
      /unknown\.yaml: retry: unknown field/,
    ],
    [
      'nested unknown',
      GOOD.replace('table: profiles\nconnector', 'table: profiles\n  tabel: x\nconnector'),
      /nested\.yaml: source\.tabel: unknown field/,
    ],
    ['missing keyspace', GOOD.replace('  keyspace: users\n', ''), /missing\.yaml: source\.keyspace: /],
    ['cron', GOOD.replace('0 3 * * *', 'every day'), /cron\.yaml: schedule\.cron: must be a five-field cron/],
    ['consistency', GOOD.replace('consistency: quorum', 'consistency: two'), /cl\.yaml: consistency: /],
    [
      'duration',
      GOOD.replace('newPath: 30m', 'newPath: soon'),
      /dur\.yaml: timeouts\.newPath: must be a duration/,
    ],
    ['webhook', GOOD.replace('"http://127.0.0.1:9/hook"', 'not-a-url'), /hook\.yaml: alerts\.webhook: /],
    [
      'table and tables',
      GOOD.replace('table: profiles\nconnector', 'table: profiles\n  tables: [a]\nconnector'),
      /both\.yaml: source\.table: give table or tables, not both/,
    ],
    [
      'raw without a table',
      GOOD.replace('  table: profiles\n', ''),
      /notable\.yaml: source\.table: the raw connector moves one table/,
    ],
    ['bad YAML', 'name: [unclosed', /yaml\.yaml: \(document\): not valid YAML/],
  ];
  const names = [
    'bad-mode',
    'unknown',
    'nested',
    'missing',
    'cron',
    'cl',
    'dur',
    'hook',
    'both',
    'notable',
    'yaml',
  ];
  it.each(cases.map((c, i) => [...c, names[i]!] as const))(
    '%s is an error naming file and field',
    (_n, text, re, file) => {
      expect(() => jobFileLoad(write(`${file}.yaml`, text))).toThrow(re);
    },
  );

  it('a missing file is NotFound naming it', () => {
    expect(() => jobFileLoad(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml: cannot read the job file/);
  });
});
