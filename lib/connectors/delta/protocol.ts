/**
 * Which tables this writer may read and write. The writer implements Delta reader version 1 and
 * writer version 2 (append, optimize, vacuum, txn, checkpoints). Tables at higher versions are
 * accepted only when the features those versions imply are present but unused (e.g. writer 4
 * without a change data feed or generated columns); anything else is refused with an error that
 * names the table and the feature.
 */
import { TributaryError } from '../../errors.js';
import type { DeltaDataType, DeltaStructType, MetaDataAction, ProtocolAction } from './types.js';

export const WRITER_PROTOCOL: ProtocolAction = { minReaderVersion: 1, minWriterVersion: 2 };

const READABLE_FEATURES = new Set(['vacuumProtocolCheck']);

function refuse(table: string, what: string, op: string): never {
  throw new TributaryError(`Delta table ${table} uses ${what}, which tributary does not support for ${op}`, {
    code: 'DELTA',
    context: { table, feature: what },
  });
}

export function assertReadable(protocol: ProtocolAction, metadata: MetaDataAction | undefined, table: string): void {
  const r = protocol.minReaderVersion;
  if (r === 1) return;
  if (r === 2) {
    const mode = metadata?.configuration['delta.columnMapping.mode'];
    if (mode && mode !== 'none') refuse(table, `column mapping (mode ${mode}, reader version 2)`, 'reading');
    return;
  }
  if (r === 3) {
    for (const f of protocol.readerFeatures ?? []) {
      if (!READABLE_FEATURES.has(f)) refuse(table, `reader feature "${f}"`, 'reading');
    }
    return;
  }
  refuse(table, `reader version ${r}`, 'reading');
}

function schemaUses(schema: DeltaStructType, key: string): string | undefined {
  const visit = (t: DeltaDataType, p: string): string | undefined => {
    if (typeof t === 'string') return undefined;
    if (t.type === 'struct') {
      for (const f of t.fields) {
        if (f.metadata && key in f.metadata) return `${p}${f.name}`;
        const inner = visit(f.type, `${p}${f.name}.`);
        if (inner) return inner;
      }
      return undefined;
    }
    if (t.type === 'array') return visit(t.elementType, p);
    return visit(t.valueType, p);
  };
  return visit(schema, '');
}

/** Throws unless this writer can append to (and optimize/vacuum) the table. */
export function assertWritable(protocol: ProtocolAction, metadata: MetaDataAction, schema: DeltaStructType, table: string): void {
  assertReadable(protocol, metadata, table);
  const w = protocol.minWriterVersion;
  const conf = metadata.configuration;
  const features = new Set<string>();
  if (w <= 2) {
    if (w === 2) features.add('invariants').add('appendOnly');
  } else if (w >= 3 && w <= 4) {
    features.add('invariants').add('appendOnly').add('checkConstraints');
    if (w === 4) features.add('changeDataFeed').add('generatedColumns');
  } else if (w === 7) {
    for (const f of protocol.writerFeatures ?? []) features.add(f);
  } else {
    refuse(table, `writer version ${w}${w === 5 ? ' (column mapping)' : w === 6 ? ' (identity columns)' : ''}`, 'writing');
  }
  for (const f of features) {
    switch (f) {
      case 'appendOnly':
      case 'vacuumProtocolCheck':
        break;
      case 'invariants': {
        const col = schemaUses(schema, 'delta.invariants');
        if (col) refuse(table, `a column invariant on "${col}"`, 'writing');
        break;
      }
      case 'checkConstraints': {
        const c = Object.keys(conf).find((k) => k.startsWith('delta.constraints.'));
        if (c) refuse(table, `CHECK constraint "${c.slice('delta.constraints.'.length)}"`, 'writing');
        break;
      }
      case 'changeDataFeed':
        if (conf['delta.enableChangeDataFeed'] === 'true') refuse(table, 'change data feed (delta.enableChangeDataFeed=true)', 'writing');
        break;
      case 'generatedColumns': {
        const col = schemaUses(schema, 'delta.generationExpression');
        if (col) refuse(table, `generated column "${col}"`, 'writing');
        break;
      }
      default:
        refuse(table, `writer feature "${f}"`, 'writing');
    }
  }
}

export function isAppendOnly(metadata: MetaDataAction): boolean {
  return metadata.configuration['delta.appendOnly'] === 'true';
}
