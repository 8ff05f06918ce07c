import { Command, InvalidArgumentError } from 'commander';
import { registerAudit } from './commands/audit';
import { registerAnalytics } from './commands/analytics';
import { registerLoadTest } from './commands/load-test';
import { registerRebuildProjections } from './commands/rebuild-projections';
import { registerToken } from './commands/token';
import { isConferError } from '../domain/shared/errors';
import { ConfigError } from './config';

/**
 * The operator CLI, `npx confer <command>` (bin/confer.mjs). Configuration comes from the same
 * environment variables as the server, so it acts on the same stores and signs with the same
 * secret. Each command lives in app/commands/ and registers itself here.
 */
const program = new Command('confer').description('Confer operator commands').exitOverride();
registerLoadTest(program);
registerRebuildProjections(program);
registerToken(program);
registerAudit(program);
registerAnalytics(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof InvalidArgumentError)
    process.stderr.write(`${error.message}\n`);
  else if (
    error instanceof Error &&
    'code' in error &&
    String((error as { code: unknown }).code).startsWith('commander.')
  ) {
    // commander has printed its usage or help; --help and --version are not failures
    const code = String((error as { code: unknown }).code);
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
      process.exit(0);
  } else if (isConferError(error)) process.stderr.write(`error: ${error.code}: ${error.message}\n`);
  else process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
