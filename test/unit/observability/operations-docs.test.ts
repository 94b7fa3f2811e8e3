/**
 * docs/operations.md's metric reference is generated from the metric definitions
 * (`npm run docs:metrics`): the committed page must be what the generator writes, and list every
 * metric the collector emits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../../lib/observability/metric-definitions.js';
import { OPERATIONS_PAGE, renderPage } from '../../../scripts/metrics-docs.js';

describe('docs/operations.md metric reference', () => {
  it('is up to date with lib/observability/metric-definitions.ts (npm run docs:metrics)', () => {
    const page = readFileSync(OPERATIONS_PAGE, 'utf8');
    expect(renderPage(page)).toBe(page);
    for (const m of Object.values(METRICS)) expect(page).toContain(`| \`${m.name}\` | ${m.type} |`);
  });

  it('--check fails on a stale page and passes on the committed one', () => {
    const ok = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/metrics-docs.ts', '--check'], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const page = readFileSync(OPERATIONS_PAGE, 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'tributary-ops-doc-'));
    try {
      const stale = join(dir, 'operations.md');
      writeFileSync(stale, page.replace('Tasks this instance runs now.', 'stale text'));
      const bad = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/metrics-docs.ts', '--check', '--page', stale], { encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('is stale');
      expect(renderPage(readFileSync(stale, 'utf8'))).toBe(page);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
