import { createGateway } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { captureConsole, createProcessLogger } from './logger.js';
import { createSimulator } from './simulator/index.js';
import { createTracing } from './tracing.js';

// Process entry: configuration, logs, tracing, demo mode, signals. Everything else is in app.ts.
let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), msg: error.message })}\n`);
  process.exit(1);
}
const logger = await createProcessLogger(config.logLevel, config.logFormat, config.production);
captureConsole(logger);
const tracing = await createTracing(config, logger);

const demo = !config.upstreamUrl;
const simulator = demo ? await createSimulator({ host: '127.0.0.1' }) : undefined;
if (simulator) {
  // The demo key spends nothing: creating with it is allowed.
  config = { ...config, upstreamUrl: simulator.url, upstreamApiKey: config.upstreamApiKey ?? 'demo-key', allowDefaultKeyCreate: true };
  logger.warn({ upstream: simulator.url }, 'Demo mode: UPSTREAM_URL is not set, so the embedded simulator answers; every task id progresses to SUCCESS in about a minute (ids containing "fail" fail).');
}

// Fleet mode only: the Redis client is loaded (dynamically) when REDIS_URL is set, never otherwise.
const fleet = config.redisUrl
  ? await (await import('./fleet/index.js')).createFleet({ url: config.redisUrl, prefix: config.fleetPrefix, leaseTtlMs: config.leaseTtlMs, finalTaskTtlMs: config.finalTaskTtlMs, logger })
  : undefined;
const gateway = createGateway({ config, logger, demo, tracing, fleet });
const url = await gateway.start();
logger.info({ url: `${url}/graphql` }, `Gateway ready: GraphQL at ${url}/graphql${config.graphiql ? ' (open it in a browser for GraphiQL)' : ''}`);

// A repeated signal is ignored: Ctrl-C under `npm start` reaches the gateway twice (from the
// terminal and forwarded by npm), and must not cut the shutdown short.
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down');
    gateway
      .stop()
      .then(() => simulator?.dispose())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      });
  });
}
