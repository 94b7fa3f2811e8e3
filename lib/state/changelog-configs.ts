/**
 * Changelog topic configs per store kind (design.md): key-value changelogs are compacted;
 * window and session changelogs are compacted and deleted after the store retention + 1 day.
 */
const ONE_DAY_MS = 24 * 60 * 60 * 1000;

export function keyValueChangelogConfigs(): Record<string, string> {
  return { 'cleanup.policy': 'compact' };
}

export function windowedChangelogConfigs(retentionMs: number): Record<string, string> {
  return { 'cleanup.policy': 'compact,delete', 'retention.ms': String(retentionMs + ONE_DAY_MS) };
}

/** `<applicationId>-<store>-changelog`. */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}
