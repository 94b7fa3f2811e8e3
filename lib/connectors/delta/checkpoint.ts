/**
 * Classic single-file checkpoints, written in the Spark-compatible layout: one row per action,
 * top-level columns `txn`, `add`, `remove`, `metaData`, `protocol` (all nullable, maps as Parquet
 * MAP, stats as a JSON string), then `_last_checkpoint` = {version, size} via temp + rename.
 * Reading accepts single-file and multi-part checkpoints written by other engines.
 */
import { tableRows } from './arrow-rows.js';
import { LOG_DIR, checkpointFileName, writeLogFile } from './log-store.js';
import { tableStore } from './object-store.js';
import { decodeParquet, encodeParquet } from './parquet.js';
import { RowBuffer } from './row-buffer.js';
import { field } from './schema.js';
import type { Action, AddAction, DeltaDataType, RemoveAction } from './types.js';

const strMap: DeltaDataType = { type: 'map', keyType: 'string', valueType: 'string', valueContainsNull: true };
const strList: DeltaDataType = { type: 'array', elementType: 'string', containsNull: true };
const s = (fields: ReturnType<typeof field>[]): DeltaDataType => ({ type: 'struct', fields });

export const CHECKPOINT_FIELDS = [
  field('txn', s([field('appId', 'string'), field('version', 'long'), field('lastUpdated', 'long')])),
  field(
    'add',
    s([
      field('path', 'string'),
      field('partitionValues', strMap),
      field('size', 'long'),
      field('modificationTime', 'long'),
      field('dataChange', 'boolean'),
      field('tags', strMap),
      field('stats', 'string'),
    ]),
  ),
  field(
    'remove',
    s([
      field('path', 'string'),
      field('deletionTimestamp', 'long'),
      field('dataChange', 'boolean'),
      field('extendedFileMetadata', 'boolean'),
      field('partitionValues', strMap),
      field('size', 'long'),
    ]),
  ),
  field(
    'metaData',
    s([
      field('id', 'string'),
      field('name', 'string'),
      field('description', 'string'),
      field('format', s([field('provider', 'string'), field('options', strMap)])),
      field('schemaString', 'string'),
      field('partitionColumns', strList),
      field('configuration', strMap),
      field('createdTime', 'long'),
    ]),
  ),
  field(
    'protocol',
    s([field('minReaderVersion', 'integer'), field('minWriterVersion', 'integer'), field('readerFeatures', strList), field('writerFeatures', strList)]),
  ),
];

export interface CheckpointContent {
  readonly version: number;
  readonly actions: readonly Action[];
}

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

function clean<T extends object>(o: T): Defined<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}

/** Writes `%020d.checkpoint.parquet` for `version` and points `_last_checkpoint` at it. */
export async function writeCheckpoint(tableDir: string, content: CheckpointContent): Promise<{ file: string; size: number }> {
  const buf = new RowBuffer(CHECKPOINT_FIELDS);
  let numOfAddFiles = 0;
  for (const a of content.actions) {
    let row: Record<string, unknown>;
    if ('add' in a) {
      const { path: p, partitionValues, size, modificationTime, dataChange, stats, tags } = a.add;
      row = { add: clean({ path: p, partitionValues, size, modificationTime, dataChange, stats: stats ?? null, tags: tags ?? null }) };
      numOfAddFiles++;
    } else if ('remove' in a) {
      const r = a.remove;
      row = {
        remove: clean({
          path: r.path,
          deletionTimestamp: r.deletionTimestamp ?? null,
          dataChange: r.dataChange,
          extendedFileMetadata: r.extendedFileMetadata ?? null,
          partitionValues: r.partitionValues ?? null,
          size: r.size ?? null,
        }),
      };
    } else if ('txn' in a) {
      row = { txn: { appId: a.txn.appId, version: a.txn.version, lastUpdated: a.txn.lastUpdated ?? null } };
    } else if ('metaData' in a) {
      const m = a.metaData;
      row = {
        metaData: {
          id: m.id,
          name: m.name ?? null,
          description: m.description ?? null,
          format: { provider: m.format.provider, options: m.format.options ?? {} },
          schemaString: m.schemaString,
          partitionColumns: [...m.partitionColumns],
          configuration: m.configuration,
          createdTime: m.createdTime ?? null,
        },
      };
    } else if ('protocol' in a) {
      const p = a.protocol;
      row = {
        protocol: {
          minReaderVersion: p.minReaderVersion,
          minWriterVersion: p.minWriterVersion,
          readerFeatures: p.readerFeatures ? [...p.readerFeatures] : null,
          writerFeatures: p.writerFeatures ? [...p.writerFeatures] : null,
        },
      };
    } else continue;
    const reason = buf.append(row);
    if (reason) throw new RangeError(`checkpoint row does not fit: ${reason}`);
  }
  const size = buf.length;
  const bytes = encodeParquet(buf.finish(), { codec: 'snappy' });
  const name = checkpointFileName(content.version);
  await writeLogFile(tableDir, name, bytes);
  await writeLogFile(tableDir, '_last_checkpoint', JSON.stringify({ version: content.version, size, sizeInBytes: bytes.length, numOfAddFiles }));
  return { file: tableStore(tableDir).describe(`${LOG_DIR}/${name}`), size };
}

