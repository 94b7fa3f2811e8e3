import { TributaryError } from '../errors.js';

/**
 * The error of a command whose flags are defined but whose implementation has not landed yet.
 * Commands fail with it rather than pretending to work.
 */
export function notImplemented(command: string, hint?: string): TributaryError {
  return new TributaryError(`\`tributary ${command}\` is not implemented yet.${hint ? ` ${hint}` : ''}`, {
    code: 'NOT_IMPLEMENTED',
  });
}
