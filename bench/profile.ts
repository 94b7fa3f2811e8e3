/**
 * Opt-in CPU profile of a bench's timed section (`--profile <file>`): the V8 profiler runs only
 * while `work` does, so input generation and setup stay out of the profile. Without a file,
 * `work` runs as is.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export async function profiled<T>(file: string | undefined, work: () => T | Promise<T>): Promise<T> {
  if (file === undefined || file === '') return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}
