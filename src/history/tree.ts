/**
 * A whole agent filesystem as a map from path to inode, read in one query (diff and restore
 * compare two of them path by path).
 */
import type { InodeRecord } from '../store/fs-store.js';
import { HistoryStore, type EntryRow } from '../store/history-store.js';
import type { StoreConnection } from '../store/connection.js';
import { ROOT_INO } from '../store/schema.js';
import { isDirectory, isSymlink } from '../vfs/constants.js';

export interface TreeNode {
  path: string;
  inode: InodeRecord;
  /** The target of a symlink. */
  target?: string;
}

/** Every path of the filesystem (the root is '/'), read inside the caller's transaction if any. */
export function loadTree(conn: StoreConnection): Map<string, TreeNode> {
  return conn.read(() => {
    const store = new HistoryStore(conn);
    const root = store.inode(ROOT_INO);
    const entries = store.entries();
    const targets = store.symlinks();
    const children = new Map<number, EntryRow[]>();
    for (const e of entries) {
      let list = children.get(e.parentIno);
      if (!list) children.set(e.parentIno, (list = []));
      list.push(e);
    }
    const tree = new Map<string, TreeNode>();
    if (!root) return tree;
    tree.set('/', { path: '/', inode: root });
    const visited = new Set<number>([ROOT_INO]);
    const stack: { ino: number; path: string }[] = [{ ino: ROOT_INO, path: '' }];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      for (const e of children.get(dir.ino) ?? []) {
        const path = `${dir.path}/${e.name}`;
        const node: TreeNode = { path, inode: e };
        if (isSymlink(e.mode)) node.target = targets.get(e.ino) ?? '';
        tree.set(path, node);
        // A directory has one entry; a second one (a damaged database) is not walked twice.
        if (isDirectory(e.mode) && !visited.has(e.ino)) {
          visited.add(e.ino);
          stack.push({ ino: e.ino, path });
        }
      }
    }
    return tree;
  });
}

/** Path order: component by component, so a directory's contents follow it directly. */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Whether `path` is `prefix` or inside it. */
export function isWithin(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}
