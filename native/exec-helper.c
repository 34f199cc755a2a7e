/*
 * agentos-exec: starts a command inside the sandbox. It forks the command, attaches to it with
 * ptrace (so execve/execveat/chdir into the agent filesystem can be redirected), and the child
 * sets PR_SET_NO_NEW_PRIVS, installs the seccomp filter with a user-notification listener,
 * hands the listener to the supervisor over the channel and execs the command, which keeps the
 * terminal, environment and working directory. The helper then reaps every descendant (it is
 * their subreaper) and reports the command's exit status.
 *
 * With --host-policy the command is held by Landlock to the host policy: it may write only
 * beneath the --allow paths (see landlock.h), and keeps only ordinary capabilities (see
 * capabilities.h). --no-network refuses new internet sockets.
 *
 * Usage: agentos-exec --channel FD --mount PATH --cache PATH [--wait] [--grace-ms N] [--no-ptrace]
 *                     [--chdir DIR] [--host-policy [--allow PATH]...] [--no-network] -- CMD [ARG...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capabilities.h"
#include "channel.h"
#include "filter.h"
#include "landlock.h"
#include "tracer.h"

struct helper_args {
    int channel;
    const char *mount;
    const char *cache;
    int wait_for_descendants;
    int no_ptrace;
    int grace_ms;
    int host_policy;
    int no_network;
    const char *chdir_to;
    const char **writable;
    size_t writable_count;
    char **command;
};

/* In the forked child before execve only: report to the supervisor and stop. */
static void die_with_error(int channel, const char *fmt, ...) {
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof text) n = sizeof text - 1;
    if (channel_send(channel, MSG_ERROR, text, (size_t)n, -1) < 0) fprintf(stderr, "agentos: %s\n", text);
    _exit(126);
}

static int parse_args(int argc, char **argv, struct helper_args *a) {
    memset(a, 0, sizeof *a);
    a->channel = -1;
    a->grace_ms = 2000;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            a->command = argv + i + 1;
            break;
        }
        if (strcmp(arg, "--wait") == 0) {
            a->wait_for_descendants = 1;
            continue;
        }
        if (strcmp(arg, "--no-ptrace") == 0) {
            a->no_ptrace = 1;
            continue;
        }
        if (strcmp(arg, "--host-policy") == 0) {
            a->host_policy = 1;
            continue;
        }
        if (strcmp(arg, "--no-network") == 0) {
            a->no_network = 1;
            continue;
        }
        if (i + 1 >= argc) return -1;
        if (strcmp(arg, "--allow") == 0) {
            /* argv outlives the helper's use of it, so the list just points into it. */
            if (!a->writable) a->writable = calloc((size_t)argc, sizeof *a->writable);
            if (!a->writable) return -1;
            a->writable[a->writable_count++] = argv[++i];
            continue;
        }
        if (strcmp(arg, "--channel") == 0) a->channel = atoi(argv[++i]);
        else if (strcmp(arg, "--mount") == 0) a->mount = argv[++i];
        else if (strcmp(arg, "--cache") == 0) a->cache = argv[++i];
        else if (strcmp(arg, "--grace-ms") == 0) a->grace_ms = atoi(argv[++i]);
        else if (strcmp(arg, "--chdir") == 0) a->chdir_to = argv[++i];
        else return -1;
    }
    return a->channel >= 0 && a->mount && a->cache && a->command && a->command[0] ? 0 : -1;
}

static const char *explain_filter_error(int err) {
    switch (err) {
    case EBUSY:
        return "agentos run cannot run inside another agentos run sandbox (a seccomp listener already exists)";
    case EINVAL:
    case ENOSYS:
        return "this kernel lacks seccomp user notification (needs Linux 5.9+ with CONFIG_SECCOMP_FILTER)";
    case EACCES:
    case EPERM:
        return "installing the seccomp filter was refused (no_new_privs could not be set)";
    default:
        return strerror(err);
    }
}

