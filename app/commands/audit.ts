import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { StoredEvent } from '../../domain/shared/envelope';
import { ConferError } from '../../domain/shared/errors';
import { createSystemClock } from '../../infra/clock/system-clock';
import { sha256Hex } from '../../infra/event-store/hash-chain';
import { createAuditService } from '../../pipelines/audit/audit-service';
import { auditStream, type AuditVerdict } from '../../pipelines/audit/chain-audit';
import { createAuditSigner, parsePublicKey } from '../../pipelines/audit/checkpoint-signer';
import { parseExport } from '../../pipelines/audit/export-format';
import { parseInstant } from '../../pipelines/audit/instant';
import { replay } from '../../pipelines/audit/replay';
import { stateAtView, type StateAt } from '../../pipelines/audit/state-view';
import { outlineOf, targetRevision } from '../../pipelines/audit/target-revision';
import { describeEvent, learnNames, newNameBook } from '../../pipelines/audit/timeline';
import { createEventStore } from '../adapters';
import { findAuditKey } from '../audit-key';
import { loadConfig } from '../config';

const MEETING_ID = /^[A-Za-z0-9_-]{6,64}$/;
const meetingIdArg = (v: string) => {
  if (!MEETING_ID.test(v)) throw new InvalidArgumentError('not a meeting id');
  return v;
};

/**
 * `confer audit verify <meetingId>` (the deployment's store and key, from the environment),
 * `confer audit verify --file export.ndjson --public-key key` (offline: no server, no store), and
 * `confer audit replay <meetingId> --at <time|revision> [--follow]`. Exit codes: 0 intact,
 * 1 verification failed, 2 bad input.
 */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description("Replay and verify meetings' history (auditors)");

  audit
    .command('verify')
    .description("Recompute a meeting's hash chain and check its signed checkpoints")
    .argument('[meetingId]', "the meeting to verify in the deployment's event store", meetingIdArg)
    .option('-f, --file <export.ndjson>', 'verify an export offline instead (needs --public-key)')
    .option(
      '-k, --public-key <file>',
      'the audit public key: PEM, or the JWK from /.well-known/confer-audit-key',
    )
    .option('--json', 'print the verdict as JSON')
    .action(
      async (
        meetingId: string | undefined,
        options: { file?: string; publicKey?: string; json?: boolean },
      ) => {
        let verdict: AuditVerdict;
        let subject: string;
        if (options.file) {
          if (meetingId) throw new InvalidArgumentError('give a meeting id or --file, not both');
          if (!options.publicKey) throw new InvalidArgumentError('--public-key: required with --file');
          const publicKey = readPublicKey(options.publicKey);
          const parsed = parseExport(readText(options.file, '--file'));
          verdict = auditStream(parsed.events, sha256Hex, publicKey, parsed.checkpoints);
          subject = `export of meeting ${parsed.header.meetingId}`;
        } else {
          if (!meetingId) throw new InvalidArgumentError('give a meeting id, or --file with --public-key');
          const config = loadConfig(process.env);
          const own = options.publicKey ? undefined : findAuditKey(config.DATA_DIR, config.AUDIT_SIGNING_KEY);
          if (!options.publicKey && !own)
            throw new InvalidArgumentError(
              `--public-key: required, since neither AUDIT_SIGNING_KEY nor ${config.DATA_DIR}/audit-signing-key.pem exists`,
            );
          const publicKey = own ? createAuditSigner(own).publicKey : readPublicKey(options.publicKey!);
          const store = await createEventStore(config);
          try {
            const signer = { publicKey, keyId: '' };
            verdict = await createAuditService({
              store,
              clock: createSystemClock(),
              hashFn: sha256Hex,
              ...signer,
            }).verify(meetingId);
          } finally {
            await store.close();
          }
          subject = `meeting ${meetingId}`;
        }
        if (options.json) process.stdout.write(`${JSON.stringify(verdict)}\n`);
        else process.stdout.write(`${describeVerdict(subject, verdict)}\n`);
        process.exitCode = verdict.intact ? 0 : 1;
      },
    );

  audit
    .command('replay')
    .description('Print the meeting as it stood at an instant; --follow steps through its history')
    .argument('<meetingId>', 'the meeting', meetingIdArg)
    .option('-a, --at <time|revision>', 'an ISO-8601 time or a stream revision (default: the head)')
    .option('--follow', 'print every event from --at (or the start) to the head, with the state after it')
    .option('--json', 'print JSON (with --follow: one object per line)')
    .action(async (meetingId: string, options: { at?: string; follow?: boolean; json?: boolean }) => {
      const config = loadConfig(process.env);
      const instant = parseInstant(options.at, '--at');
      const store = await createEventStore(config);
      try {
        const events = await store.readStream(`meeting-${meetingId}`);
        const head = events.length - 1;
        const revision = targetRevision(instant, outlineOf(events), Date.now());
        if (!options.follow) {
          const view = stateAtView(meetingId, replay(events, revision), head, options.at ?? null);
          process.stdout.write(options.json ? `${JSON.stringify(view)}\n` : `${describeState(view)}\n`);
          return;
        }
        follow(meetingId, events, options.at ? revision : 0, Boolean(options.json));
      } finally {
        await store.close();
      }
    });
}

