/**
 * The kafkajs admin's retry of group coordinator errors (lib/kafka/kafkajs/admin.ts): kafkajs'
 * `fetchOffsets` fails at once when the group's coordinator is loading or has just moved (seen on a
 * freshly started broker), where Java's admin client retries.
 */
import { describe, expect, it } from 'vitest';
import { retryCoordinator } from '../../../../lib/kafka/kafkajs/admin.js';

const protocolError = (type: string) => Object.assign(new Error(type), { type });

describe('kafkajs admin: coordinator errors', () => {
  it('retries NOT_COORDINATOR_FOR_GROUP, GROUP_LOAD_IN_PROGRESS and GROUP_COORDINATOR_NOT_AVAILABLE', async () => {
    const errors = ['NOT_COORDINATOR_FOR_GROUP', 'GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE'];
    let calls = 0;
    const result = await retryCoordinator(async () => {
      const e = errors[calls++];
      if (e !== undefined) throw protocolError(e);
      return 'offsets';
    }, 10_000);
    expect(result).toBe('offsets');
    expect(calls).toBe(4);
  });

  it('fails at once on other errors, and after the time allowed', async () => {
    let calls = 0;
    await expect(
      retryCoordinator(async () => {
        calls++;
        throw protocolError('GROUP_AUTHORIZATION_FAILED');
      }, 10_000),
    ).rejects.toThrow('GROUP_AUTHORIZATION_FAILED');
    expect(calls).toBe(1);
    await expect(
      retryCoordinator(async () => {
        throw protocolError('NOT_COORDINATOR_FOR_GROUP');
      }, 0),
    ).rejects.toThrow('NOT_COORDINATOR_FOR_GROUP');
  });
});