/* The child: wait for the tracer, install the filter, hand over the listener, exec. */
static void run_child(const struct helper_args *a, int sync_fd) {
    char traced = 0;
    int ptrace_error = 0;
    if (read(sync_fd, &traced, 1) != 1) _exit(126);
    if (traced == 'N' && read(sync_fd, &ptrace_error, sizeof ptrace_error) != sizeof ptrace_error) ptrace_error = 0;
    close(sync_fd);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die_with_error(a->channel, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
    if (a->host_policy) {
        struct host_policy policy = {
            .writable = a->writable,
            .writable_count = a->writable_count,
            .isolate_abstract_sockets = a->no_network,
        };
        char err[512];
        if (landlock_restrict(&policy, err, sizeof err) < 0) die_with_error(a->channel, "host policy: %s", err);
        if (drop_capabilities(err, sizeof err) < 0) die_with_error(a->channel, "host policy: %s", err);
    }
    struct sock_filter insns[FILTER_MAX_INSNS];
    struct filter_options opts = {.traced = traced == 'T', .deny_network = a->no_network, .deny_flag_ioctls = a->host_policy};
    int count = filter_build(insns, FILTER_MAX_INSNS, &opts);
    if (count < 0) die_with_error(a->channel, "seccomp filter too large");
    struct sock_fprog prog = {.len = (unsigned short)count, .filter = insns};
    /*
     * WAIT_KILLABLE_RECV (5.19+): once the supervisor has received a call, only a fatal signal
     * interrupts it. Otherwise a signal would cancel a call we already performed and
     * SA_RESTART would replay it (an O_EXCL create would then fail with EEXIST).
     */
    unsigned flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (listener < 0 && errno == EINVAL) {
        flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    }
    if (listener < 0) die_with_error(a->channel, "%s", explain_filter_error(errno));
    /* Said only now: inside another sandbox the filter error above is the one that matters. */
    if (traced != 'T' && !a->no_ptrace) {
        fprintf(stderr,
                "agentos: ptrace is unavailable (%s); programs run, but executing files in the agent filesystem "
                "and changing directory into it will fail\n",
                strerror(ptrace_error));
    }
    if (channel_send(a->channel, MSG_LISTENER, NULL, 0, listener) < 0) _exit(126);
    close(listener);
    /* Under the filter, so that a directory in the agent filesystem is redirected like any chdir. */
    if (a->chdir_to && chdir(a->chdir_to) < 0) die_with_error(a->channel, "cannot change directory to %s: %s", a->chdir_to, strerror(errno));
    close(a->channel);
    execvp(a->command[0], a->command);
    int err = errno;
    fprintf(stderr, "agentos: %s: %s\n", a->command[0], err == ENOENT ? "command not found" : strerror(err));
    _exit(err == ENOENT ? 127 : 126);
}

int main(int argc, char **argv) {
    struct helper_args a;
    if (parse_args(argc, argv, &a) < 0) {
        fprintf(stderr, "usage: agentos-exec --channel FD --mount PATH --cache PATH [--wait] [--grace-ms N] [--no-ptrace] "
                        "[--chdir DIR] [--host-policy [--allow PATH]...] [--no-network] -- CMD [ARG...]\n");
        return 2;
    }
    /* Orphaned descendants come to us, so none can outlive the run unnoticed. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) perror("agentos-exec: prctl(PR_SET_CHILD_SUBREAPER)");
    /* Terminal signals are for the command; the helper lives until the command is done. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    int sync_pipe[2];
    if (pipe2(sync_pipe, O_CLOEXEC) < 0) {
        perror("agentos-exec: pipe");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("agentos-exec: fork");
        return 1;
    }
    if (child == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        close(sync_pipe[1]);
        run_child(&a, sync_pipe[0]);
    }
    close(sync_pipe[0]);
    if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0) perror("agentos-exec: sigprocmask");
    int signal_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
    long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL;
    int traced = !a.no_ptrace && ptrace(PTRACE_SEIZE, child, 0, (void *)options) == 0;
    int ptrace_error = traced || a.no_ptrace ? 0 : errno;
    char go = traced ? 'T' : 'N';
    if (write(sync_pipe[1], &go, 1) != 1) perror("agentos-exec: write");
    if (!traced && write(sync_pipe[1], &ptrace_error, sizeof ptrace_error) != sizeof ptrace_error) perror("agentos-exec: write");
    close(sync_pipe[1]);

    struct tracer t = {0};
    t.main_pid = child;
    t.channel = a.channel;
    t.options.wait_for_descendants = a.wait_for_descendants;
    t.options.kill_grace_ms = a.grace_ms;
    if (mount_config_init(&t.mount, a.mount, a.cache) < 0) {
        fprintf(stderr, "agentos-exec: mount and cache must be absolute paths\n");
        kill(child, SIGKILL);
        return 2;
    }
    int code = tracer_run(&t, signal_fd);
    struct exit_message exit_msg = {code, t.main_status};
    channel_send(a.channel, MSG_EXIT, &exit_msg, sizeof exit_msg, -1);
    return code;
}
