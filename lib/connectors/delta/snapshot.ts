/**
 * Log replay: the state of a table at a version, from the newest checkpoint at or below it plus
 * the JSON commits after it. Gives the live files, tombstones, protocol, metadata (and parsed
 * schema) and the latest `txn` version per appId. A snapshot can be advanced in place to newer
 * versions, which is what a long-lived writer does after losing a commit race.
 */
import { TributaryError } from '../../errors.js';
import { readCheckpoint } from './checkpoint.js';
import { listLog, readCommit } from './log-store.js';
import { assertReadable } from './protocol.js';
import { parseSchemaString } from './schema.js';
import type { Action, AddAction, CommitInfoAction, DeltaStructType, MetaDataAction, ProtocolAction, RemoveAction, TxnAction } from './types.js';

/** A Delta table at one version: protocol, metadata, schema, live files and app transactions, read from the log and checkpoints. */
export class Snapshot {
  version = -1;
  protocol: ProtocolAction | undefined;
  metadata: MetaDataAction | undefined;
  schema: DeltaStructType | undefined;
  readonly files = new Map<string, AddAction>();
  readonly tombstones = new Map<string, RemoveAction>();
  readonly txns = new Map<string, TxnAction>();
  /** Commits replayed since the last checkpoint (for the checkpoint interval). */
  commitsSinceCheckpoint = 0;

  constructor(readonly tableDir: string) {}

  get exists(): boolean {
    return this.version >= 0;
  }

  /** Applies one version's actions. */
  apply(actions: readonly Action[], version: number): void {
    for (const a of actions) {
      if ('add' in a) {
        this.files.set(a.add.path, a.add);
        this.tombstones.delete(a.add.path);
      } else if ('remove' in a) {
        this.files.delete(a.remove.path);
        this.tombstones.set(a.remove.path, a.remove);
      } else if ('txn' in a) {
        this.txns.set(a.txn.appId, a.txn);
      } else if ('metaData' in a) {
        this.metadata = a.metaData;
        this.schema = parseSchemaString(a.metaData.schemaString);
      } else if ('protocol' in a) {
        this.protocol = a.protocol;
      }
    }
    this.version = version;
  }

  /** The table's metadata, or a DELTA error if the table does not exist yet. */
  requireMetadata(): MetaDataAction {
    if (!this.metadata || !this.protocol) throw new TributaryError(`${this.tableDir} is not a Delta table (no metaData)`, { code: 'DELTA' });
    return this.metadata;
  }

  /** Reads commits after `this.version` (up to `target`); returns how many were applied. */
  async advance(target?: number): Promise<number> {
    const listing = await listLog(this.tableDir);
    let applied = 0;
    for (const v of listing.commits) {
      if (v <= this.version) continue;
      if (target !== undefined && v > target) break;
      if (v !== this.version + 1) throw new TributaryError(`Delta log of ${this.tableDir} is missing version ${this.version + 1}`, { code: 'DELTA' });
      this.apply(await readCommit(this.tableDir, v), v);
      this.commitsSinceCheckpoint++;
      applied++;
    }
    if (applied && this.protocol) assertReadable(this.protocol, this.metadata, this.tableDir);
    return applied;
  }
}

/** Loads the table state at `version` (default: latest). A directory without a log gives version -1. */
export async function loadSnapshot(tableDir: string, version?: number): Promise<Snapshot> {
  const listing = await listLog(tableDir);
  const snap = new Snapshot(tableDir);
  const cps = listing.checkpoints.filter((c) => version === undefined || c.version <= version);
  const cp = cps[cps.length - 1];
  if (cp) {
    snap.apply(await readCheckpoint(tableDir, cp.files), cp.version);
  } else if (listing.commits.length && listing.commits[0] !== 0) {
    throw new TributaryError(`Delta log of ${tableDir} has no checkpoint and no version 0`, { code: 'DELTA' });
  }
  await snap.advance(version);
  if (version !== undefined && snap.version !== version) {
    throw new TributaryError(`Delta table ${tableDir} has no version ${version} (latest ${snap.version})`, { code: 'DELTA' });
  }
  if (snap.protocol) assertReadable(snap.protocol, snap.metadata, tableDir);
  return snap;
}

/** One commit in a table's history: version, timestamp, operation and its parameters, txn actions, and files added and removed. */
export interface HistoryEntry {
  readonly version: number;
  readonly timestamp: number | undefined;
  readonly operation: string | undefined;
  readonly operationParameters: Readonly<Record<string, unknown>> | undefined;
  readonly txns: readonly TxnAction[];
  readonly adds: number;
  readonly removes: number;
}

/** The commits still in the log, newest first. */
export async function history(tableDir: string, limit?: number): Promise<HistoryEntry[]> {
  const { commits } = await listLog(tableDir);
  const out: HistoryEntry[] = [];
  for (let k = commits.length - 1; k >= 0 && (limit === undefined || out.length < limit); k--) {
    const v = commits[k]!;
    const actions = await readCommit(tableDir, v);
    const ci = actions.find((a): a is { commitInfo: CommitInfoAction } => 'commitInfo' in a)?.commitInfo;
    out.push({
      version: v,
      timestamp: ci?.timestamp,
      operation: ci?.operation,
      operationParameters: ci?.operationParameters,
      txns: actions.flatMap((a) => ('txn' in a ? [a.txn] : [])),
      adds: actions.filter((a) => 'add' in a).length,
      removes: actions.filter((a) => 'remove' in a).length,
    });
  }
  return out;
}
