/** What an import or export did, for its summary line. */
export interface TransferCounts {
  directories: number;
  files: number;
  symlinks: number;
  /** Extra names of a file already copied (hard links), recreated as links. */
  hardLinks: number;
  bytes: number;
  /** Relative paths of FIFOs, sockets and devices, which are not copied. */
  skipped: string[];
}

export function emptyCounts(): TransferCounts {
  return { directories: 0, files: 0, symlinks: 0, hardLinks: 0, bytes: 0, skipped: [] };
}

export function describeCounts(c: TransferCounts): string {
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const parts = [
    plural(c.files, 'file', 'files'),
    plural(c.directories, 'directory', 'directories'),
    plural(c.symlinks, 'symlink', 'symlinks'),
  ];
  if (c.hardLinks > 0) parts.push(plural(c.hardLinks, 'hard link', 'hard links'));
  return `${parts.join(', ')} (${plural(c.bytes, 'byte', 'bytes')})`;
}
