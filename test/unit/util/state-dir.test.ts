import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../lib/runtime/config.js';
import { defaultStateDir } from '../../../lib/util/state-dir.js';

describe('defaultStateDir', () => {
  it('is $XDG_STATE_HOME/tributary, else ~/.local/state/tributary — never under the OS temp dir', () => {
    expect(defaultStateDir({ XDG_STATE_HOME: '/var/lib/app-state' })).toBe('/var/lib/app-state/tributary');
    expect(defaultStateDir({ XDG_STATE_HOME: 'relative/ignored' })).toBe(join(homedir(), '.local', 'state', 'tributary'));
    expect(defaultStateDir({})).toBe(join(homedir(), '.local', 'state', 'tributary'));
    expect(defaultStateDir({}).startsWith(tmpdir())).toBe(false);
  });

  it('is the runtime default', () => {
    expect(normalizeConfig({ applicationId: 'a' }).stateDir).toBe(defaultStateDir());
  });
});
