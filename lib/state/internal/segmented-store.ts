import { TributaryError } from '../../errors.js';
import type { StateStoreContext } from '../types.js';
import { Segments } from './segments.js';

/**
 * What the segmented window and session stores share: their segments, open from `init` until
 * `close`, and the backend hooks (LevelDB or in-memory) that open, flush and close them.
 */
export abstract class SegmentedStore {
  abstract readonly persistent: boolean;
  protected segments: Segments | null = null;

  constructor(
    readonly name: string,
    readonly retentionMs: number,
    readonly segmentIntervalMs: number = Segments.defaultInterval(retentionMs),
  ) {}

  /** Opens the backend; returns the segments with existing tables adopted. */
  protected abstract openSegments(context: StateStoreContext): Promise<Segments>;
  protected abstract flushSegments(): Promise<void>;
  protected abstract closeSegments(): Promise<void>;

  /** The segments' stream time (see `StreamTimeKeepingStore`); -1 while closed. */
  get observedStreamTime(): number {
    return this.segments?.observedStreamTime ?? -1;
  }

  get isOpen(): boolean {
    return this.segments !== null;
  }

  protected get s(): Segments {
    const s = this.segments;
    if (s === null) throw new TributaryError(`store ${this.name} is not open`, { code: 'STORE_NOT_AVAILABLE', context: { store: this.name } });
    return s;
  }

  async flush(): Promise<void> {
    if (this.segments) await this.flushSegments();
  }

  async close(): Promise<void> {
    if (!this.segments) return;
    await this.flushSegments();
    await this.closeSegments();
    this.segments = null;
  }
}
