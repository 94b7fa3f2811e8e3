/**
 * The columns of one partition's fetch (`FetchedColumns`) as the log reads them: typed arrays
 * that double when full, so a fetch allocates a few arrays rather than an object per record.
 */
import type { FetchedColumns, Headers } from '../types.js';

const EMPTY_HEADERS: Headers = Object.freeze({}) as Headers;

export class ColumnsBuilder {
  length = 0;
  offsets: Float64Array;
  timestamps: Float64Array;
  keyChunks: (Buffer | null)[];
  keyStarts: Int32Array;
  keyEnds: Int32Array;
  valueChunks: (Buffer | null)[];
  valueStarts: Int32Array;
  valueEnds: Int32Array;
  headers: Headers[] | null = null;
  private capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
    this.keyChunks = new Array<Buffer | null>(this.capacity);
    this.valueChunks = new Array<Buffer | null>(this.capacity);
    this.offsets = new Float64Array(this.capacity);
    this.timestamps = new Float64Array(this.capacity);
    this.keyStarts = new Int32Array(this.capacity);
    this.keyEnds = new Int32Array(this.capacity);
    this.valueStarts = new Int32Array(this.capacity);
    this.valueEnds = new Int32Array(this.capacity);
  }

  add(
    offset: number,
    timestamp: number,
    keyChunk: Buffer | null,
    keyStart: number,
    keyEnd: number,
    valueChunk: Buffer | null,
    valueStart: number,
    valueEnd: number,
    headers: Headers | null,
  ): void {
    const i = this.length;
    if (i === this.capacity) this.grow();
    this.offsets[i] = offset;
    this.timestamps[i] = timestamp;
    this.keyChunks[i] = keyChunk;
    this.keyStarts[i] = keyStart;
    this.keyEnds[i] = keyEnd;
    this.valueChunks[i] = valueChunk;
    this.valueStarts[i] = valueStart;
    this.valueEnds[i] = valueEnd;
    if (headers !== null && this.headers === null) this.headers = new Array<Headers>(i).fill(EMPTY_HEADERS);
    if (this.headers !== null) this.headers.push(headers ?? EMPTY_HEADERS);
    this.length = i + 1;
  }

  build(topic: string, partition: number, highWatermark: number): FetchedColumns {
    return {
      topic,
      partition,
      length: this.length,
      offsets: this.offsets,
      timestamps: this.timestamps,
      keyChunks: this.keyChunks,
      keyStarts: this.keyStarts,
      keyEnds: this.keyEnds,
      valueChunks: this.valueChunks,
      valueStarts: this.valueStarts,
      valueEnds: this.valueEnds,
      headers: this.headers,
      highWatermark,
    };
  }

  private grow(): void {
    const n = this.capacity * 2;
    this.keyChunks.length = n;
    this.valueChunks.length = n;
    this.offsets = grown(new Float64Array(n), this.offsets);
    this.timestamps = grown(new Float64Array(n), this.timestamps);
    this.keyStarts = grown(new Int32Array(n), this.keyStarts);
    this.keyEnds = grown(new Int32Array(n), this.keyEnds);
    this.valueStarts = grown(new Int32Array(n), this.valueStarts);
    this.valueEnds = grown(new Int32Array(n), this.valueEnds);
    this.capacity = n;
  }
}

function grown<T extends Float64Array | Int32Array>(next: T, old: T): T {
  next.set(old);
  return next;
}
