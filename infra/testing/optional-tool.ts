/**
 * Test suites that need a tool npm does not install — a browser (chromium), a second Avro implementation
 * (python3-avro), a PostgreSQL server — ask `optionalTool()` whether it is here. Present: the suite runs.
 * Missing: the suite is skipped with ONE line on stderr saying what is skipped and how to install the
 * tool, so `npm test` passes on a fresh machine with Node alone — unless the tool is required, which
 * `DATAMOVE_TEST_REQUIRE_ALL=1` (set by .ci/run) makes every tool (and `DATAMOVE_TEST_REQUIRE_PG=1`, the
 * older switch, PostgreSQL): then a missing tool fails the suite.
 *
 * `DATAMOVE_TEST_WITHOUT=chromium,python3-avro` (or `all`) treats the named tools as missing, to see what a
 * machine without them does.
 */

export interface OptionalTool {
  /** The tool's name, as DATAMOVE_TEST_WITHOUT lists it: `chromium`, `python3-avro`, `postgresql`. */
  readonly tool: string;
  /** What is skipped without it. */
  readonly what: string;
  /** The command that installs it (Debian). */
  readonly install: string;
  /** Whether it is installed. */
  readonly present: () => boolean;
  /** An older environment switch that requires this tool alone. */
  readonly requiredBy?: string;
}

function listed(variable: string | undefined, tool: string): boolean {
  const names = (variable ?? '').split(',').map((s) => s.trim());
  return names.includes(tool) || names.includes('all');
}

/** True when the tool is here; else one notice line and false — or an error when it is required. */
export function optionalTool(t: OptionalTool, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!listed(env.DATAMOVE_TEST_WITHOUT, t.tool) && t.present()) return true;
  const switches = ['DATAMOVE_TEST_REQUIRE_ALL', ...(t.requiredBy === undefined ? [] : [t.requiredBy])];
  const required = switches.find((s) => env[s] === '1');
  if (required !== undefined)
    throw new Error(
      `${t.what} needs ${t.tool}, which is missing and required here (${required}=1): ${t.install}`,
    );
  process.stderr.write(`skipped: ${t.what} — ${t.tool} is missing: ${t.install}\n`);
  return false;
}
