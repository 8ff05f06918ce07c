import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Makes sure the servers that tests start do not outlive the test process.
 *
 * Two layers:
 *  - a `process.on('exit')` hook signals every live child at once when the
 *    test process ends normally;
 *  - a tiny bash "reaper" side process holds the read end of a pipe from us.
 *    When the test process dies in *any* way (SIGKILL from a test runner's
 *    timeout included, where no JS runs), the pipe closes, and the reaper
 *    signals what is still registered, escalates to SIGKILL and deletes the
 *    temp dirs.
 */

const processes = new Map<number, NodeJS.Signals>();
const dirs = new Set<string>();
let reaper: ChildProcess | undefined;
let installed = false;

// Ignores Ctrl-C (the children get it themselves and shut down), reads
// registrations until EOF, then cleans up what is left.
const REAPER_SCRIPT = String.raw`
trap '' INT TERM HUP
declare -A pids=() dirs=()
while read -r op pid_or_dir sig; do
  case "$op" in
    +pid) pids[$pid_or_dir]=$sig ;;
    -pid) unset "pids[$pid_or_dir]" ;;
    +dir) dirs[$pid_or_dir]=1 ;;
    -dir) unset "dirs[$pid_or_dir]" ;;
  esac
done
if [ "\${#pids[@]}" -gt 0 ]; then
  for pid in "\${!pids[@]}"; do kill -s "\${pids[$pid]}" "$pid" 2>/dev/null; done
  for _ in {1..20}; do
    alive=0
    for pid in "\${!pids[@]}"; do
      # Orphans stay zombies until init reaps them: a zombie counts as gone.
      state=Z
      [ -r "/proc/$pid/stat" ] && read -r _ _ state _ <"/proc/$pid/stat" 2>/dev/null
      [ "$state" != Z ] && alive=1
    done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "\${!pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  sleep 0.2
fi
for dir in "\${!dirs[@]}"; do rm -rf -- "$dir"; done
`.replaceAll('\\$', '$');

function startReaper(): ChildProcess | undefined {
  try {
    // detached: its own process group, so that a kill of the test runner's
    // whole group (CI timeout) leaves it alive to clean up.
    const child = spawn('bash', ['-c', REAPER_SCRIPT], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    child.on('error', () => (reaper = undefined));
    // Neither the reaper nor its pipe may keep the test process alive.
    child.unref();
    const stdin = child.stdin;
    if (stdin !== null && 'unref' in stdin && typeof stdin.unref === 'function') stdin.unref();
    stdin?.on('error', () => (reaper = undefined));
    return child;
  } catch {
    return undefined;
  }
}

function tell(line: string): void {
  if (reaper?.stdin?.writable === true) reaper.stdin.write(`${line}\n`);
}

/** Synchronous: runs in the 'exit' event, where no more I/O completes. */
function onExit(): void {
  const haveReaper = reaper?.stdin?.writable === true;
  for (const [pid, signal] of processes) {
    try {
      // Without a reaper there is nobody to escalate later: kill outright.
      process.kill(pid, haveReaper ? signal : 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (haveReaper) return; // it deletes the dirs once the processes are gone
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
}

function install(): void {
  if (installed) return;
  installed = true;
  reaper = startReaper();
  process.on('exit', onExit);
}

/**
 * Registers a child to be sent `signal` if the test process ends while it
 * runs (SIGKILL follows if it is still there 2 s later). Returns the function that unregisters it.
 */
export function trackProcess(pid: number, signal: NodeJS.Signals): () => void {
  install();
  processes.set(pid, signal);
  tell(`+pid ${pid} ${signal.replace(/^SIG/, '')}`);
  return () => {
    if (!processes.delete(pid)) return;
    tell(`-pid ${pid}`);
  };
}

/** Registers a temp dir to be deleted when the test process ends. Returns the
 * function that unregisters it (call it after deleting the dir yourself). */
export function trackDir(dir: string): () => void {
  if (/\s/.test(dir)) throw new Error(`trackDir: paths with spaces are not supported: ${dir}`);
  install();
  dirs.add(dir);
  tell(`+dir ${dir}`);
  return () => {
    if (!dirs.delete(dir)) return;
    tell(`-dir ${dir}`);
  };
}
