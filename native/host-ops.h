/*
 * A thread of the supervisor held to the sandbox's host policy. Calls the supervisor makes on
 * the host for a program (a symlink in /agent pointing at a host path, `..` climbing out of
 * /agent) run on this thread, so Landlock refuses them exactly as it would refuse the program:
 * the supervisor's own freedom never leaks to the sandbox.
 */
#ifndef AGENTOS_HOST_OPS_H
#define AGENTOS_HOST_OPS_H

#include <stddef.h>

#include "landlock.h"

struct host_ops;

/*
 * Starts the thread; with `policy` NULL it runs unrestricted (host writes allowed). Returns
 * NULL with a message in err when the thread or its restriction could not be set up.
 */
struct host_ops *host_ops_start(const struct host_policy *policy, char *err, size_t err_len);

/* Runs syscall `nr` with `args` on the thread and returns its result, or -errno. */
long host_ops_call(struct host_ops *ops, long nr, const long args[6]);

void host_ops_stop(struct host_ops *ops);

#endif
