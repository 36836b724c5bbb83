/** cli: the `datamove` command (bin/datamove.js runs `main`); argument parsing and printing only. */
export { CliExit, EXIT_DIFFERENT } from './exit-code.js';
export { buildProgram, type CliIO, EXIT_ERROR, EXIT_OK, main } from './main.js';
