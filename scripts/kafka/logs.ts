/** Reading the broker's logs: tails for error messages, and following a log during start-up. */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

function tail(file: string, lines: number): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Error lines first (where the cause usually is), then the last lines of each log. */
export function logTail(dir: string): string {
  const parts: string[] = [];
  const server = join(dir, 'server.log');
  let errors: string[] = [];
  try {
    errors = readFileSync(server, 'utf8')
      .split('\n')
      .filter((l) => /\] (ERROR|FATAL) /.test(l) || /^\S*(Exception|Error)\b/.test(l))
      .slice(0, 15);
  } catch {
    // no log yet
  }
  if (errors.length > 0) parts.push(`[server.log errors]\n${errors.join('\n')}`);
  const last = tail(server, 25);
  if (last) parts.push(`[server.log last lines]\n${last}`);
  const jvm = tail(join(dir, 'jvm.out'), 30);
  if (jvm) parts.push(`[jvm stdout/stderr]\n${jvm}`);
  return parts.join('\n');
}

/** Reads what a log file gained since the last call. */
export class LogFollower {
  private offset = 0;
  constructor(private readonly file: string) {}
  read(): string {
    let fd: number | undefined;
    try {
      fd = openSync(this.file, 'r');
      const size = fstatSync(fd).size;
      if (size <= this.offset) return '';
      const buf = Buffer.alloc(size - this.offset);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      // keep an incomplete last line for the next read
      const text = buf.subarray(0, n).toString('utf8');
      const cut = text.lastIndexOf('\n') + 1;
      this.offset += Buffer.byteLength(text.slice(0, cut));
      return text.slice(0, cut);
    } catch {
      return '';
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/** A start-up failure Kafka logs before (slowly) shutting itself down; no need to wait for the exit. */
export const FATAL_START = /Fatal error during (broker|controller|KafkaServer|KafkaRaftServer) startup|Exiting Kafka due to fatal exception/;
export const BIND_CONFLICT = /Address already in use|BindException/;
