/** A progress bar for long transfers: on stderr, and only when stderr is a terminal. */
import cliProgress from 'cli-progress';

export interface Progress {
  tick(): void;
  stop(): void;
}

const SILENT: Progress = { tick: () => undefined, stop: () => undefined };

/** Pipes and log files get no bar: its redraws would be noise in them. */
export function startProgress(label: string, total: number): Progress {
  if (!process.stderr.isTTY || total === 0) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% {value}/{total} entries`,
      stream: process.stderr,
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
