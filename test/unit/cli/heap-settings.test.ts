import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { applyRunnerHeapSettings, DEFAULT_HEAP_GROWING_PERCENT } from '../../../lib/cli/heap-settings.js';

describe('runner heap settings', () => {
  it('caps heap growth by default, takes TRIBUTARY_HEAP_GROWING_PERCENT, and leaves V8 alone for 0 or a flag given elsewhere', () => {
    expect(applyRunnerHeapSettings({}, [])).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    expect(applyRunnerHeapSettings({ TRIBUTARY_HEAP_GROWING_PERCENT: '80' }, [])).toBe(80);
    expect(applyRunnerHeapSettings({ TRIBUTARY_HEAP_GROWING_PERCENT: '0' }, [])).toBeNull();
    expect(applyRunnerHeapSettings({ NODE_OPTIONS: '--heap-growing-percent=20' }, [])).toBeNull();
    expect(applyRunnerHeapSettings({}, ['--heap-growing-percent=20'])).toBeNull();
  });

  it('rejects a bad value with a message naming the variable', () => {
    expect(() => applyRunnerHeapSettings({ TRIBUTARY_HEAP_GROWING_PERCENT: 'lots' }, [])).toThrow(ConfigError);
    expect(() => applyRunnerHeapSettings({ TRIBUTARY_HEAP_GROWING_PERCENT: '-5' }, [])).toThrow(/TRIBUTARY_HEAP_GROWING_PERCENT must be an integer/);
  });
});
