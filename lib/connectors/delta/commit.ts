/**
 * The optimistic commit loop.
 *
 * ```text
 *   snapshot @ v ──▶ actions (+commitInfo) ──▶ temp file ──link──▶ _delta_log/{v+1}.json
 *                                                      │
 *                                     EEXIST: lost the race to another writer
 *                                                      ▼
 *                      read winner {v+1}.json ── conflict? ──yes──▶ throw DELTA_CONFLICT
 *                      (txn on our appId, removed      │ no             (fenced / retriable)
 *                       the files we remove, new       ▼
 *                       protocol or schema)     apply winner, retry at v+2
 *
 *   committed @ n ──▶ n % checkpointInterval == 0 ? write n.checkpoint.parquet + _last_checkpoint
 * ```
 */
import { TributaryError } from '../../errors.js';
import { writeCheckpoint } from './checkpoint.js';
import { putCommitIfAbsent, readCommit } from './log-store.js';
import { assertWritable } from './protocol.js';
import { mergeSchemas, parseSchemaString, validateSchema } from './schema.js';
import type { Snapshot } from './snapshot.js';
import type { Action, DeltaStructType } from './types.js';

export const ENGINE_INFO = 'tributary/0.1.0';
const WEEK_MS = 7 * 24 * 3600 * 1000;

export interface TxnFence {
  readonly appId: string;
  /** The first source offset this commit covers: a concurrent txn at or above it overlaps us. */
  readonly fromVersion: number;
}

export interface CommitPlan {
  readonly actions: readonly Action[];
  readonly operation: string;
  readonly operationParameters?: Readonly<Record<string, string>>;
  readonly fences?: readonly TxnFence[];
  /** Files this commit removes; a winner removing any of them is a conflict. */
  readonly removes?: readonly string[];
  /** Schema of the data files being added; checked against a concurrent schema change. */
  readonly dataSchema?: DeltaStructType;
  readonly isBlindAppend?: boolean;
  readonly maxRetries?: number;
}

/** A committed table version: its number, the attempts it took and whether a checkpoint was written. */
export interface CommitResult {
  readonly version: number;
  readonly attempts: number;
  readonly checkpointed: boolean;
  readonly checkpointError?: unknown;
}

/** Commits `plan` on top of `snapshot` and advances the snapshot to the new version. */
export async function commitActions(snapshot: Snapshot, plan: CommitPlan): Promise<CommitResult> {
  const changesMeta = plan.actions.some((a) => 'metaData' in a || 'protocol' in a);
  // A schema readers would refuse (e.g. two names equal ignoring case) never reaches the log.
  for (const a of plan.actions) if ('metaData' in a) validateSchema(parseSchemaString(a.metaData.schemaString), `Delta table ${snapshot.tableDir}: schema`);
  const maxRetries = plan.maxRetries ?? 50;
  for (let attempt = 1; attempt <= maxRetries; attempt++) {
    const version = snapshot.version + 1;
    const commitInfo: Action = {
      commitInfo: {
        timestamp: Date.now(),
        operation: plan.operation,
        operationParameters: plan.operationParameters ?? {},
        ...(snapshot.version >= 0 ? { readVersion: snapshot.version } : {}),
        isBlindAppend: plan.isBlindAppend ?? false,
        engineInfo: ENGINE_INFO,
      },
    };
    const actions = [...plan.actions, commitInfo];
    if (await putCommitIfAbsent(snapshot.tableDir, version, actions)) {
      snapshot.apply(actions, version);
      snapshot.commitsSinceCheckpoint++;
      return { version, attempts: attempt, ...(await maybeCheckpoint(snapshot)) };
    }
    const winner = await readCommit(snapshot.tableDir, version);
    checkConflicts(snapshot, winner, version, plan, changesMeta);
    snapshot.apply(winner, version);
    snapshot.commitsSinceCheckpoint++;
    if (snapshot.protocol && snapshot.metadata && snapshot.schema) {
      assertWritable(snapshot.protocol, snapshot.metadata, snapshot.schema, snapshot.tableDir);
    }
  }
  throw new TributaryError(`gave up committing to ${snapshot.tableDir} after ${maxRetries} lost races`, { code: 'DELTA_CONFLICT', retriable: true });
}

