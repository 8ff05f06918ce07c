import { InvalidArgumentError, type Command } from 'commander';
import pino from 'pino';
import { allProjections, createProjectionRunner, rebuild } from '../../projections';
import { createRebuildProgressBar } from '../../projections/rebuild-progress';
import { createEventStore, createProjectionStore } from '../adapters';
import { loadConfig } from '../config';

/** `confer rebuild-projections [--projection roster]`: read models rebuilt from position zero. */
export function registerRebuildProjections(program: Command): void {
  program
    .command('rebuild-projections')
    .description('Rebuild read models from position zero of the event store (stop the server first)')
    .option('-p, --projection <name...>', 'only these projections (default: all)')
    .action(async (options: { projection?: string[] }) => {
      const config = loadConfig(process.env);
      const logger = pino({ level: config.LOG_LEVEL });
      const known = allProjections();
      const unknown = (options.projection ?? []).filter((name) => !known.some((p) => p.name === name));
      if (unknown.length > 0) {
        throw new InvalidArgumentError(
          `--projection: unknown ${unknown.join(', ')} (known: ${known.map((p) => p.name).join(', ')})`,
        );
      }
      const projections = options.projection
        ? known.filter((p) => options.projection!.includes(p.name))
        : known;
      const store = await createEventStore(config);
      const projectionStore = await createProjectionStore(config);
      try {
        const head = await store.headPosition();
        const bar = createRebuildProgressBar(head);
        const result = await rebuild({
          store: projectionStore,
          projections,
          head,
          readAll: (after, maxCount) => store.readAll({ after, maxCount }),
          onProgress: (done, total) => bar.update(done, total),
          logger,
        });
        bar.stop();
        const status = await createProjectionRunner({ store: projectionStore, projections }).status();
        process.stdout.write(
          `${JSON.stringify({ rebuilt: projections.map((p) => p.name), events: result.events, position: result.position, status })}\n`,
        );
      } finally {
        await projectionStore.close();
        await store.close();
      }
    });
}
