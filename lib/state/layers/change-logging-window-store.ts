import type { ChangelogSink, KeyValue, RestoreRecord, StateStoreContext, Windowed } from '../types.js';
import type { WindowBytesStore } from '../internal/segmented-window-store.js';
import { WINDOW_SUFFIX, windowKey } from '../internal/window-key-schema.js';
import { WindowedStoreLayer } from './windowed-store-layer.js';

/** Change-logging layer of a window stack: logs `[key][start][seq]` → value for every write. */
export class ChangeLoggingWindowStore extends WindowedStoreLayer<WindowBytesStore> implements WindowBytesStore {
  private sink: ChangelogSink | null = null;
  private context: StateStoreContext | null = null;

  get retainDuplicates(): boolean {
    return this.inner.retainDuplicates;
  }
  get windowSizeMs(): number {
    return this.inner.windowSizeMs;
  }
  get lastPutSeq(): number {
    return this.inner.lastPutSeq;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.context = context;
    this.sink = context.changelog;
    await this.inner.init(context);
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    this.inner.put(key, value, windowStart);
    if (this.sink === null || (value === null && this.inner.retainDuplicates)) return;
    this.sink.log(windowKey(key, windowStart, this.inner.lastPutSeq), value, this.context!.currentTimestamp());
  }

  putComposite(k: string, composite: Buffer, value: Buffer | null, windowStart: number): void {
    if (this.inner.retainDuplicates) {
      this.put(composite.subarray(0, composite.length - WINDOW_SUFFIX), value, windowStart);
      return;
    }
    this.inner.putComposite(k, composite, value, windowStart);
    // Without duplicates the seq is 0: the composite is the changelog key.
    if (this.sink !== null) this.sink.log(composite, value, this.context!.currentTimestamp());
  }

  fetch(key: Buffer, windowStart: number): Buffer | undefined {
    return this.inner.fetch(key, windowStart);
  }
  fetchComposite(k: string, windowStart: number): Buffer | undefined {
    return this.inner.fetchComposite(k, windowStart);
  }
  fetchRange(key: Buffer, timeFrom: number, timeTo: number): KeyValue<number, Buffer>[] {
    return this.inner.fetchRange(key, timeFrom, timeTo);
  }
  fetchAll(timeFrom: number, timeTo: number): KeyValue<Windowed<Buffer>, Buffer>[] {
    return this.inner.fetchAll(timeFrom, timeTo);
  }
  all(): KeyValue<Windowed<Buffer>, Buffer>[] {
    return this.inner.all();
  }
  restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    return this.inner.restoreBatch(records);
  }
}
