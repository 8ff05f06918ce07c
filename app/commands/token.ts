import { InvalidArgumentError, Option, type Command } from 'commander';
import { createTokenService, type CredentialRole } from '../../gateways/auth/tokens';
import { MEETING_ID_PATTERN as MEETING_ID } from '../../protocol/ids';
import { loadConfig } from '../config';
import { loadOrCreateSecret } from '../secret';
import { parseTtl } from '../ttl';

/**
 * `confer token create --role auditor|analyst|operator|user [--meeting id] [--user id] [--ttl 1h]`:
 * prints the token alone on stdout (so `TOKEN=$(npx confer token create …)` works), signed with
 * the deployment's AUTH_SECRET (or the secret generated into DATA_DIR).
 */
export function registerToken(program: Command): void {
  const token = program
    .command('token')
    .description('Credentials for operators, users, auditors and analysts');
  token
    .command('create')
    .description('Mint a credential and print it alone on stdout')
    .addOption(
      new Option('-r, --role <role>', 'what the credential may do')
        .choices(['auditor', 'analyst', 'operator', 'user'])
        .makeOptionMandatory(),
    )
    .option(
      '-m, --meeting <meetingId>',
      'auditor/analyst: only this meeting (default: every meeting)',
      (v) => {
        if (!MEETING_ID.test(v)) throw new InvalidArgumentError('not a meeting id');
        return v;
      },
    )
    .option('-u, --user <userId>', 'user: whose meetings it may list')
    .option('-t, --ttl <duration>', 'lifetime: 90s, 15m, 1h, 7d', parseTtl, 3600)
    .option('--json', 'print {token, role, meetingId, expiresAt} as JSON')
    .action(
      async (options: {
        role: CredentialRole;
        meeting?: string;
        user?: string;
        ttl: number;
        json?: boolean;
      }) => {
        if (options.role === 'user' && !options.user)
          throw new InvalidArgumentError('--user: required with --role user');
        if (options.meeting && options.role !== 'auditor' && options.role !== 'analyst')
          throw new InvalidArgumentError('--meeting: only for --role auditor or analyst');
        const config = loadConfig(process.env);
        const secret = loadOrCreateSecret(config.DATA_DIR, config.AUTH_SECRET);
        const tokens = createTokenService({ secret, participantTtlSeconds: config.TOKEN_TTL_SECONDS });
        const value = await tokens.issueCredential({
          role: options.role,
          ttlSeconds: options.ttl,
          ...(options.meeting ? { meetingId: options.meeting } : {}),
          ...(options.user ? { userId: options.user } : {}),
        });
        if (options.json) {
          const expiresAt = new Date(Date.now() + options.ttl * 1000).toISOString();
          process.stdout.write(
            `${JSON.stringify({ token: value, role: options.role, meetingId: options.meeting ?? null, expiresAt })}\n`,
          );
        } else process.stdout.write(`${value}\n`);
      },
    );
}
