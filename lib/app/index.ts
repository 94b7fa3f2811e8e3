/**
 * The application object (`TributaryApp`): a topology running as one member of a Kafka consumer
 * group, exactly-once by default, with state, rebalancing, fencing, recovery and graceful shutdown.
 */
export {
  TributaryApp,
  type AppState,
  type AppStateListener,
  type AppMetrics,
  type AppProgress,
  type TaskProgress,
  type CloseOptions,
} from './tributary-app.js';
export { groupLag } from './lag.js';
export type { CommitLatencyWindow } from '../runtime/commit-latency.js';
export { configFromProperties, type TributaryAppConfig, type UncaughtExceptionHandler, type UncaughtExceptionResponse } from './config.js';
export {
  loadClientProperties,
  parseClientProperties,
  SASL_PASSWORD_ENV,
  SASL_USERNAME_ENV,
  type ClientProperties,
  type ClientPropertiesOptions,
} from './client-properties.js';
