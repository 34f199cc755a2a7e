/**
 * Argument checks made before anything reaches the VFS, with the errors Node's own APIs throw:
 * a TypeError or RangeError carrying Node's `code` (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE,
 * ERR_INVALID_ARG_VALUE), so callers (and the CLI, which answers them as EINVAL) can tell a bad
 * argument from a failure.
 */

export type ArgumentErrorCode = 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE' | 'ERR_OUT_OF_RANGE';

/** A value of the wrong type. */
export function argTypeError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' as ArgumentErrorCode });
}

/** A value of the right type that is not acceptable. */
export function argRangeError(
  message: string,
  code: ArgumentErrorCode = 'ERR_INVALID_ARG_VALUE',
): RangeError {
  return Object.assign(new RangeError(message), { code });
}

/** Whether `e` is one of the argument errors above (or Node's own, e.g. an unknown encoding). */
export function isArgumentError(e: unknown): e is TypeError & { code: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    (e instanceof TypeError || e instanceof RangeError) &&
    typeof code === 'string' &&
    /^ERR_(INVALID_ARG_TYPE|INVALID_ARG_VALUE|OUT_OF_RANGE|UNKNOWN_ENCODING)$/.test(code)
  );
}

export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') {
    throw argTypeError(`The "${name}" argument must be of type string. Received ${describe(value)}`);
  }
}

export function assertInteger(
  value: unknown,
  name: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw argTypeError(`The "${name}" argument must be an integer. Received ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw argRangeError(
      `The value of "${name}" is out of range. It must be >= ${min} and <= ${max}. Received ${value}`,
      'ERR_OUT_OF_RANGE',
    );
  }
}

export function assertFiniteNumber(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw argTypeError(`The "${name}" argument must be a finite number. Received ${describe(value)}`);
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return `type string ('${value.length > 20 ? value.slice(0, 20) + '…' : value}')`;
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `type ${typeof value} (${String(value)})`;
}

/** Bytes to write: Buffer, any typed array or DataView, or a string in `encoding`. */
export function toBuffer(data: unknown, encoding: BufferEncoding = 'utf8', name = 'data'): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, encoding);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw argTypeError(
    `The "${name}" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${describe(data)}`,
  );
}

export function assertBoolean(value: unknown, name: string): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw argTypeError(`The "${name}" argument must be of type boolean. Received ${describe(value)}`);
  }
}

/** An options argument: undefined, null or a plain object (or, where `also` says so, a string or number). */
export function assertOptions(value: unknown, name = 'options', also: ('string' | 'number')[] = []): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'object' && !Array.isArray(value)) return;
  if ((also as string[]).includes(typeof value)) return;
  const kinds = ['an object', ...also.map((k) => `a ${k}`)].join(' or ');
  throw argTypeError(`The "${name}" argument must be ${kinds}. Received ${describe(value)}`);
}
