import { createGateway } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createSimulator } from './simulator/index.js';

// Process entry: configuration, demo mode, signals. Everything else is in app.ts.
let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = createLogger(config.logLevel);

const demo = !config.upstreamUrl;
const simulator = demo ? await createSimulator({ host: '127.0.0.1' }) : undefined;
if (simulator) {
  config = { ...config, upstreamUrl: simulator.url, upstreamApiKey: config.upstreamApiKey ?? 'demo-key' };
  logger.warn({ upstream: simulator.url }, 'Demo mode: UPSTREAM_URL is not set, so the embedded simulator answers; every task id progresses to SUCCESS in about a minute (ids containing "fail" fail).');
}

const gateway = createGateway({ config, logger, demo });
const url = await gateway.start();
logger.info({ url: `${url}/graphql` }, `Gateway ready: GraphQL at ${url}/graphql${config.graphiql ? ' (open it in a browser for GraphiQL)' : ''}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down');
    void gateway
      .stop()
      .then(() => simulator?.dispose())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      });
  });
}
