/** What a downstream `suppress` needs to know about a windowed aggregation's table. */
import type { KTable } from '../ktable.js';

export interface WindowedTableInfo {
  readonly storeName: string;
  readonly graceMs: number;
  /** How long after its end a window closes: grace; for session windows inactivity gap + grace. */
  readonly closeAfterMs: number;
  readonly kind: 'time' | 'sliding' | 'session';
}

const tables = new WeakMap<object, WindowedTableInfo>();

export function markWindowedTable(table: KTable<unknown, unknown>, info: WindowedTableInfo): void {
  tables.set(table, info);
}

export function windowedTableInfo(table: KTable<unknown, unknown>): WindowedTableInfo | undefined {
  return tables.get(table);
}
