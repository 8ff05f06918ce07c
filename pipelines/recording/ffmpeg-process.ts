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
 * A media file's first timestamp and its length (seconds), from its packets: the first pts, and
 * the furthest pts + duration. Not the container's `duration`: a Matroska segment written with
 * `-reset_timestamps 0` (as the recorder writes them) says there where it ends on the track's
 * timeline, not how long it is, so reading it as a length put every later segment's end twice
 * its start too far and hid the gaps between tracks (a recording node's crash, issue 12).
 */
export async function probeTimes(
  ffprobe: string,
  path: string,
  signal?: AbortSignal,
): Promise<{ startSeconds: number; durationSeconds: number }> {
  const out = await runFfmpeg(
    ffprobe,
    ['-v', 'error', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', path],
    signal ? { signal } : {},
  );
  let start = Infinity;
  let end = -Infinity;
  for (const line of out.split('\n')) {
    // "N/A" or an empty field is not a time (Number('') would read as 0).
    const [pts, duration] = line.split(',').map((field) => (/\d/.test(field) ? Number(field) : NaN));
    if (pts === undefined || !Number.isFinite(pts)) continue;
    start = Math.min(start, pts);
    end = Math.max(end, pts + (Number.isFinite(duration) ? duration! : 0));
  }
  if (!Number.isFinite(start)) throw new FfmpegError(`${path}: no timed packets (not a media file?)`);
  return { startSeconds: start, durationSeconds: end - start };
}