function nn<T>(v: T | null | undefined): T | undefined {
  return v === null ? undefined : v;
}

/** Reads the actions of a checkpoint (all its parts). */
export async function readCheckpoint(tableDir: string, files: readonly string[]): Promise<Action[]> {
  const out: Action[] = [];
  for (const f of files) {
    const table = decodeParquet(await tableStore(tableDir).read(`${LOG_DIR}/${f}`));
    for (const row of tableRows(table)) {
      const r = row as Record<string, Record<string, unknown> | null | undefined>;
      if (r['add']) {
        const a = r['add'];
        out.push({
          add: clean({
            path: a['path'] as string,
            partitionValues: (a['partitionValues'] ?? {}) as AddAction['partitionValues'],
            size: Number(a['size']),
            modificationTime: Number(a['modificationTime']),
            dataChange: a['dataChange'] !== false,
            stats: nn(a['stats'] as string | null),
            tags: nn(a['tags'] as Record<string, string> | null),
          }) as AddAction,
        });
      } else if (r['remove']) {
        const x = r['remove'];
        out.push({
          remove: clean({
            path: x['path'] as string,
            deletionTimestamp: nn(x['deletionTimestamp'] as number | null),
            dataChange: x['dataChange'] !== false,
            partitionValues: nn(x['partitionValues'] as Record<string, string | null> | null),
            size: nn(x['size'] as number | null),
          }) as RemoveAction,
        });
      } else if (r['txn']) {
        const t = r['txn'];
        out.push({ txn: clean({ appId: t['appId'] as string, version: Number(t['version']), lastUpdated: nn(t['lastUpdated'] as number | null) }) });
      } else if (r['metaData']) {
        const m = r['metaData'];
        const fmt = (m['format'] ?? { provider: 'parquet', options: {} }) as { provider: string; options: Record<string, string> | null };
        out.push({
          metaData: clean({
            id: m['id'] as string,
            name: m['name'] as string | null,
            description: m['description'] as string | null,
            format: { provider: fmt.provider, options: fmt.options ?? {} },
            schemaString: m['schemaString'] as string,
            partitionColumns: (m['partitionColumns'] ?? []) as string[],
            configuration: (m['configuration'] ?? {}) as Record<string, string>,
            createdTime: nn(m['createdTime'] as number | null),
          }),
        });
      } else if (r['protocol']) {
        const p = r['protocol'];
        out.push({
          protocol: clean({
            minReaderVersion: Number(p['minReaderVersion']),
            minWriterVersion: Number(p['minWriterVersion']),
            readerFeatures: nn(p['readerFeatures'] as string[] | null),
            writerFeatures: nn(p['writerFeatures'] as string[] | null),
          }),
        });
      }
    }
  }
  return out;
}
