/**
 * A command's outcome that is not success and not an error: `datamove diff` and `datamove shadow` exit 3
 * when the two sides differ. A command throws `CliExit` after printing its report; main.ts returns the code.
 */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'CliExit';
  }
}

/** The two sides differ (diff, shadow). */
export const EXIT_DIFFERENT = 3;
