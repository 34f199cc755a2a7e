/*
 * The syscalls the sandbox traps, and where each keeps its path, dirfd and fd arguments.
 * x86_64 only: the filter rejects every other ABI.
 */
#ifndef AGENTOS_SYSCALL_TABLE_H
#define AGENTOS_SYSCALL_TABLE_H

#include <stdint.h>

#define NO_ARG (-1)

enum route {
    ROUTE_NONE = 0,
    ROUTE_NOTIFY, /* answered by the supervisor through seccomp user notification */
    ROUTE_TRACE,  /* needs its arguments rewritten: execve, execveat, chdir (ptrace) */
    ROUTE_DENY,   /* refused outright (io_uring bypasses seccomp) */
    ROUTE_CREDS,  /* changes credentials or umask: continued at once, invalidates cached process facts */
};

/* One path argument: the path and the dirfd it is relative to (NO_ARG means AT_FDCWD). */
struct path_arg {
    int8_t dirfd_arg;
    int8_t path_arg;
};

struct syscall_info {
    int nr;
    const char *name;
    enum route kind;
    struct path_arg paths[2];
    /* An fd the call acts on (fstat, fchmod, getdents64...), or NO_ARG. */
    int8_t fd_arg;
    /* Argument holding AT_* flags, for AT_EMPTY_PATH (the call then acts on the dirfd). */
    int8_t flags_arg;
    /* The path may be NULL to mean the dirfd itself (utimensat, futimesat). */
    uint8_t path_may_be_null;
};

/* The entry for `nr`, or NULL when the syscall is not trapped. */
const struct syscall_info *syscall_lookup(int nr);

/* Every trapped syscall, terminated by an entry with nr < 0. */
extern const struct syscall_info syscall_table[];

#endif
