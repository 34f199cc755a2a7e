/**
 * Access checks with the mode bits, as the kernel makes them: root passes read and write
 * checks, and execute checks when any execute bit is set (or the inode is a directory); other
 * users are checked against the owner, group or other bits, never a combination.
 */
import { fsError } from '../errors.js';
import { R_OK, W_OK, X_OK, S_ISVTX, isDirectory } from './constants.js';
import type { InodeRecord } from '../store/fs-store.js';

export interface Credentials {
  uid: number;
  gid: number;
  /** Supplementary groups. */
  groups: readonly number[];
}

export function processCredentials(): Credentials {
  return {
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    groups: process.getgroups?.() ?? [],
  };
}

export const ROOT: Credentials = { uid: 0, gid: 0, groups: [] };

export function inGroup(cred: Credentials, gid: number): boolean {
  return cred.gid === gid || cred.groups.includes(gid);
}

/** Whether `cred` may access `inode` for `want` (a mask of R_OK, W_OK, X_OK). */
export function mayAccess(
  inode: Pick<InodeRecord, 'mode' | 'uid' | 'gid'>,
  want: number,
  cred: Credentials,
): boolean {
  if (want === 0) return true;
  if (cred.uid === 0) {
    if ((want & X_OK) === 0) return true;
    return isDirectory(inode.mode) || (inode.mode & 0o111) !== 0;
  }
  let bits: number;
  if (cred.uid === inode.uid) bits = (inode.mode >> 6) & 7;
  else if (inGroup(cred, inode.gid)) bits = (inode.mode >> 3) & 7;
  else bits = inode.mode & 7;
  return (bits & want) === want;
}

export function requireAccess(
  inode: Pick<InodeRecord, 'mode' | 'uid' | 'gid'>,
  want: number,
  cred: Credentials,
  syscall: string,
  path: string,
): void {
  if (!mayAccess(inode, want, cred)) throw fsError('EACCES', syscall, path);
}

/** Write and search permission on a directory whose entries are being added or removed. */
export function requireDirectoryWrite(
  dir: InodeRecord,
  cred: Credentials,
  syscall: string,
  path: string,
): void {
  requireAccess(dir, W_OK | X_OK, cred, syscall, path);
}

/** In a sticky directory only the owner of the entry or of the directory (or root) may remove it. */
export function requireStickyPermission(
  dir: InodeRecord,
  victim: InodeRecord,
  cred: Credentials,
  syscall: string,
  path: string,
): void {
  if ((dir.mode & S_ISVTX) === 0 || cred.uid === 0) return;
  if (cred.uid === victim.uid || cred.uid === dir.uid) return;
  throw fsError('EPERM', syscall, path);
}

export function isOwnerOrRoot(inode: InodeRecord, cred: Credentials): boolean {
  return cred.uid === 0 || cred.uid === inode.uid;
}

export { R_OK, W_OK, X_OK };
