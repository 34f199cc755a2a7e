/* The seccomp filter installed by the exec helper, built from the syscall table. */
#ifndef AGENTOS_FILTER_H
#define AGENTOS_FILTER_H

#include <linux/filter.h>
#include <stddef.h>

#define FILTER_MAX_INSNS 512

struct filter_options {
    /* execve/execveat/chdir go to the ptrace tracer; without one they are notified instead. */
    int traced;
    /* socket() for internet and raw packet families fails with EACCES. */
    int deny_network;
    /* ioctls that set inode flags (chattr) fail with EACCES: the host policy's Landlock gap. */
    int deny_flag_ioctls;
};

/* Builds the program into `out`; returns the instruction count or -1 if it does not fit. */
int filter_build(struct sock_filter *out, size_t cap, const struct filter_options *opts);

#endif
