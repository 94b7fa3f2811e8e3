/**
 * The compact text spec both engines read (see kafka-streams/src/main/java/tributary/diff/DiffRunner.java):
 *
 *   id TAB family TAB k=v,k=v TAB topic,key,value,ts;topic,key,value,ts;...
 *
 * Keys are short strings, values int64, `~` is null (a null key, or a tombstone). Outputs come
 * back as records `topic,key,value,timestamp` with windowed keys spelled `key@start/end`.
 */

export interface InputRecord {
  readonly topic: string;
  readonly key: string | null;
  readonly value: number | null;
  readonly ts: number;
}

export interface Case {
  readonly id: string;
  readonly family: string;
  readonly params: Readonly<Record<string, number | string>>;
  readonly records: readonly InputRecord[];
}

export interface OutputRecord {
  readonly topic: string;
  readonly key: string | null;
  readonly value: number | null;
  readonly ts: number;
}

/** What one engine did with one case: its output records in emission order, or why it failed. */
export interface CaseResult {
  readonly outputs: readonly OutputRecord[];
  readonly error?: string;
  /** describe() text, for the describe cases. */
  readonly describe?: string;
}

const nul = (s: string | null): string => (s === null ? '~' : s);
const num = (n: number | null): string => (n === null ? '~' : String(n));

export function encodeCase(c: Case): string {
  const params = Object.entries(c.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const records = c.records.map((r) => `${r.topic},${nul(r.key)},${num(r.value)},${r.ts}`).join(';');
  return `${c.id}\t${c.family}\t${params}\t${records}`;
}

export function decodeCase(line: string): Case {
  const [id, family, params, records] = line.split('\t');
  if (id === undefined || family === undefined || params === undefined || records === undefined) throw new Error(`bad case line: ${line}`);
  const p: Record<string, number | string> = {};
  for (const kv of params ? params.split(',') : []) {
    const [k, v] = kv.split('=') as [string, string];
    p[k] = /^-?\d+$/.test(v) ? Number(v) : v;
  }
  return {
    id,
    family,
    params: p,
    records: (records ? records.split(';') : []).map((r) => {
      const [topic, key, value, ts] = r.split(',') as [string, string, string, string];
      return { topic, key: key === '~' ? null : key, value: value === '~' ? null : Number(value), ts: Number(ts) };
    }),
  };
}

export function formatOutput(o: OutputRecord): string {
  return `${o.topic},${nul(o.key)},${num(o.value)},${o.ts}`;
}

export function formatRecords(records: readonly InputRecord[]): string {
  return records.map((r) => `${r.topic},${nul(r.key)},${num(r.value)},${r.ts}`).join(';');
}
