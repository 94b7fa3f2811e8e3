/**
 * Compares what Kafka Streams and tributary did with one case, per (output topic, key) — keys of
 * windowed results carry their window (`key@start/end`). Records of one key must come out in the
 * same order with the same values and timestamps; the interleaving of different keys is not
 * compared (several windows updated by one record may come out in any order).
 */
import type { Case, CaseResult, OutputRecord } from './spec.js';

export interface Emitted {
  readonly value: number | null;
  readonly ts: number;
}

export interface KeyDivergence {
  readonly topic: string;
  readonly key: string | null;
  readonly kafkaStreams: readonly Emitted[];
  readonly tributary: readonly Emitted[];
}

export interface CaseComparison {
  readonly case: Case;
  /** Either engine failed the case (never explained). */
  readonly error?: string;
  readonly keys: readonly KeyDivergence[];
}

function byKey(outputs: readonly OutputRecord[]): Map<string, { topic: string; key: string | null; seq: Emitted[] }> {
  const m = new Map<string, { topic: string; key: string | null; seq: Emitted[] }>();
  for (const o of outputs) {
    const id = `${o.topic}\u0000${o.key ?? '\u0001'}`;
    let e = m.get(id);
    if (!e) m.set(id, (e = { topic: o.topic, key: o.key, seq: [] }));
    e.seq.push({ value: o.value, ts: o.ts });
  }
  return m;
}

const same = (a: readonly Emitted[], b: readonly Emitted[]): boolean =>
  a.length === b.length && a.every((x, i) => x.value === b[i]!.value && x.ts === b[i]!.ts);

export function compareCase(c: Case, kafkaStreams: CaseResult, tributary: CaseResult): CaseComparison {
  if (kafkaStreams.error !== undefined || tributary.error !== undefined) {
    return { case: c, error: `Kafka Streams: ${kafkaStreams.error ?? 'ok'}; tributary: ${tributary.error ?? 'ok'}`, keys: [] };
  }
  const ks = byKey(kafkaStreams.outputs);
  const ours = byKey(tributary.outputs);
  const keys: KeyDivergence[] = [];
  for (const id of new Set([...ks.keys(), ...ours.keys()])) {
    const a = ks.get(id);
    const b = ours.get(id);
    const aSeq = a?.seq ?? [];
    const bSeq = b?.seq ?? [];
    if (!same(aSeq, bSeq)) keys.push({ topic: (a ?? b)!.topic, key: (a ?? b)!.key, kafkaStreams: aSeq, tributary: bSeq });
  }
  return { case: c, keys };
}

export const diverges = (c: CaseComparison): boolean => c.error !== undefined || c.keys.length > 0;

export function formatSeq(seq: readonly Emitted[]): string {
  return `[${seq.map((e) => `${e.value ?? 'null'}@${e.ts}`).join(' ')}]`;
}
