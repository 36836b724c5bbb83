#!/usr/bin/env node
// Entry point of the `datamove` command: runs the compiled CLI (built by `npm ci` through `prepare`).
const { main } = await import('../dist/cli/main.js');

// a closed pipe (`datamove … | head`) ends the command quietly, as for any Unix filter
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2));
