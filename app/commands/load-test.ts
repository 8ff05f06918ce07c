import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { createTokenService } from '../../gateways/auth/tokens';
import { LoadTestArgumentError, parseLoadTestArgs, type LoadTestArgs } from '../../loadtest/options';
import { loadConfig } from '../config';
import { loadOrCreateSecret } from '../secret';

/**
 * `confer load-test`: real WebRTC clients (libwebrtc in Node, driven by mediasoup-client as the
 * web client drives it) join meetings through the public API, publish synthetic audio and video,
 * subscribe and chat; the report gives media, latency, errors by code, and both sides' CPU.
 */
export function registerLoadTest(program: Command): void {
  program
    .command('load-test')
    .description(
      'Load-test a Confer deployment with real WebRTC clients (loopback only unless --allow-remote)',
    )
    .option('--url <url>', 'Confer base URL (default http://127.0.0.1:3000)')
    .option('--meetings <n>', 'meetings to create (default 1)')
    .option('--publishers <n>', 'publishers per meeting: audio + video (default 1)')
    .option('--subscribers <n>', 'subscribers per meeting: receive everything (default 2)')
    .option(
      '--decoders <n>',
      'subscribers per meeting that decode video (latency, first frame); the rest receive without decoding, as lk load-test does (default 8)',
    )
    .option(
      '--threads <n>',
      'threads beside the main one for the subscribers that do not decode, one core each (default 0)',
    )
    .option('--duration <time>', 'how long the test runs, joins included: 30s, 2m (default 30s)')
    .option('--resolution <size>', 'low (320x180), medium (640x360), high (1280x720) or WxH (default low)')
    .option('--simulcast', 'publish three simulcast layers, as the web client does (default)')
    .option('--no-simulcast', 'publish one layer')
    .option('--audio-only', 'publishers send audio only')
    .option('--speakers <n>', 'publishers per meeting talking at a time, in turns of 3 s (default 1)')
    .option('--chat-rate <n>', 'chat messages per second per meeting (default 1; 0 for none)')
    .option('--join-rate <n>', 'clients joining per second, all meetings together (default 5)')
    .option('--json', 'print the report as JSON')
    .option('--allow-remote', 'allow a target that is not on loopback')
    .option(
      '--operator-token <token>',
      'operator credential for /metrics (default: $CONFER_OPERATOR_TOKEN, or minted with AUTH_SECRET / DATA_DIR)',
    )
    .action(async (raw: LoadTestArgs) => {
      let options;
      try {
        options = parseLoadTestArgs(raw);
      } catch (error) {
        if (error instanceof LoadTestArgumentError) throw new InvalidArgumentError(error.message);
        throw error;
      }
      // Whatever happens on the wire, the tester ends: a bound well past the run and its cleanup.
      const watchdog = setTimeout(() => {
        process.stderr.write('error: the load test did not finish in time; giving up\n');
        process.exit(1);
      }, options.duration + 60_000);
      try {
        // libwebrtc and mediasoup-client load only when a test runs: other commands stay quick.
        const { runLoadTest } = await import('../../loadtest/run');
        const { formatReport } = await import('../../loadtest/report-table');
        const report = await runLoadTest(options, {
          operatorToken:
            options.operatorToken ?? process.env['CONFER_OPERATOR_TOKEN'] ?? (await mintOperatorToken()),
          log: (line) => process.stderr.write(`${line}\n`),
        });
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
        // libwebrtc's threads keep Node alive: leave once the report is out.
        await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
        process.exit(report.clients.joined > 0 ? 0 : 1);
      } catch (error) {
        clearTimeout(watchdog);
        if (error instanceof LoadTestArgumentError) throw new InvalidArgumentError(error.message);
        throw error;
      }
    });
}

/**
 * An operator credential for the server's /metrics, when this machine has the deployment's secret
 * (AUTH_SECRET, or the one generated into DATA_DIR). Never creates a secret: without one, the
 * server's figures come from /proc (local) or are reported missing.
 */
async function mintOperatorToken(): Promise<string | undefined> {
  try {
    const config = loadConfig(process.env);
    if (!config.AUTH_SECRET && !existsSync(join(config.DATA_DIR, 'secret'))) return undefined;
    const secret = loadOrCreateSecret(config.DATA_DIR, config.AUTH_SECRET);
    const tokens = createTokenService({ secret, participantTtlSeconds: config.TOKEN_TTL_SECONDS });
    return await tokens.issueCredential({ role: 'operator', ttlSeconds: 3600 });
  } catch {
    return undefined;
  }
}
