/**
 * decider: running a job — the controller's choice of the legacy (DuckDB) or new path with fallback, the
 * job file, the run history, logs, metrics, alerts, the dashboard, the scheduler, the legacy paths and
 * restore (as of a time, into Iceberg or back into SSTables).
 */
export { alertSend } from './alerts.js';
export { type Controller, controllerLoad, controllerParse, type PathName } from './controller.js';
export { dashboardWrite } from './dashboard.js';
export { shadowSimilarityIsPercent } from './history-read.js';
export { durationMs, type Job, jobConnectorOptions, jobFileLoad, jobParse } from './job-file.js';
export {
  type JobProgress,
  type JobRunSummary,
  jobDecide,
  jobHistoryPath,
  jobRun,
  jobSourceOptions,
} from './job-run.js';
export { logCreate } from './log.js';
export { type Metrics, metricsCreate, metricsServe, metricsTextfileWrite } from './metrics.js';
export { restoreFromIceberg } from './restore/restore-from-iceberg.js';
export { restoreToIceberg, restoreToSSTables } from './restore/restore-run.js';
export { type RunHistory, type RunRecord, runHistoryOpen, runHistoryPath } from './run-history.js';
export { jobsFolderLoad, type Scheduler, scheduleNext, schedulerStart } from './scheduler.js';