function checkConflicts(snapshot: Snapshot, winner: readonly Action[], version: number, plan: CommitPlan, changesMeta: boolean): void {
  const table = snapshot.tableDir;
  const fences = new Map((plan.fences ?? []).map((f) => [f.appId, f.fromVersion]));
  const removing = new Set(plan.removes ?? []);
  for (const a of winner) {
    if ('txn' in a && fences.has(a.txn.appId) && a.txn.version >= fences.get(a.txn.appId)!) {
      throw new TributaryError(
        `fenced: version ${version} of ${table} already holds txn ${a.txn.appId}=${a.txn.version}, overlapping this commit (from ${fences.get(a.txn.appId)})`,
        { code: 'DELTA_CONFLICT', retriable: false, context: { table, appId: a.txn.appId, committedVersion: a.txn.version, version } },
      );
    }
    if ('remove' in a && removing.has(a.remove.path)) {
      throw new TributaryError(`conflict: version ${version} of ${table} removed ${a.remove.path}, which this commit also rewrites`, {
        code: 'DELTA_CONFLICT',
        retriable: true,
        context: { table, version },
      });
    }
    if (('metaData' in a || 'protocol' in a) && changesMeta) {
      throw new TributaryError(`conflict: version ${version} of ${table} changed the table metadata concurrently`, {
        code: 'DELTA_CONFLICT',
        retriable: true,
        context: { table, version },
      });
    }
    if ('metaData' in a && plan.dataSchema) {
      const next = JSON.parse(a.metaData.schemaString) as DeltaStructType;
      mergeSchemas(next, plan.dataSchema, false, table);
    }
  }
}

/** Parses Delta interval strings like `interval 7 days` / `interval 1 week`. */
export function parseInterval(s: string | undefined, fallbackMs: number): number {
  if (!s) return fallbackMs;
  const m = /^\s*(?:interval\s+)?(\d+)\s*(\w+?)s?\s*$/i.exec(s);
  if (!m) return fallbackMs;
  const unit: Record<string, number> = {
    millisecond: 1,
    second: 1000,
    minute: 60_000,
    hour: 3_600_000,
    day: 86_400_000,
    week: WEEK_MS,
  };
  const mult = unit[m[2]!.toLowerCase()];
  return mult ? Number(m[1]) * mult : fallbackMs;
}

export function checkpointInterval(snapshot: Snapshot): number {
  const v = Number(snapshot.metadata?.configuration['delta.checkpointInterval'] ?? 10);
  return Number.isInteger(v) && v > 0 ? v : 10;
}

/** The actions a checkpoint at the snapshot's version holds. */
export function checkpointActions(snapshot: Snapshot, now = Date.now()): Action[] {
  const retention = parseInterval(snapshot.metadata?.configuration['delta.deletedFileRetentionDuration'], WEEK_MS);
  const out: Action[] = [{ protocol: snapshot.protocol! }, { metaData: snapshot.requireMetadata() }];
  for (const t of snapshot.txns.values()) out.push({ txn: t });
  for (const a of snapshot.files.values()) out.push({ add: a });
  for (const r of snapshot.tombstones.values()) {
    if ((r.deletionTimestamp ?? 0) > now - retention) out.push({ remove: r });
  }
  return out;
}

async function maybeCheckpoint(snapshot: Snapshot): Promise<{ checkpointed: boolean; checkpointError?: unknown }> {
  if (snapshot.version === 0 || snapshot.version % checkpointInterval(snapshot) !== 0) return { checkpointed: false };
  try {
    await writeCheckpoint(snapshot.tableDir, { version: snapshot.version, actions: checkpointActions(snapshot) });
    snapshot.commitsSinceCheckpoint = 0;
    return { checkpointed: true };
  } catch (err) {
    // The commit stands; a missing checkpoint only makes the next replay longer.
    return { checkpointed: false, checkpointError: err };
  }
}