function follow(meetingId: string, events: StoredEvent[], from: number, json: boolean): void {
  const names = newNameBook();
  let replayed = replay(events, from - 1);
  for (const event of events) {
    learnNames(names, event);
    if (event.streamRevision < from) continue;
    replayed = replay([event], event.streamRevision, replayed);
    const entry = describeEvent(event, names);
    if (json) {
      const view = stateAtView(meetingId, replayed, events.length - 1, String(event.streamRevision));
      process.stdout.write(`${JSON.stringify({ entry, state: view })}\n`);
    } else {
      const s = replayed.state;
      const waiting = Object.values(s.participants).filter((p) => p.status === 'waiting').length;
      process.stdout.write(
        `#${entry.revision} ${entry.at}  ${entry.summary}   [${s.status}, ${s.joinedCount} in, ${waiting} waiting, ${s.chatCount} chats]\n`,
      );
    }
  }
}

function readText(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`${option}: cannot read ${path} (${(error as Error).message})`);
  }
}

function readPublicKey(path: string) {
  try {
    return parsePublicKey(readText(path, '--public-key'));
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    throw new ConferError(
      'CONFER_AUDIT_KEY_INVALID',
      `--public-key: ${path} is not an Ed25519 public key (PEM or JWK)`,
      '--public-key',
    );
  }
}

function describeVerdict(subject: string, v: AuditVerdict): string {
  const signed = v.checkpoints.latest
    ? `latest signed checkpoint: revision ${v.checkpoints.latest.revision} at ${v.checkpoints.latest.signedAt} (key ${v.checkpoints.latest.keyId})`
    : 'no signed checkpoint';
  if (v.intact)
    return `INTACT: ${subject}, ${v.events} events, head revision ${v.head?.revision ?? '-'} ${v.head?.hash ?? ''}\n${v.checkpoints.verified}/${v.checkpoints.count} checkpoints hold; ${signed}`;
  return `BROKEN: ${subject} fails at revision ${v.brokenAt} (${v.reason}); ${v.events} events; last good revision ${v.head?.revision ?? 'none'}\n${v.checkpoints.verified}/${v.checkpoints.count} checkpoints hold; ${signed}`;
}

function describeState(view: StateAt): string {
  const person = (p: StateAt['roster'][number]) =>
    `  ${p.displayName} (${p.role}) ${p.connection.status}${p.connection.node ? `@${p.connection.node}` : ''} mic:${p.media.audio ? 'on' : 'off'} cam:${p.media.video ? 'on' : 'off'}${p.media.screen ? ' sharing' : ''}${p.handRaised ? ' ✋' : ''}`;
  return [
    `${view.title} [${view.status}] at revision ${view.revision} of ${view.headRevision} (${view.occurredAt ?? '-'})`,
    `in the meeting (${view.roster.length}):`,
    ...view.roster.map(person),
    `waiting (${view.waitingRoom.length}):`,
    ...view.waitingRoom.map(person),
    `departed: ${view.departed.map((p) => `${p.displayName} (${p.status})`).join(', ') || '-'}`,
    `chat: ${view.chat.count} messages${view.chat.recent.length ? `, last: ${view.chat.recent[view.chat.recent.length - 1]!.senderName}: ${view.chat.recent[view.chat.recent.length - 1]!.content}` : ''}`,
  ].join('\n');
}
