/**
 * The default base directory of local state stores: durable, not under the OS temp dir (which
 * systemd-tmpfiles and reboots clean, forcing a full restore from the changelogs).
 * `$XDG_STATE_HOME/tributary`, else `~/.local/state/tributary`, else `./.tributary-state` when
 * there is no home directory.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export const DEFAULT_STATE_DIR_TEXT = '$XDG_STATE_HOME/tributary, or ~/.local/state/tributary';

export function defaultStateDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const xdg = env['XDG_STATE_HOME'];
  if (xdg && isAbsolute(xdg)) return join(xdg, 'tributary');
  let home = '';
  try {
    home = homedir();
  } catch {
    home = '';
  }
  return home ? join(home, '.local', 'state', 'tributary') : resolve('.tributary-state');
}
