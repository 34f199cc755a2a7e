/*
 * The ptrace side of the exec helper. Every sandboxed process is traced (auto-attached on
 * fork, vfork and clone) so that the few calls seccomp cannot serve by notification alone
 * stop here: execve/execveat of a file in the agent filesystem and chdir into it need their
 * path argument pointed at a host file or directory, which only a tracer can do. Everything
 * else a tracee does runs without stopping, apart from signal delivery and group-stops,
 * which are passed through so job control keeps working.
 */
#ifndef AGENTOS_TRACER_H
#define AGENTOS_TRACER_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "classify.h"

struct tracer_options {
    /* After the command exits: 0 ends remaining descendants (SIGTERM, then SIGKILL after the
     * grace period); 1 waits for them to exit on their own. */
    int wait_for_descendants;
    int kill_grace_ms;
};

struct tracer {
    pid_t main_pid;
    int main_status; /* raw waitpid status of the command, valid once main_done */
    int main_done;
    int channel;
    struct mount_config mount;
    struct tracer_options options;
    uint32_t next_request;
    /* Every traced task still alive (processes and threads). */
    pid_t *tasks;
    size_t task_count, task_cap;
};

/* Runs until the command and (per the options) its descendants are gone; returns the exit code. */
int tracer_run(struct tracer *t, int signal_fd);

/* The exit code a shell would report for a raw waitpid status. */
int exit_code_of(int status);

#endif
