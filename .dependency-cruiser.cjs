// The area boundaries of lib/, checked by dependency-cruiser (`npm run lint:imports`, CI).
// Layers, bottom to top; an area may import its own layer and the ones below, never above:
//   0  lib/errors.ts, lib/util, lib/kafka, lib/serde      (the seam, bytes, names)
//   1  lib/state, lib/topology, lib/time                  (stores, processor graph, clocks)
//   2  lib/dsl                                            (KStream/KTable → topology)
//   3  lib/runtime                                        (tasks, threads, commits)
//   4  lib/connectors, lib/testing                        (sinks; the test driver)
//   5  lib/app, lib/observability                         (the application object and its views)
//   6  lib/cli                                            (commands; may run topologies/)
// lib/index.ts is the public door and may import anything in lib. Nothing in lib imports test/,
// bench/ or scripts/. Third-party code stays in its adapter (docs/shared style rule 3).
const LAYERS = [
  ['errors\\.ts', 'util', 'kafka', 'serde'],
  ['state', 'topology', 'time'],
  ['dsl'],
  ['runtime'],
  ['connectors', 'testing'],
  ['app', 'observability'],
  ['cli'],
];
const area = (names) => `^lib/(${names.join('|')})(/|$)`;

// Known crossings that predate the rule, allowed one by one: `from` (files in `layer`) may reach `to`
// and nothing else above its layer.
const ALLOWED = [
  // Serdes for windowed keys reuse the window store's binary key layout.
  { layer: 0, from: '^lib/serde/(serdes|windowed-serde)\\.ts$', to: '^lib/state/' },
  // The processor context type names the runtime's commit-participant contract.
  { layer: 1, from: '^lib/topology/processor\\.ts$', to: '^lib/runtime/' },
  // The event-time clock reads the DSL's window-close registry.
  { layer: 1, from: '^lib/time/event-time\\.ts$', to: '^lib/dsl/' },
  // The runtime's table of external-source feeds loads the Delta feed lazily (only for a topology that reads a Delta table).
  { layer: 3, from: '^lib/runtime/external-sources\\.ts$', to: '^lib/connectors/delta/source-feed\\.ts$' },
];

const above = (i) => area(LAYERS.slice(i + 1).flat());
const layerRules = LAYERS.slice(0, -1).map((names, i) => ({
  name: `layer-${i}-imports-above`,
  comment: `${names.join(', ')} (layer ${i}) must not import a higher layer: move the shared piece down or invert the dependency with an interface`,
  severity: 'error',
  from: { path: area(names), pathNot: ALLOWED.filter((a) => a.layer === i).map((a) => a.from) },
  to: { path: above(i) },
}));
const allowedRules = ALLOWED.map((a) => ({
  name: `layer-${a.layer}-imports-above`,
  comment: `${a.from} may reach ${a.to} (a known crossing) but nothing else above layer ${a.layer}`,
  severity: 'error',
  from: { path: a.from },
  to: { path: above(a.layer), pathNot: a.to },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    ...allowedRules,
    {
      name: 'lib-imports-tests-or-benches',
      comment: 'library code must not depend on test/, bench/ or scripts/',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'kafkajs-outside-its-adapter',
      comment: 'kafkajs is imported only by lib/kafka/kafkajs/ (the seam is lib/kafka/types.ts)',
      severity: 'error',
      from: { path: '^lib/', pathNot: '^lib/kafka/kafkajs/' },
      to: { path: 'node_modules/kafkajs/' },
    },
    {
      name: 'platformatic-outside-its-adapter',
      comment: '@platformatic/kafka is imported only by lib/kafka/platformatic/ (the seam is lib/kafka/types.ts)',
      severity: 'error',
      from: { path: '^lib/', pathNot: '^lib/kafka/platformatic/' },
      to: { path: 'node_modules/@platformatic/' },
    },
    {
      name: 'level-outside-state',
      comment: 'classic-level is imported only by lib/state/',
      severity: 'error',
      from: { path: '^lib/', pathNot: '^lib/state/' },
      to: { path: 'node_modules/classic-level/' },
    },
    {
      name: 'arrow-parquet-outside-delta',
      comment: 'parquet-wasm and apache-arrow are imported only by lib/connectors/delta/',
      severity: 'error',
      from: { path: '^lib/', pathNot: '^lib/connectors/delta/' },
      to: { path: 'node_modules/(parquet-wasm|apache-arrow)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
