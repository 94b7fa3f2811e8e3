/**
 * One chaos runner process: the chaos topology in a `TributaryApp` with signal handlers, the
 * way `tributary run` hosts an app. Configured by env; prints one JSON line per event on stdout
 * (`state`, `log` of warnings/errors, `exit` with the app's metrics) for the harness to read.
 *
 *   CHAOS_BOOTSTRAP, CHAOS_APP_ID, CHAOS_INPUT, CHAOS_OUTPUT, CHAOS_STATE_DIR, CHAOS_RUNNER,
 *   CHAOS_GUARANTEE (exactly_once | exactly_once_v2 | at_least_once), CHAOS_COMMIT_MS, CHAOS_SESSION_MS,
 *   CHAOS_CLIENT_CONFIG (optional client.properties: TLS / SASL of every client of the app),
 *   CHAOS_KAFKA_CLIENT (optional: kafkajs | platformatic, the app's `kafkaClient`)
 */
import { loadClientProperties, TributaryApp } from '../../lib/app/index.js';
import { buildChaosTopology } from './workload.js';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const runner = env('CHAOS_RUNNER');
const emit = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ runner, t: Date.now(), ...event })}\n`);
};

async function main(): Promise<void> {
  const sessionMs = Number(process.env['CHAOS_SESSION_MS'] ?? 6000);
  const clientConfig = process.env['CHAOS_CLIENT_CONFIG'];
  const security = clientConfig ? loadClientProperties(clientConfig).security : undefined;
  const app = new TributaryApp(buildChaosTopology(env('CHAOS_INPUT'), env('CHAOS_OUTPUT')), {
    applicationId: env('CHAOS_APP_ID'),
    bootstrapServers: env('CHAOS_BOOTSTRAP'),
    ...(security ? { security } : {}),
    ...(process.env['CHAOS_KAFKA_CLIENT'] ? { kafkaClient: process.env['CHAOS_KAFKA_CLIENT'] as 'kafkajs' | 'platformatic' } : {}),
    ...(process.env['CHAOS_REBALANCE_PROTOCOL'] ? { rebalanceProtocol: process.env['CHAOS_REBALANCE_PROTOCOL'] as 'cooperative' | 'eager' } : {}),
    processingGuarantee: env('CHAOS_GUARANTEE') as 'exactly_once' | 'exactly_once_v2' | 'at_least_once',
    commitIntervalMs: Number(process.env['CHAOS_COMMIT_MS'] ?? 100),
    stateDir: env('CHAOS_STATE_DIR'),
    sessionTimeoutMs: sessionMs,
    heartbeatIntervalMs: Math.floor(sessionMs / 6),
    transactionTimeoutMs: 30_000,
    installSignalHandlers: true,
    uncaughtExceptionHandler: 'REPLACE_THREAD',
    clientId: `chaos-${runner}`,
    logger: (level, message) => {
      if (level !== 'debug') emit({ event: 'log', level, message });
    },
  });
  app.onStateChange((next, previous) => emit({ event: 'state', next, previous }));
  await app.start();
  const final = await app.done();
  emit({ event: 'exit', final, metrics: { ...app.metrics(), tasks: undefined } });
  process.exit(final === 'NOT_RUNNING' ? 0 : 1);
}

main().catch((error: unknown) => {
  emit({ event: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(2);
});
