/**
 * close, and the calls that close a descriptor on the way (dup2/dup3 onto it, close_range):
 * closing a file written through the descriptor is a durability point. Its content (up to
 * 64 KiB), or the record that it is pending in the cache (larger files), is committed before
 * the call returns, so what a program closed survives even if agentos is killed right after.
 * The close itself then runs in the kernel.
 *
 * Content past the quota makes close fail with EDQUOT (the descriptor stays open, as a failed
 * flush leaves it on some filesystems); dup2, dup3 and close_range drop such errors, as
 * Linux's dup2 drops the errors of the close it does.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import type { Call } from '../call.js';

const CLOSE_RANGE_CLOEXEC = 1 << 2;

export function handleClose(call: Call): void {
  let mustCommit = false;
  for (const link of closingLinks(call)) {
    const id = call.ctx.backing.identify(link);
    if (id?.kind === 'file' && call.ctx.backing.syncForClose(id.ino, call.name === 'close'))
      mustCommit = true;
  }
  if (mustCommit) call.ctx.commit();
  call.continue();
}

/** Where the descriptors this call closes point (readlink of /proc/<tid>/fd/N). */
function closingLinks(call: Call): string[] {
  if (call.name === 'close_range') return rangeLinks(call);
  // dup2(fd, fd) and dup3 onto the same descriptor close nothing.
  if (call.name !== 'close' && call.int(0) === call.int(1)) return [];
  return call.ev.fdLink === null ? [] : [call.ev.fdLink.toString('utf8')];
}

function rangeLinks(call: Call): string[] {
  if (call.int(2) & CLOSE_RANGE_CLOEXEC) return [];
  const first = Number(BigInt.asUintN(32, call.ev.args[0]));
  const last = Number(BigInt.asUintN(32, call.ev.args[1]));
  const dir = `/proc/${call.pid}/fd`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const links: string[] = [];
  for (const name of names) {
    const fd = Number(name);
    if (fd < first || fd > last) continue;
    try {
      links.push(readlinkSync(`${dir}/${name}`));
    } catch {
      // Closed meanwhile by another thread: nothing left to sync.
    }
  }
  return links;
}
