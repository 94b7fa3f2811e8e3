/**
 * The demo on the embedded broker with local tables loads no Kafka client library and no AWS SDK
 * (together ~110 MB resident): they load on first use of a real cluster or an s3:// table. A
 * module-resolution hook in the child lists every package it resolves.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './bin.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function packagesLoaded(args: readonly string[]): Set<string> {
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url);
  if (m) process.stderr.write('PACKAGE ' + m[1] + '\\n');
  return r;
}\n`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const r = spawnSync(process.execPath, ['--import', register, BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: '' },
  });
  expect(r.status, r.stderr).toBe(0);
  return new Set([...r.stderr.matchAll(/^PACKAGE (\S+)$/gm)].map((m) => m[1]!));
}

describe('libraries load on first use', () => {
  it('the embedded demo resolves apache-arrow and parquet-wasm but not kafkajs, @platformatic/kafka or @aws-sdk/client-s3', () => {
    const loaded = packagesLoaded(['demo', '--num-transactions', '300', '--seed', '7']);
    expect(loaded.has('apache-arrow')).toBe(true);
    expect(loaded.has('parquet-wasm')).toBe(true);
    for (const lazy of ['kafkajs', '@platformatic/kafka', '@aws-sdk/client-s3']) expect(loaded.has(lazy), lazy).toBe(false);
  }, 60_000);
});
