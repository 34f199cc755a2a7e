/* Reading and writing another process's memory (process_vm_readv/writev). */
#ifndef AGENTOS_CHILD_MEMORY_H
#define AGENTOS_CHILD_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Reads a NUL-terminated string of at most `cap - 1` bytes at `addr` into `buf`, page by page
 * so that a string ending just before an unmapped page still reads. Returns its length, or
 * -ENAMETOOLONG when no NUL is found within the limit, or -errno (EFAULT for a bad address).
 */
ssize_t child_read_string(pid_t pid, uint64_t addr, char *buf, size_t cap);

/* Reads exactly `len` bytes. Returns 0 or -errno. */
int child_read(pid_t pid, uint64_t addr, void *buf, size_t len);

/* Writes exactly `len` bytes. Returns 0 or -errno. */
int child_write(pid_t pid, uint64_t addr, const void *buf, size_t len);

#endif
