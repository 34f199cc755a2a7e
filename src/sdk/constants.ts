/** The numeric constants SDK users pass (open flags, access modes, rename flags), as in Node's fs.constants. */
import * as c from '../vfs/constants.js';

export const constants = Object.freeze({
  O_RDONLY: c.O_RDONLY,
  O_WRONLY: c.O_WRONLY,
  O_RDWR: c.O_RDWR,
  O_CREAT: c.O_CREAT,
  O_EXCL: c.O_EXCL,
  O_TRUNC: c.O_TRUNC,
  O_APPEND: c.O_APPEND,
  O_DIRECTORY: c.O_DIRECTORY,
  O_NOFOLLOW: c.O_NOFOLLOW,
  F_OK: c.F_OK,
  R_OK: c.R_OK,
  W_OK: c.W_OK,
  X_OK: c.X_OK,
  COPYFILE_EXCL: 1,
  RENAME_NOREPLACE: c.RENAME_NOREPLACE,
  RENAME_EXCHANGE: c.RENAME_EXCHANGE,
  S_IFMT: c.S_IFMT,
  S_IFREG: c.S_IFREG,
  S_IFDIR: c.S_IFDIR,
  S_IFLNK: c.S_IFLNK,
});
