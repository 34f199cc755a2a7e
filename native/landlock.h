/*
 * The host policy, enforced by Landlock: sandboxed programs may read the whole host but
 * create, change or remove files only beneath the writable paths. Used by the exec helper
 * (for the command) and by the supervisor's host-operation thread (for calls it performs on
 * the host on a program's behalf), so both are held to the same rules by the kernel.
 */
#ifndef AGENTOS_LANDLOCK_H
#define AGENTOS_LANDLOCK_H

#include <stddef.h>

struct host_policy {
    const char *const *writable; /* absolute paths: directories (with all beneath) or files */
    size_t writable_count;
    /* Also keep programs from connecting to abstract unix sockets outside the sandbox. */
    int isolate_abstract_sockets;
};

/* The Landlock ABI version the kernel offers (1 and up), or -errno (ENOSYS, EOPNOTSUPP). */
int landlock_abi(void);

/*
 * Restricts the calling thread (and what it later starts) to the policy; sets no_new_privs
 * for the thread as Landlock requires. Returns 0, or -errno with a message in err.
 */
int landlock_restrict(const struct host_policy *policy, char *err, size_t err_len);

#endif
