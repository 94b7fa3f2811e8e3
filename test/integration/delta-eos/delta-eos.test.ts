/** Kafka → Delta exactly once across SIGKILLs, on the real broker, local table (see scenario.ts). */
import { describe, it } from 'vitest';
import { runDeltaEos } from './scenario.js';

describe('Kafka → Delta exactly once across SIGKILLs (real broker)', () => {
  it(
    '40000 records, 3+ SIGKILLs (one run may also die inside a commit): every record exactly once in the table or the dead-letter topic',
    () => runDeltaEos(),
    900_000,
  );
});
