/**
 * Alerts: a job failed, a job fell back to the legacy path, validation found a discrepancy. Each goes to
 * the log (one line) and, when the job configures a webhook, is POSTed to it as JSON with a time limit. A
 * webhook that is down or slow never fails the job: the delivery outcome is returned and logged.
 */
export type AlertKind = 'job-failed' | 'fallback' | 'discrepancy';

export interface Alert {
  readonly kind: AlertKind;
  readonly job: string;
  readonly runId: string;
  readonly message: string;
  /** ISO-8601. */
  readonly time: string;
  readonly details?: Record<string, unknown>;
}

export interface AlertDelivery {
  readonly delivered: boolean;
  readonly status?: number;
  readonly error?: string;
}

export interface AlertOptions {
  readonly webhook?: string;
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** Logs the alert and POSTs it to the webhook, if any. Never throws. */
export async function alertSend(alert: Alert, o: AlertOptions = {}): Promise<AlertDelivery> {
  o.log?.(`ALERT ${alert.kind} job=${alert.job} run=${alert.runId}: ${alert.message}`);
  if (o.webhook === undefined) return { delivered: false };
  try {
    const res = await fetch(o.webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alert),
      signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
    });
    await res.body?.cancel().catch(() => {});
    if (!res.ok) {
      o.log?.(`alert webhook answered HTTP ${res.status}`);
      return { delivered: false, status: res.status };
    }
    return { delivered: true, status: res.status };
  } catch (e) {
    const error = (e as Error)?.name === 'TimeoutError' ? 'timed out' : ((e as Error)?.message ?? String(e));
    o.log?.(`alert webhook ${o.webhook.replace(/\/\/[^@/]*@/, '//')} failed: ${error}`);
    return { delivered: false, error };
  }
}
