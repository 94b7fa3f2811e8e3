import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { DefaultPartitioner, murmur2, NullKeyPartitioner, partitionForKey, toPositive } from '../../../lib/kafka/partitioner.js';

interface Vector {
  readonly kind: string;
  readonly text?: string;
  readonly keyHex: string;
  readonly murmur2: number;
  readonly toPositive: number;
  readonly partitions: readonly number[];
}

interface Fixture {
  readonly kafkaClientsVersion: string;
  readonly numPartitions: readonly number[];
  readonly vectors: readonly Vector[];
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/murmur2-vectors.json', import.meta.url), 'utf8')) as Fixture;

/** Deterministic [0,1) source for partitioner tests. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('murmur2 against vectors from the Kafka Java client', () => {
  it('fixture covers every tail case, negative hashes, multi-byte UTF-8 and long keys', () => {
    expect(fixture.vectors.length).toBeGreaterThanOrEqual(250);
    const lengths = new Set(fixture.vectors.map((v) => v.keyHex.length / 2));
    for (let len = 0; len <= 40; len++) expect(lengths.has(len)).toBe(true);
    expect(Math.max(...lengths)).toBeGreaterThanOrEqual(10_000);
    expect(fixture.vectors.some((v) => v.murmur2 < 0)).toBe(true);
    expect(fixture.vectors.some((v) => v.kind === 'utf8')).toBe(true);
    expect(fixture.numPartitions).toEqual([1, 3, 4, 12, 100]);
  });

  it.each(fixture.vectors.map((v, i) => [i, v] as const))('vector %i matches Utils.murmur2 and partition choice', (_i, v) => {
    const key = Buffer.from(v.keyHex, 'hex');
    expect(murmur2(key)).toBe(v.murmur2);
    expect(toPositive(murmur2(key))).toBe(v.toPositive);
    expect(fixture.numPartitions.map((n) => partitionForKey(key, n))).toEqual(v.partitions);
  });

  it('string keys are encoded as Java getBytes(UTF_8) does', () => {
    for (const v of fixture.vectors) {
      if (v.text === undefined) continue;
      expect(Buffer.from(v.text, 'utf8').toString('hex')).toBe(v.keyHex);
    }
  });

  it('works on a Uint8Array view into a larger buffer (no copy needed)', () => {
    const v = fixture.vectors.find((x) => x.kind === 'length-7')!;
    const big = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(v.keyHex, 'hex'), Buffer.from([9])]);
    expect(murmur2(big.subarray(3, 3 + 7))).toBe(v.murmur2);
  });
});

describe('toPositive / partitionForKey', () => {
  it('clears the sign bit like Java (not Math.abs)', () => {
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(2147483647);
    expect(toPositive(5)).toBe(5);
  });

  it('rejects a non-positive or fractional partition count', () => {
    expect(() => partitionForKey(Buffer.from('k'), 0)).toThrow(RangeError);
    expect(() => partitionForKey(Buffer.from('k'), 2.5)).toThrow(RangeError);
  });

  it('always returns a signed 32-bit hash and an in-range partition', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 1000 }), (bytes, n) => {
        const h = murmur2(bytes);
        expect(h | 0).toBe(h);
        const p = partitionForKey(bytes, n);
        expect(p >= 0 && p < n && Number.isInteger(p)).toBe(true);
      }),
    );
  });
});

describe('null-key partitioning', () => {
  it('round-robin cycles through every partition, per topic independently', () => {
    const p = new NullKeyPartitioner({ random: seeded(1) });
    const a = Array.from({ length: 12 }, () => p.partition('a', 4));
    const b = Array.from({ length: 3 }, () => p.partition('b', 3));
    for (let i = 1; i < a.length; i++) expect(a[i]).toBe((a[i - 1]! + 1) % 4);
    expect(new Set(a.slice(0, 4)).size).toBe(4);
    expect(new Set(b).size).toBe(3);
  });

  it('round-robin follows a change in partition count', () => {
    const p = new NullKeyPartitioner({ random: seeded(2) });
    p.partition('t', 8);
    const after = Array.from({ length: 6 }, () => p.partition('t', 3));
    for (const x of after) expect(x).toBeLessThan(3);
    expect(new Set(after).size).toBe(3);
  });

  it('sticky mode keeps runs of stickyRecords on one partition, then moves to another', () => {
    const p = new NullKeyPartitioner({ mode: 'sticky', stickyRecords: 5, random: seeded(3) });
    const seq = Array.from({ length: 50 }, () => p.partition('t', 6));
    for (let run = 0; run < 10; run++) {
      const chunk = seq.slice(run * 5, run * 5 + 5);
      expect(new Set(chunk).size).toBe(1);
      if (run > 0) expect(chunk[0]).not.toBe(seq[run * 5 - 1]);
    }
    expect(new Set(seq).size).toBeGreaterThan(2);
  });

  it('sticky mode with one partition always returns 0', () => {
    const p = new NullKeyPartitioner({ mode: 'sticky', stickyRecords: 2 });
    expect(Array.from({ length: 7 }, () => p.partition('t', 1))).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('DefaultPartitioner uses murmur2 for keys and the null-key strategy otherwise', () => {
    const d = new DefaultPartitioner({ random: seeded(4) });
    const v = fixture.vectors.find((x) => x.text === 'hello')!;
    expect(d.partition('t', Buffer.from('hello'), 12)).toBe(v.partitions[3]);
    const nulls = Array.from({ length: 4 }, () => d.partition('t', null, 4));
    expect(new Set(nulls).size).toBe(4);
  });
});

describe('kafkajs DefaultPartitioner (informational: the adapter could also rely on it)', () => {
  const kafkajsPartition = Partitioners.DefaultPartitioner();
  const metadata = (n: number): PartitionMetadata[] =>
    Array.from({ length: n }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 1, replicas: [1], isr: [1] }));

  it('agrees with the Java vectors and with ours', () => {
    for (const v of fixture.vectors) {
      const key = Buffer.from(v.keyHex, 'hex');
      fixture.numPartitions.forEach((n, i) => {
        const theirs = kafkajsPartition({ topic: 't', partitionMetadata: metadata(n), message: { key, value: null } });
        expect(theirs).toBe(v.partitions[i]);
        expect(partitionForKey(key, n)).toBe(theirs);
      });
    }
  });
});
