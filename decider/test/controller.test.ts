/** The controller: each rule kind, first match wins, percent canaries by stable hash, the file re-read per decision. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canaryBucket,
  controllerLoad,
  controllerParse,
  type DecisionSubject,
  decide,
  globMatch,
} from '../controller.js';

const dir = mkdtempSync(join(tmpdir(), 'datamove-controller-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const subject: DecisionSubject = {
  job: 'nightly-users',
  cluster: 'prod-east',
  keyspace: 'users',
  tables: ['profiles'],
};

describe('controller', () => {
  it('default is new; the default can be legacy', () => {
    expect(decide(controllerParse({}, undefined), subject)).toMatchObject({
      connector: 'new',
      rule: undefined,
    });
    expect(decide(controllerParse({ default: 'legacy' }, undefined), subject).connector).toBe('legacy');
  });

  it.each([
    ['cluster', { cluster: 'prod-*' }],
    ['keyspace', { keyspace: 'users' }],
    ['table', { table: 'prof?les' }],
    ['job', { job: 'nightly-*' }],
    ['cohort', { cohort: 'canary' }],
  ])('a %s rule decides', (_k, match) => {
    const c = controllerParse(
      {
        rules: [
          { match: { job: 'other' }, connector: 'new' },
          { match, connector: 'legacy' },
        ],
      },
      'c.yaml',
    );
    const d = decide(c, { ...subject, cohort: 'canary' });
    expect(d).toMatchObject({ connector: 'legacy', rule: 2 });
    expect(d.reason).toMatch(/^rule 2 \[/);
  });

  it('every field of a match must match; the first applicable rule wins', () => {
    const c = controllerParse(
      {
        rules: [
          { match: { keyspace: 'users', table: 'orders' }, connector: 'legacy' },
          { match: { keyspace: 'users' }, connector: 'new' },
          { match: { cluster: '*' }, connector: 'legacy' },
        ],
      },
      undefined,
    );
    expect(decide(c, subject)).toMatchObject({ connector: 'new', rule: 2 });
    expect(decide(c, { ...subject, keyspace: 'other' })).toMatchObject({ connector: 'legacy', rule: 3 });
    // a cohort rule never matches a job without a cohort
    expect(
      decide(
        controllerParse({ rules: [{ match: { cohort: '*' }, connector: 'legacy' }] }, undefined),
        subject,
      ).connector,
    ).toBe('new');
  });

  it('percent: a stable hash of the job name picks the canary; outside it the rule falls through', () => {
    expect(canaryBucket('nightly-users')).toBe(canaryBucket('nightly-users'));
    const rules = (percent: number) =>
      controllerParse(
        { default: 'legacy', rules: [{ match: { keyspace: 'users' }, connector: 'new', percent }] },
        undefined,
      );
    const b = canaryBucket(subject.job);
    expect(decide(rules(b + 1), subject)).toMatchObject({ connector: 'new', rule: 1 });
    const out = decide(rules(b), subject);
    expect(out).toMatchObject({ connector: 'legacy', rule: undefined });
    expect(out.reason).toMatch(new RegExp(`bucket ${b} is outside its ${b}% canary`));
    expect(decide(rules(0), subject).connector).toBe('legacy');
    expect(decide(rules(100), subject).connector).toBe('new');
    // over many job names, about N% land in an N% canary
    let inside = 0;
    for (let i = 0; i < 2000; i++)
      if (decide(rules(25), { ...subject, job: `job-${i}` }).connector === 'new') inside++;
    expect(inside / 2000).toBeGreaterThan(0.2);
    expect(inside / 2000).toBeLessThan(0.3);
  });

  it('an override wins over every rule', () => {
    const c = controllerParse({ rules: [{ match: { keyspace: '*' }, connector: 'new' }] }, undefined);
    expect(decide(c, subject, 'legacy')).toMatchObject({
      connector: 'legacy',
      reason: expect.stringMatching(/--connector legacy/),
    });
  });

  it('editing the file changes the next decision', () => {
    const file = join(dir, 'controller.yaml');
    writeFileSync(file, 'rules:\n  - match: { job: "nightly-*" }\n    connector: legacy\n');
    expect(decide(controllerLoad(file), subject).connector).toBe('legacy');
    writeFileSync(file, 'rules:\n  - match: { job: "nightly-*" }\n    connector: new\n');
    expect(decide(controllerLoad(file), subject).connector).toBe('new');
  });

  it('errors name the file and the field', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'rules:\n  - match: { tabel: x }\n    connector: new\n');
    expect(() => controllerLoad(file)).toThrow(/bad\.yaml: rules\.0\.match\.tabel: unknown field/);
    writeFileSync(file, 'rules:\n  - match: { table: x }\n    connector: old\n');
    expect(() => controllerLoad(file)).toThrow(/bad\.yaml: rules\.0\.connector: /);
    expect(() => controllerLoad(join(dir, 'none.yaml'), { required: true })).toThrow(
      /none\.yaml: cannot read/,
    );
  });

  it('globs', () => {
    expect(globMatch('a*c', 'abbc')).toBe(true);
    expect(globMatch('a?c', 'abc')).toBe(true);
    expect(globMatch('a.c', 'abc')).toBe(false);
  });
});
