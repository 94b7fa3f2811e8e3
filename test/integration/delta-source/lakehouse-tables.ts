/** The lakehouse tables under one root (a directory or s3://bucket/prefix), as hop settings. */
import { goldSettings, type GoldSettings } from '../../../topologies/transactions-gold.js';
import { silverSettings, type SilverSettings } from '../../../topologies/transactions-silver.js';

export function lakehouseTables(root: string, extra: Record<string, string> = {}): { bronze: string; silver: SilverSettings; gold: GoldSettings } {
  const at = (p: string) => `${root.replace(/\/+$/, '')}/${p}`;
  const silver = silverSettings({
    params: { ...extra, 'bronze-table': at('bronze/transactions'), table: at('silver/transactions'), 'quarantine-table': at('silver/transactions_quarantine') },
  });
  const gold = goldSettings({
    params: { ...extra, 'silver-table': silver.silverTable, 'daily-table': at('gold/daily_totals'), 'merchant-table': at('gold/merchant_totals') },
  });
  return { bronze: silver.bronzeTable, silver, gold };
}
