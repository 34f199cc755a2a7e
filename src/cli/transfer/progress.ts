/** A progress bar for long transfers: on stderr, and only when stderr is a terminal. */
import cliProgress from 'cli-progress';
import { STDERR_TTY_ENV } from '../supervisor.js';

export interface Progress {
  tick(): void;
  stop(): void;
}

const SILENT: Progress = { tick: () => undefined, stop: () => undefined };

/**
 * Where to draw: stderr when it is a terminal. Under the supervisor (supervisor.ts) stderr is a
 * pipe to the parent, whose stderr is the terminal; the parent says so, with its width.
 */
function terminal(): NodeJS.WritableStream | undefined {
  if (process.stderr.isTTY) return process.stderr;
  const columns = Number(process.env[STDERR_TTY_ENV]);
  if (!columns) return undefined;
  // All cli-progress needs of a stream: write, isTTY and columns.
  const stream = { isTTY: true, columns, write: (text: string) => process.stderr.write(text) };
  return stream as unknown as NodeJS.WritableStream;
}

/** Pipes and log files get no bar: its redraws would be noise in them. */
export function startProgress(label: string, total: number): Progress {
  const stream = terminal();
  if (!stream || total === 0) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% {value}/{total} entries`,
      stream,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 100,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    tick: () => bar.increment(),
    stop: () => bar.stop(),
  };
}
