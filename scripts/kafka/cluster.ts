/**
 * A KRaft cluster of N combined broker+controller nodes on loopback, for tests of replication and
 * broker failures (`npm run broker -- --brokers 3`). Replication factor N (at most 3) for every
 * topic by default, `min.insync.replicas` 2, internal topics at the same factor. Each node is its own
 * JVM in its own process group (small heap: three JVMs share two cores here), so a node can be
 * SIGKILLed and restarted on its data dir and ports while the others keep the quorum.
 *
 *   format every node with one cluster id ─▶ launch all (the quorum needs a majority) ─▶
 *   poll until every node is in the metadata ─▶ kill(i) / restart(i) / leaders(topic) ─▶ stop()
 */
import '../../lib/kafka/kafkajs/aborted-filter.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  formatStorage,
  javaBin,
  jvmTuning,
  launch,
  pickPorts,
  probeReady,
  resolveKafkaJars,
  stopGroup,
  trackLive,
  untrackLive,
  type Launched,
} from '../kafka-broker.js';
import { kafkaClusterId, log4jProperties, serverProperties } from './config.js';
import { logTail } from './logs.js';
import { delay, DIR_PREFIX, OWNER_FILE, ownerOfSelf } from './processes.js';

export interface ClusterOptions {
  /** Nodes (each broker + controller). Default 3. */
  readonly brokers?: number;
  /** JVM heap per node in MB. Default 256. */
  readonly heapMb?: number;
  readonly readyTimeoutMs?: number;
  readonly extraProperties?: Readonly<Record<string, string>>;
  readonly log?: (message: string) => void;
}

export interface ClusterNode {
  readonly nodeId: number;
  readonly port: number;
  readonly dir: string;
  readonly alive: boolean;
}

export interface RunningCluster {
  /** Every node's `127.0.0.1:<port>`, comma-separated. */
  readonly bootstrapServers: string;
  readonly nodes: readonly ClusterNode[];
  readonly dir: string;
  readonly readyMs: number;
  /** SIGKILLs node `nodeId`'s process group (a crash, not a clean shutdown). */
  kill(nodeId: number): Promise<void>;
  /** Relaunches a killed node on its data dir and ports; resolves once it answers. */
  restart(nodeId: number, options?: { readonly readyTimeoutMs?: number }): Promise<{ readonly readyMs: number }>;
  /** Leader node id of each partition of `topic` (-1 when none), by partition. */
  leaders(topic: string): Promise<number[]>;
  /** Replica count of each partition of `topic`, by partition. */
  replicas(topic: string): Promise<number[]>;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<RunningCluster> {
  const started = Date.now();
  const n = options.brokers ?? 3;
  const log = options.log ?? (() => {});
  const libs = await resolveKafkaJars({});
  const java = javaBin();
  const heapMb = options.heapMb ?? 256;
  const rf = Math.min(3, n);
  const minIsr = Math.min(2, rf);
  const root = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(root, OWNER_FILE), JSON.stringify(ownerOfSelf()));
  const ports = await pickPorts(undefined, true, 2 * n);
  const clusterId = kafkaClusterId();
  const voters = Array.from({ length: n }, (_, i) => `${i + 1}@127.0.0.1:${ports[n + i]}`).join(',');
  const tuning = jvmTuning({});

