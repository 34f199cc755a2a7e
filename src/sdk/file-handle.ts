/** An open file of the agent filesystem, shaped like Node's fs/promises FileHandle. */
import { fsError } from '../errors.js';
import { AgentOSError } from '../errors.js';
import { O_APPEND, isDirectory } from '../vfs/constants.js';
import { isReadable, isWritable } from '../vfs/open.js';
import { MAX_TRANSACTION_BYTES, type Vfs } from '../vfs/vfs.js';
import type { Caller } from '../vfs/context.js';
import { Stats } from './stats.js';
import { assertInteger, toBuffer } from './validate.js';

let nextHandleId = 1000;

/** The most readFile() returns at once: Node's own limit for fs.readFile (2 GiB - 1). */
export const MAX_WHOLE_READ = 2 ** 31 - 1;

/** A file too large to return as one Buffer is EFBIG, before any memory is taken for it. */
export function checkWholeRead(size: number, path: string): void {
  if (size <= MAX_WHOLE_READ) return;
  throw new AgentOSError('EFBIG', {
    syscall: 'read',
    path,
    message: `file too large to read at once (${size} bytes; at most ${MAX_WHOLE_READ}): open it and read it in parts`,
  });
}

export interface ReadResult<T extends ArrayBufferView = Buffer> {
  bytesRead: number;
  buffer: T;
}

export interface WriteResult<T = Buffer | string> {
  bytesWritten: number;
  buffer: T;
}

export class FileHandle {
  /** A process-unique number identifying this handle (not a kernel descriptor). */
  readonly fd: number;
  readonly path: string;
  readonly #vfs: Vfs;
  readonly #ino: number;
  readonly #flags: number;
  readonly #caller: Caller;
  #position = 0;
  #closed = false;

  /** @internal Use `agent.fs.open()`. */
  constructor(vfs: Vfs, ino: number, flags: number, path: string, caller: Caller) {
    this.#vfs = vfs;
    this.#ino = ino;
    this.#flags = flags;
    this.path = path;
    this.#caller = caller;
    this.fd = nextHandleId++;
    vfs.retain(ino);
  }

