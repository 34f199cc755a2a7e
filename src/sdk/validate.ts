/** Argument checks made before anything reaches the VFS, with the errors Node's own APIs throw. */

export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new TypeError(`The "${name}" argument must be of type string. Received ${describe(value)}`);
  }
}

export function assertInteger(value: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`The "${name}" argument must be an integer. Received ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`The value of "${name}" is out of range. It must be >= ${min} and <= ${max}. Received ${value}`);
  }
}

export function assertFiniteNumber(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`The "${name}" argument must be a finite number. Received ${describe(value)}`);
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `type string ('${value.length > 20 ? value.slice(0, 20) + '…' : value}')`;
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `type ${typeof value} (${String(value)})`;
}

/** Bytes to write: Buffer, any typed array or DataView, or a string in `encoding`. */
export function toBuffer(data: unknown, encoding: BufferEncoding = 'utf8', name = 'data'): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, encoding);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(
    `The "${name}" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${describe(data)}`,
  );
}
