import { spawn } from 'node:child_process';

/** ffmpeg or ffprobe ended badly: the reason, with the end of what it said. */
export class FfmpegError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegError';
  }
}

/** The job was stopped from outside (shutdown, lost lease): not a failure of the recording. */
export class JobAborted extends Error {
  constructor() {
    super('The recording job was stopped before it finished');
    this.name = 'JobAborted';
  }
}

/**
 * Runs ffmpeg/ffprobe to completion: stdout collected (or fed line by line to `onLine`), the last
 * lines of stderr kept for the error. A missing binary, a non-zero exit or a signal is an
 * FfmpegError naming the cause; an abort kills the process and is a JobAborted.
 */
export function runFfmpeg(
  binary: string,
  args: readonly string[],
  options: { signal?: AbortSignal; onLine?: (line: string) => void } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new JobAborted());
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let pending = '';
    let stderr = '';
    const abort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', abort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!options.onLine) {
        stdout += chunk;
        return;
      }
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', abort);
      reject(
        new FfmpegError(
          error.code === 'ENOENT'
            ? `${binary} is not installed (not found on PATH)`
            : `${binary}: ${error.message}`,
        ),
      );
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', abort);
      if (options.signal?.aborted) return reject(new JobAborted());
      if (code === 0) return resolve(stdout);
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      reject(
        new FfmpegError(
          `${binary} ${signal ? `was killed (${signal})` : `exited with ${code}`}${tail ? `: ${tail}` : ''}`,
        ),
      );
    });
  });
}

/**
 * A media file's start (the container's start time) and its length (seconds): from that start to
 * the furthest packet's pts + duration. Not the container's `duration`: a Matroska segment written
 * with `-reset_timestamps 0` (as the recorder writes them) says there where it ends on the track's
 * timeline, not how long it is, so reading it as a length put every later segment's end too late
 * by its start and hid the gaps between tracks (a recording node's crash, issue 12).
 */
export async function probeTimes(
  ffprobe: string,
  path: string,
  signal?: AbortSignal,
): Promise<{ startSeconds: number; durationSeconds: number }> {
  const out = await runFfmpeg(
    ffprobe,
    [
      ...['-v', 'error', '-show_entries', 'format=start_time:packet=pts_time,duration_time'],
      ...['-of', 'json', path],
    ],
    signal ? { signal } : {},
  );
  const probed = JSON.parse(out) as {
    format?: { start_time?: string };
    packets?: { pts_time?: string; duration_time?: string }[];
  };
  const startSeconds = Number(probed.format?.start_time ?? 'NaN');
  if (!Number.isFinite(startSeconds)) throw new FfmpegError(`${path}: no start time (not a media file?)`);
  let end = startSeconds;
  for (const packet of probed.packets ?? []) {
    const pts = Number(packet.pts_time ?? 'NaN');
    const duration = Number(packet.duration_time ?? '0');
    if (Number.isFinite(pts)) end = Math.max(end, pts + (Number.isFinite(duration) ? duration : 0));
  }
  return { startSeconds, durationSeconds: end - startSeconds };
}