  /**
   * Reads into `buffer` at `offset`, `length` bytes from `position` (or from the current
   * position, which then advances, when position is null or omitted).
   * @example const { bytesRead } = await handle.read(Buffer.alloc(100), 0, 100, 0);
   */
  async read<T extends ArrayBufferView = Buffer>(
    buffer?: T | { buffer?: T; offset?: number; length?: number; position?: number | null },
    offset?: number,
    length?: number,
    position?: number | null,
  ): Promise<ReadResult<T>> {
    this.#assertOpen('read');
    let target: ArrayBufferView;
    if (buffer !== undefined && !ArrayBuffer.isView(buffer)) {
      target = buffer.buffer ?? Buffer.alloc(16384);
      ({ offset, length, position } = buffer);
    } else {
      target = buffer ?? Buffer.alloc(16384);
    }
    offset ??= 0;
    length ??= target.byteLength - offset;
    assertInteger(offset, 'offset', 0, target.byteLength);
    assertInteger(length, 'length', 0, target.byteLength - offset);
    if (position !== null && position !== undefined) assertInteger(position, 'position');
    if (!isReadable(this.#flags)) throw fsError('EBADF', 'read', this.path);
    const inode = this.#vfs.inode(this.#ino);
    if (inode && isDirectory(inode.mode)) throw fsError('EISDIR', 'read', this.path);
    const at = position ?? this.#position;
    const data = this.#vfs.read(this.#ino, at, length);
    Buffer.from(target.buffer, target.byteOffset, target.byteLength).set(data, offset);
    if (position === null || position === undefined) this.#position = at + data.length;
    return { bytesRead: data.length, buffer: target as T };
  }

  /**
   * Writes a buffer (`offset`, `length` within it, at file `position`) or a string (at
   * `position`, in `encoding`). In append mode every write goes to the end of the file.
   * @example await handle.write('hello', 0);
   */
  async write(
    data: string | ArrayBufferView,
    offsetOrPosition?: number | null,
    lengthOrEncoding?: number | BufferEncoding,
    position?: number | null,
  ): Promise<WriteResult> {
    this.#assertOpen('write');
    let bytes: Buffer;
    let at: number | null | undefined;
    if (typeof data === 'string') {
      bytes = toBuffer(data, typeof lengthOrEncoding === 'string' ? lengthOrEncoding : 'utf8');
      at = offsetOrPosition;
    } else {
      const all = toBuffer(data);
      const offset = offsetOrPosition ?? 0;
      assertInteger(offset, 'offset', 0, all.length);
      const length = typeof lengthOrEncoding === 'number' ? lengthOrEncoding : all.length - offset;
      assertInteger(length, 'length', 0, all.length - offset);
      bytes = all.subarray(offset, offset + length);
      at = position;
    }
    if (at !== null && at !== undefined) assertInteger(at, 'position');
    if (!isWritable(this.#flags)) throw fsError('EBADF', 'write', this.path);
    const append = (this.#flags & O_APPEND) !== 0;
    const start = append ? this.#appendBytes(bytes) : (at ?? this.#position);
    if (!append) this.#vfs.write(this.#ino, start, bytes);
    // As pwrite(2) and write(2) do: a write at an explicit position never moves the file
    // position, even in append mode (Linux appends it anyway); an append of nothing leaves it.
    if ((at === null || at === undefined) && !(append && bytes.length === 0))
      this.#position = start + bytes.length;
    return { bytesWritten: bytes.length, buffer: typeof data === 'string' ? data : bytes };
  }

  /**
   * O_APPEND: finding the end and writing there is one transaction, so appends from other
   * handles and processes cannot land in between and be overwritten. Returns where it wrote.
   */
  #appendBytes(bytes: Buffer): number {
    const append = () => {
      const end = this.#vfs.inode(this.#ino)?.size ?? 0;
      this.#vfs.write(this.#ino, end, bytes);
      return end;
    };
    // Beyond one bounded transaction, atomicity gives way to bounded memory (vfs.write splits).
    return bytes.length <= MAX_TRANSACTION_BYTES ? this.#vfs.conn.write(append) : append();
  }

  /** @example const { size } = await handle.stat(); */
  async stat(): Promise<Stats> {
    this.#assertOpen('fstat');
    const inode = this.#vfs.inode(this.#ino);
    if (!inode) throw fsError('EBADF', 'fstat', this.path);
    return new Stats(inode, this.#vfs.chunkSize);
  }

  /** @example await handle.truncate(10); */
  async truncate(length = 0): Promise<void> {
    this.#assertOpen('ftruncate');
    assertInteger(length, 'len');
    if (!isWritable(this.#flags)) throw fsError('EINVAL', 'ftruncate', this.path);
    this.#vfs.truncateInode(this.#ino, length, this.#caller, this.path);
  }

  /** Makes everything written so far durable on disk. @example await handle.sync(); */
  async sync(): Promise<void> {
    this.#assertOpen('fsync');
    this.#vfs.conn.syncToDisk();
  }

  /** @example await handle.datasync(); */
  async datasync(): Promise<void> {
    await this.sync();
  }

  /** The whole content from the start. @example const text = await handle.readFile('utf8'); */
  async readFile(): Promise<Buffer>;
  async readFile(encoding: BufferEncoding | { encoding: BufferEncoding }): Promise<string>;
  async readFile(encoding?: BufferEncoding | { encoding?: BufferEncoding }): Promise<Buffer | string>;
  async readFile(encoding?: BufferEncoding | { encoding?: BufferEncoding }): Promise<Buffer | string> {
    this.#assertOpen('read');
    if (!isReadable(this.#flags)) throw fsError('EBADF', 'read', this.path);
    const size = this.#vfs.inode(this.#ino)?.size ?? 0;
    checkWholeRead(size, this.path);
    const data = this.#vfs.read(this.#ino, 0, size);
    const enc = typeof encoding === 'string' ? encoding : encoding?.encoding;
    return enc ? data.toString(enc) : data;
  }

  /** Replaces the whole content. @example await handle.writeFile('new content'); */
  async writeFile(data: string | ArrayBufferView, encoding: BufferEncoding = 'utf8'): Promise<void> {
    this.#assertOpen('write');
    if (!isWritable(this.#flags)) throw fsError('EBADF', 'write', this.path);
    const bytes = toBuffer(data, encoding);
    this.#vfs.conn.write(() => {
      this.#vfs.truncateInode(this.#ino, 0, this.#caller, this.path);
      this.#vfs.write(this.#ino, 0, bytes);
    });
    this.#position = bytes.length;
  }

  /** Closes the handle; an unlinked file is deleted at its last close. @example await handle.close(); */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#vfs.release(this.#ino);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(syscall: string): void {
    if (this.#closed) throw fsError('EBADF', syscall, this.path);
  }
}
