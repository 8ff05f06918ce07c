import { ConfigError, loadConfig } from './config';
import { startConfer } from './compose';
import { createMediaFromConfig } from './media';

/** Entry point of `npm start`: parse the configuration, start, stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const confer = await startConfer(config, { media: createMediaFromConfig });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    confer.logger.info({ signal }, 'stopping');
    confer.close().then(
      () => process.exit(0),
      (error: unknown) => {
        confer.logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Confer failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
