import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createLocalObjectStore } from '../infra/object-store/local-files';
import { runRecordingJob } from '../pipelines/recording/recording-job';
import { recordingWorld, storeSyntheticTrack } from '../test/support/recording-world';

/** CPU seconds of this process's waited-for children (ffmpeg, ffprobe), from /proc. */
function childrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the command name: cutime and cstime are fields 16 and 17 of stat (14 and 15 here).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

export interface RecordingBenchResult {
  participants: number;
  meetingSeconds: number;
  stopToAvailableSeconds: number;
  composeCpuSeconds: number;
  composeCpuPerParticipantMinute: number;
  /** Baseline, same run: one participant's camera re-encoded alone to 1280x720 H.264 (no grid, no mix). */
  baselineSingleEncodeCpuPerMinute: number;
  fileBytes: number;
}

/**
 * The recording pipeline's cost: a meeting of `participants` (camera + microphone each, stored
 * as the SFU's recorder stores them) recorded for `seconds`, from stop to RecordingAvailable.
 */
export async function benchRecording(options: {
  participants: number;
  seconds: number;
}): Promise<RecordingBenchResult> {
  const world = await recordingWorld();
  const objects = createLocalObjectStore({
    root: join(world.dir, 'objects'),
    signDownload: (k) => `http://x/${k}`,
  });
  try {
    const meetingId = 'bench-recording';
    const recordingId = 'rec_benchrecording';
    const settings = {
      muteOnEntry: false,
      videoOffOnEntry: false,
      waitingRoom: false,
      maxParticipants: 10,
      passcodeDigest: null,
    };
    await world.act(meetingId, {
      type: 'CreateMeeting',
      meetingId,
      title: 'Bench',
      startTime: null,
      hostUserId: null,
      settings,
    });
    const names = Array.from({ length: options.participants }, (_, i) => `p${i + 1}`);
    for (const p of names)
      await world.act(meetingId, {
        type: 'JoinMeeting',
        participantId: p,
        displayName: p.toUpperCase(),
        userId: null,
        passcodeDigest: null,
        audioEnabled: true,
        videoEnabled: true,
      });
    const startMs = world.clock.ms();
    await world.act(meetingId, { type: 'StartRecording', recordingId });
    for (const [i, p] of names.entries())
      for (const kind of ['video', 'audio'] as const)
        await storeSyntheticTrack(world, objects, {
          meetingId,
          recordingId,
          trackId: `${p}-${kind}`,
          participantId: p,
          kind,
          source: kind === 'video' ? 'camera' : 'microphone',
          seconds: options.seconds,
          offsetMs: 200 + i * 100,
          recordingStartMs: startMs,
          ...(kind === 'video' ? { lavfi: `testsrc2=s=640x360:r=30:d=${options.seconds}` } : {}),
        });
    world.clock.advance(options.seconds * 1000);
    await world.act(meetingId, { type: 'StopRecording', recordingId });

    const cpuBefore = childrenCpuSeconds();
    const started = performance.now();
    await runRecordingJob(
      {
        meetingId,
        recordingId,
        stage: 'queued',
        fraction: 0,
        attempts: 0,
        updatedAt: new Date().toISOString(),
      },
      {
        store: world.store,
        commands: world.commands,
        objects,
        projections: world.projections,
        clock: world.clock,
        logger: world.logger,
        workRoot: join(world.dir, 'work'),
        ffmpeg: 'ffmpeg',
        ffprobe: 'ffprobe',
        retry: { attempts: 3, firstDelayMs: 100, maxDelayMs: 1000 },
        settleMs: 0,
      },
    );
    const stopToAvailableSeconds = (performance.now() - started) / 1000;
    const composeCpuSeconds = childrenCpuSeconds() - cpuBefore;
    const recording = (await world.commands.load(meetingId)).state.recordings[recordingId];
    if (recording?.status !== 'available')
      throw new Error(`recording ended ${recording?.status}: ${recording?.failure?.reason}`);

    const baseBefore = childrenCpuSeconds();
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=640x360:r=30:d=${options.seconds}`,
      '-vf',
      'scale=1280:720',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-f',
      'null',
      '-',
    ]);
    const baseline = childrenCpuSeconds() - baseBefore;
    const minutes = options.seconds / 60;
    return {
      participants: options.participants,
      meetingSeconds: options.seconds,
      stopToAvailableSeconds,
      composeCpuSeconds,
      composeCpuPerParticipantMinute: composeCpuSeconds / (options.participants * minutes),
      baselineSingleEncodeCpuPerMinute: baseline / minutes,
      fileBytes: recording.file?.sizeBytes ?? 0,
    };
  } finally {
    await objects.close();
    await world.close();
  }
}
