/**
 * `datamove s3 serve`: the embedded S3 (s3rver) on loopback, for trying datamove without a cloud
 * account. Runs until interrupted.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DatamoveError } from '../../core/index.js';
import { embeddedS3Start } from '../../infra/index.js';
import type { CliIO } from '../main.js';

interface ServeFlags {
  readonly dir: string;
  readonly port: string;
  readonly bucket?: string[];
  readonly verbose?: boolean;
}

export function registerS3(program: Command, io: CliIO): void {
  const s3 = program.command('s3').description('The embedded S3 server');
  s3.command('serve')
    .description('Start an S3-compatible server (s3rver) on 127.0.0.1, storing objects in --dir')
    .option('--dir <folder>', 'where objects are stored', './.datamove/s3')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', '4569')
    .option('--bucket <name...>', 'buckets to create at start')
    .option('--verbose', 'log every request')
    .action(async (opts: ServeFlags) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new DatamoveError('InvalidArgument', `--port: '${opts.port}' is not a port number`, {
          context: { field: 'port' },
        });
      }
      const dir = resolve(opts.dir);
      const server = await embeddedS3Start({
        dir,
        port,
        buckets: opts.bucket ?? [],
        verbose: opts.verbose ?? false,
      }).catch((e: unknown) => {
        throw new DatamoveError(
          'InvalidArgument',
          `s3: cannot serve on 127.0.0.1:${port}: ${(e as Error).message}`,
          {
            context: { port },
            cause: e,
          },
        );
      });
      io.stdout.write(
        `s3rver listening on ${server.endpoint} (objects in ${dir})\n` +
          `  DATAMOVE_S3_ENDPOINT=${server.endpoint} AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER npx datamove backups list --source s3://<bucket>/<prefix>\n`,
      );
      await new Promise<void>((done) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(done, done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
