/**
 * Keeps kafkajs 2.2.4 from arming a timer with a negative delay. Its request queue schedules the
 * check of throttled requests at `throttledUntil - Date.now()`; while nothing is throttled
 * `throttledUntil` is -1, so the delay is about minus the current epoch time. Node treats that as
 * 1 ms (the behaviour kafkajs relies on), but Node 24 also prints a `TimeoutNegativeWarning` to
 * stderr once per process. This runs the original with the same clamp Node applies, without the
 * warning. Imported for its side effect by `aborted-filter.ts` (which every file here imports first).
 */
import { createRequire } from 'node:module';

interface KjsRequestQueue {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  readonly pending: readonly unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs' interval for re-checking pending requests when it is not throttled. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

const require = createRequire(import.meta.url);
const kafkajsEntry = require.resolve('kafkajs');
const queuePath = require.resolve('./src/network/requestQueue/index.js', { paths: [kafkajsEntry.replace(/index\.js$/, '')] });
const RequestQueue = require(queuePath) as { prototype: KjsRequestQueue } | undefined;
if (typeof RequestQueue?.prototype?.scheduleCheckPendingRequests === 'function') {
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: KjsRequestQueue): void {
    // As kafkajs: at most one check armed; when throttled, at the end of the throttle; with
    // requests pending, at the check interval; else at once (here 1 ms, what Node made of it).
    if (this.throttleCheckTimeoutId) return;
    let delay = this.throttledUntil - Date.now();
    if (delay <= 0) delay = this.pending.length > 0 ? CHECK_PENDING_REQUESTS_INTERVAL_MS : 1;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
}