  interface NodeState {
    nodeId: number;
    port: number;
    dir: string;
    running: Launched | undefined;
    pgid: number | undefined;
  }
  const nodes: NodeState[] = [];
  for (let i = 0; i < n; i++) {
    const nodeId = i + 1;
    const dir = join(root, `node-${nodeId}`);
    mkdirSync(dir);
    const port = ports[i]!;
    const props = serverProperties(dir, port, ports[n + i]!, {
      'node.id': String(nodeId),
      'controller.quorum.voters': voters,
      'default.replication.factor': String(rf),
      'min.insync.replicas': String(minIsr),
      'offsets.topic.replication.factor': String(rf),
      'offsets.topic.num.partitions': '3',
      'transaction.state.log.replication.factor': String(rf),
      'transaction.state.log.min.isr': String(minIsr),
      'transaction.state.log.num.partitions': '3',
      // Lean: two cores for three JVMs.
      'num.network.threads': '2',
      'num.io.threads': '2',
      'num.replica.fetchers': '1',
      'background.threads': '2',
      'log.cleaner.threads': '1',
      'replica.lag.time.max.ms': '10000',
      // Notice a dead node within seconds (defaults: 9 s session, 2 s heartbeat).
      'broker.session.timeout.ms': '4000',
      'broker.heartbeat.interval.ms': '1000',
      ...(options.extraProperties ?? {}),
    });
    writeFileSync(join(dir, 'server.properties'), props);
    writeFileSync(join(dir, 'log4j.properties'), log4jProperties(join(dir, 'server.log')));
    await formatStorage(java, libs, dir, join(dir, 'server.properties'), join(dir, 'log4j.properties'), [], clusterId);
    nodes.push({ nodeId, port, dir, running: undefined, pgid: undefined });
  }

  const start = (node: NodeState) => {
    node.running = launch(java, libs, node.dir, heapMb, tuning);
    node.pgid = node.running.child.pid;
    if (node.pgid === undefined) throw new Error(`could not spawn node ${node.nodeId}: ${logTail(node.dir)}`);
    trackLive(node.pgid, node.dir);
  };
  const kill = async (node: NodeState) => {
    if (node.running === undefined || node.pgid === undefined) return;
    await stopGroup(node.pgid, node.running.exited);
    untrackLive(node.pgid);
    node.running = undefined;
    node.pgid = undefined;
  };
  const bootstrap = nodes.map((x) => `127.0.0.1:${x.port}`).join(',');
  const waitReady = async (which: readonly NodeState[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (const node of which) {
      for (;;) {
        const probe = await probeReady(`127.0.0.1:${node.port}`, 3_000, node.nodeId);
        if (probe === true) break;
        if (Date.now() > deadline) throw new Error(`node ${node.nodeId} not ready after ${timeoutMs} ms (${probe})\n${logTail(node.dir)}`);
        await delay(200);
      }
    }
  };

  try {
    for (const node of nodes) start(node);
    log(`cluster of ${n} in ${root}: ${bootstrap}`);
    await waitReady(nodes, options.readyTimeoutMs ?? 180_000);
  } catch (err) {
    for (const node of nodes) await kill(node).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    throw err;
  }

  const metadataAdmin = new Kafka({ clientId: 'tributary-cluster', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8 } }).admin();
  let adminConnected = false;
  let stopped: Promise<void> | undefined;
  const byId = (nodeId: number): NodeState => {
    const node = nodes.find((x) => x.nodeId === nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    return node;
  };
  const partitions = async (topic: string) => {
    if (!adminConnected) {
      await metadataAdmin.connect();
      adminConnected = true;
    }
    const meta = await metadataAdmin.fetchTopicMetadata({ topics: [topic] });
    return (meta.topics[0]?.partitions ?? []).slice().sort((a, b) => a.partitionId - b.partitionId);
  };
  return {
    bootstrapServers: bootstrap,
    get nodes() {
      return nodes.map((x) => ({ nodeId: x.nodeId, port: x.port, dir: x.dir, alive: x.running !== undefined }));
    },
    dir: root,
    readyMs: Date.now() - started,
    kill: (nodeId) => kill(byId(nodeId)),
    restart: async (nodeId, restartOptions = {}) => {
      const node = byId(nodeId);
      if (node.running !== undefined) await kill(node);
      const t0 = Date.now();
      start(node);
      await waitReady([node], restartOptions.readyTimeoutMs ?? 120_000);
      return { readyMs: Date.now() - t0 };
    },
    leaders: async (topic) => (await partitions(topic)).map((p) => p.leader),
    replicas: async (topic) => (await partitions(topic)).map((p) => p.replicas.length),
    stop: () => {
      stopped ??= (async () => {
        if (adminConnected) await Promise.race([metadataAdmin.disconnect().catch(() => undefined), delay(2_000)]);
        for (const node of nodes) await kill(node);
        if (!process.env['TRIBUTARY_KEEP_BROKER_DIR']) await rm(root, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
