import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { eventually } from '../test/support/eventually';
import {
  meetingWith,
  s3ObjectStore,
  startS3,
  startSfuRig,
  worldPipeline,
} from '../test/support/recording-rig';
import { recordingWorld } from '../test/support/recording-world';

/** CPU seconds of this process's waited-for children (ffmpeg, ffprobe), from /proc. */
function childrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the command name: cutime and cstime are fields 16 and 17 of stat (14 and 15 here).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** CPU seconds a live process has used (utime + stime). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export interface RecordingBenchResult {
  participants: number;
  meetingSeconds: number;
  stopToAvailableSeconds: number;
  /** The recorders' ffmpeg processes (codec copy into segments). */
  captureFfmpegCpuSeconds: number;
  /** The mediasoup worker while recording (ingest of the senders' RTP included: an upper bound). */
  captureWorkerCpuSeconds: number;
  /** This Node process while recording (controller, packet traces, uploads to S3). */
  captureNodeCpuSeconds: number;
  captureCpuPerParticipantMinute: number;
  /** ffprobe and ffmpeg of the pipeline, stop → available. */
  composeCpuSeconds: number;
  composeCpuPerParticipantMinute: number;
  fileBytes: number;
}

/**
 * The recording's whole cost, on the real parts: `participants` each publish a moving picture
 * (testsrc2 640x360, VP8) and a tone (Opus) from an ffmpeg sender into a real SFU; the meeting is
 * recorded by the SFU's recorders into S3Proxy for `seconds`, then composed by the pipeline.
 */
export async function benchRecording(options: {
  participants: number;
  seconds: number;
}): Promise<RecordingBenchResult> {
  const s3 = await startS3();
  const world = await recordingWorld({ realClock: true });
  const objects = s3ObjectStore(s3);
  const meetingId = 'bench-recording';
  const recordingId = 'rec_benchrecording';
  const sfu = await startSfuRig(world, meetingId, [47000, 47999]);
  const senders: ChildProcess[] = [];
  const pipeline = worldPipeline(world, objects);
  const capture = await sfu.startCapture(objects);
  try {
    await pipeline.start();
    const people = Array.from({ length: options.participants }, (_, i) => ({
      id: `p${i + 1}`,
      name: `Person ${i + 1}`,
    }));
    for (const p of people)
      senders.push(await sfu.publish(p.id, { kind: 'moving', seconds: options.seconds + 60 }));
    await meetingWith(world, meetingId, 'Bench', people);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const workerPid = sfu.pool.workers()[0]!.pid;
    const children0 = childrenCpuSeconds();
    const worker0 = processCpuSeconds(workerPid);
    const own0 = ownCpuSeconds();
    await world.act(meetingId, { type: 'StartRecording', recordingId });
    await eventually('every track being recorded', () => capture.controller.tracks() === 2 * people.length, {
      timeoutMs: 30_000,
    });
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    await world.act(meetingId, { type: 'StopRecording', recordingId });
    const stoppedAt = performance.now();
    const worker1 = processCpuSeconds(workerPid);
    const own1 = ownCpuSeconds();
    // The recorders end (and are reaped) first; the senders are still running, so not counted.
    await eventually('the recorders to end', () => capture.controller.tracks() === 0, { timeoutMs: 30_000 });
    const children1 = childrenCpuSeconds();
    await Promise.all(
      senders.map((s) => new Promise((resolve) => (s.once('exit', resolve), s.kill('SIGKILL')))),
    );
    const children2 = childrenCpuSeconds();
    const recordingOf = async () => (await world.commands.load(meetingId)).state.recordings[recordingId];
    await eventually(
      'the recording to be available',
      async () => {
        const r = await recordingOf();
        if (r?.status === 'failed') throw new Error(`recording failed: ${r.failure?.reason}`);
        return r?.status === 'available';
      },
      { timeoutMs: 20 * options.seconds * 1000, intervalMs: 100 },
    );
    const stopToAvailableSeconds = (performance.now() - stoppedAt) / 1000;
    const composeCpuSeconds = childrenCpuSeconds() - children2;
    const recording = (await recordingOf())!;
    const participantMinutes = (options.participants * options.seconds) / 60;
    const captureFfmpegCpuSeconds = children1 - children0;
    const captureWorkerCpuSeconds = worker1 - worker0;
    const captureNodeCpuSeconds = own1 - own0;
    return {
      participants: options.participants,
      meetingSeconds: options.seconds,
      stopToAvailableSeconds,
      captureFfmpegCpuSeconds,
      captureWorkerCpuSeconds,
      captureNodeCpuSeconds,
      captureCpuPerParticipantMinute:
        (captureFfmpegCpuSeconds + captureWorkerCpuSeconds + captureNodeCpuSeconds) / participantMinutes,
      composeCpuSeconds,
      composeCpuPerParticipantMinute: composeCpuSeconds / participantMinutes,
      fileBytes: recording.file?.sizeBytes ?? 0,
    };
  } finally {
    for (const s of senders) s.kill('SIGKILL');
    await pipeline.close();
    await capture.close();
    await sfu.close();
    await objects.close();
    await world.close();
    await s3.stop();
  }
}
