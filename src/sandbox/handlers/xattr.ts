/**
 * Extended attributes on /agent files, stored in the database: set/get/list/removexattr with
 * their l* (no symlink following), f* (on a descriptor) and *xattrat (Linux 6.13) forms.
 */
import { fsError } from '../../errors.js';
import { XATTR_LIST_MAX, XATTR_NAME_MAX, XATTR_SIZE_MAX } from '../../vfs/xattr.js';
import type { Call } from '../call.js';
import { AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW } from '../at-flags.js';
import { resolveTarget, type Target } from '../target.js';

type Op = 'set' | 'get' | 'list' | 'remove';

interface Layout {
  op: Op;
  target: (call: Call) => Target;
  /** Argument holding the name (set, get, remove). */
  name?: number;
  /** Where the value or list buffer and its size are: plain arguments, or a struct xattr_args. */
  buffer: { value: number; size: number } | { args: number; argsSize: number } | undefined;
  flags?: number;
}

const follow = (call: Call) => resolveTarget(call, 0, 'follow', false);
const nofollow = (call: Call) => resolveTarget(call, 0, 'nofollow', false);
const byFd = (call: Call) => resolveTarget(call, 0, 'follow', true);
const at = (call: Call) => {
  const flags = call.int(2);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw fsError('EINVAL', call.name);
  return resolveTarget(
    call,
    0,
    flags & AT_SYMLINK_NOFOLLOW ? 'nofollow' : 'follow',
    (flags & AT_EMPTY_PATH) !== 0,
  );
};

const LAYOUTS: Record<string, Layout> = {
  setxattr: { op: 'set', target: follow, name: 1, buffer: { value: 2, size: 3 }, flags: 4 },
  lsetxattr: { op: 'set', target: nofollow, name: 1, buffer: { value: 2, size: 3 }, flags: 4 },
  fsetxattr: { op: 'set', target: byFd, name: 1, buffer: { value: 2, size: 3 }, flags: 4 },
  getxattr: { op: 'get', target: follow, name: 1, buffer: { value: 2, size: 3 } },
  lgetxattr: { op: 'get', target: nofollow, name: 1, buffer: { value: 2, size: 3 } },
  fgetxattr: { op: 'get', target: byFd, name: 1, buffer: { value: 2, size: 3 } },
  listxattr: { op: 'list', target: follow, buffer: { value: 1, size: 2 } },
  llistxattr: { op: 'list', target: nofollow, buffer: { value: 1, size: 2 } },
  flistxattr: { op: 'list', target: byFd, buffer: { value: 1, size: 2 } },
  removexattr: { op: 'remove', target: follow, name: 1, buffer: undefined },
  lremovexattr: { op: 'remove', target: nofollow, name: 1, buffer: undefined },
  fremovexattr: { op: 'remove', target: byFd, name: 1, buffer: undefined },
  setxattrat: { op: 'set', target: at, name: 3, buffer: { args: 4, argsSize: 5 } },
  getxattrat: { op: 'get', target: at, name: 3, buffer: { args: 4, argsSize: 5 } },
  listxattrat: { op: 'list', target: at, buffer: { value: 3, size: 4 } },
  removexattrat: { op: 'remove', target: at, name: 3, buffer: undefined },
};

const XATTR_ARGS_SIZE = 16;

export function handleXattr(call: Call): void {
  const layout = LAYOUTS[call.name];
  const t = layout.target(call);
  if (t.kind === 'host') return call.continue();
  const { vfs } = call.ctx;
  const name = layout.name === undefined ? '' : readName(call, layout.name);
  const { address, size, flags } = buffer(call, layout);
  switch (layout.op) {
    case 'set': {
      if (size > XATTR_SIZE_MAX) throw fsError('E2BIG', call.name);
      const value = size > 0 ? call.readMemory(address, size) : Buffer.alloc(0);
      vfs.setXattr(t.inode.ino, name, value, flags, call.caller(), t.path);
      return call.reply();
    }
    case 'get':
      return replyBuffer(call, vfs.getXattr(t.inode.ino, name, call.caller(), t.path), address, size);
    case 'list': {
      const names = vfs.listXattrs(t.inode.ino, t.path);
      const list = Buffer.from(names.map((n) => `${n}\0`).join(''), 'utf8');
      if (list.length > XATTR_LIST_MAX) throw fsError('E2BIG', call.name);
      return replyBuffer(call, list, address, size);
    }
    case 'remove':
      vfs.removeXattr(t.inode.ino, name, call.caller(), t.path);
      return call.reply();
  }
}

function readName(call: Call, arg: number): string {
  try {
    return call.readString(arg, XATTR_NAME_MAX + 1);
  } catch (e) {
    throw (e as { code?: string }).code === 'ENAMETOOLONG' ? fsError('ERANGE', call.name) : e;
  }
}

/** Where the value goes or comes from; *xattrat passes it in a struct xattr_args. */
function buffer(call: Call, layout: Layout): { address: bigint; size: number; flags: number } {
  const b = layout.buffer;
  if (!b) return { address: 0n, size: 0, flags: 0 };
  if ('value' in b)
    return {
      address: call.ptr(b.value),
      size: call.long(b.size),
      flags: layout.flags === undefined ? 0 : call.int(layout.flags),
    };
  if (call.long(b.argsSize) < XATTR_ARGS_SIZE) throw fsError('EINVAL', call.name);
  const args = call.readMemory(call.ptr(b.args), XATTR_ARGS_SIZE);
  return { address: args.readBigUInt64LE(0), size: args.readUInt32LE(8), flags: args.readUInt32LE(12) };
}

/** The getxattr/listxattr convention: size 0 asks for the length; too small a buffer is ERANGE. */
function replyBuffer(call: Call, data: Buffer, address: bigint, size: number): void {
  if (size === 0) return call.reply(data.length);
  if (size < data.length) throw fsError('ERANGE', call.name);
  call.write(address, data);
  call.reply(data.length);
}
