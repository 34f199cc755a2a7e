#define _GNU_SOURCE
#include "tracer.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "child-memory.h"

#define AT_EMPTY_PATH_FLAG 0x1000
#define AT_FDCWD_VALUE (-100)
/* Strings written for a rewritten call go below the x86-64 red zone of the stopped thread. */
#define STACK_SKIP 256
#define MAX_ARGV 65536

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

static void add_task(struct tracer *t, pid_t pid) {
    for (size_t i = 0; i < t->task_count; i++)
        if (t->tasks[i] == pid) return;
    if (t->task_count == t->task_cap) {
        size_t cap = t->task_cap ? t->task_cap * 2 : 64;
        pid_t *grown = realloc(t->tasks, cap * sizeof *grown);
        if (!grown) return; /* an untracked task is still reaped by waitpid(-1) */
        t->tasks = grown;
        t->task_cap = cap;
    }
    t->tasks[t->task_count++] = pid;
}

static void remove_task(struct tracer *t, pid_t pid) {
    for (size_t i = 0; i < t->task_count; i++) {
        if (t->tasks[i] == pid) {
            t->tasks[i] = t->tasks[--t->task_count];
            return;
        }
    }
}

/*
 * Forgets tasks that no longer exist. waitpid reports tasks in any order: a new child can be
 * seen starting and exiting before its parent's fork event names it, which would otherwise
 * leave the run waiting forever for a task already gone.
 */
static void forget_vanished(struct tracer *t) {
    for (size_t i = 0; i < t->task_count;) {
        if (kill(t->tasks[i], 0) < 0 && errno == ESRCH) t->tasks[i] = t->tasks[--t->task_count];
        else i++;
    }
}

static void signal_all(struct tracer *t, int sig) {
    for (size_t i = 0; i < t->task_count; i++) kill(t->tasks[i], sig);
}

/* Sends a request to the supervisor and waits for its answer (other messages are handled inline). */
static int ask_supervisor(struct tracer *t, const struct trace_request *req, const char *path, const char *base,
                          struct trace_reply *reply, char *strings, size_t *strings_len) {
    char payload[CHANNEL_MAX_MESSAGE - sizeof(struct channel_header)];
    size_t need = sizeof *req + req->path_len + req->base_len;
    if (need > sizeof payload) return -ENAMETOOLONG;
    memcpy(payload, req, sizeof *req);
    memcpy(payload + sizeof *req, path, req->path_len);
    memcpy(payload + sizeof *req + req->path_len, base, req->base_len);
    int rc = channel_send(t->channel, MSG_TRACE_REQUEST, payload, need, -1);
    if (rc < 0) return rc;
    static char buf[CHANNEL_MAX_MESSAGE];
    for (;;) {
        struct channel_header header;
        int fd;
        ssize_t n = channel_recv(t->channel, &header, buf, &fd);
        if (n <= 0) return n == 0 ? -EPIPE : (int)n;
        if (fd >= 0) close(fd);
        if (header.type == MSG_SIGNAL && header.length >= sizeof(int32_t)) {
            int32_t sig;
            memcpy(&sig, buf, sizeof sig);
            kill(t->main_pid, sig);
            continue;
        }
        if (header.type != MSG_TRACE_REPLY || header.length < sizeof *reply) continue;
        memcpy(reply, buf, sizeof *reply);
        if (reply->id != req->id) continue;
        *strings_len = header.length - sizeof *reply;
        memcpy(strings, buf + sizeof *reply, *strings_len);
        return 0;
    }
}

/* Pushes `len` bytes onto the tracee's stack below *sp; returns 0 or -errno. */
static int push_bytes(pid_t pid, uint64_t *sp, const void *data, size_t len, size_t align) {
    *sp -= len;
    *sp &= ~(uint64_t)(align - 1);
    return child_write(pid, *sp, data, len);
}

/*
 * Builds argv for a script run through its interpreter: `replacement` strings (interpreter,
 * optional argument, script path) followed by the original argv[1...]. Returns its address.
 */
static int push_argv(pid_t pid, uint64_t *sp, uint64_t old_argv, const char *replacement, size_t repl_len,
                     int repl_count, uint64_t *new_argv) {
    uint64_t repl_ptrs[8];
    if (repl_count > 8) return -E2BIG;
    const char *s = replacement;
    for (int i = 0; i < repl_count; i++) {
        size_t len = strnlen(s, repl_len - (size_t)(s - replacement)) + 1;
        int rc = push_bytes(pid, sp, s, len, 1);
        if (rc < 0) return rc;
        repl_ptrs[i] = *sp;
        s += len;
    }
    uint64_t old_count = 0;
    if (old_argv) {
        uint64_t p;
        do {
            if (child_read(pid, old_argv + old_count * 8, &p, 8) < 0) return -EFAULT;
            old_count++;
        } while (p != 0 && old_count < MAX_ARGV);
        old_count--; /* not counting the NULL */
    }
    uint64_t tail = old_count > 0 ? old_count - 1 : 0; /* argv[1...] */
    size_t total = (size_t)repl_count + tail + 1;
    uint64_t *array = calloc(total, sizeof *array);
    if (!array) return -ENOMEM;
    memcpy(array, repl_ptrs, (size_t)repl_count * sizeof *array);
    int rc = tail ? child_read(pid, old_argv + 8, array + repl_count, tail * 8) : 0;
    if (rc == 0) rc = push_bytes(pid, sp, array, total * sizeof *array, 16);
    free(array);
    *new_argv = *sp;
    return rc;
}

/* Applies the supervisor's answer to the stopped call. Returns 0 or -errno to fail the call with. */
static int rewrite_call(pid_t pid, struct user_regs_struct *regs, const struct trace_reply *reply, const char *strings,
                        size_t strings_len) {
    uint64_t sp = regs->rsp - STACK_SKIP;
    size_t path_len = strnlen(strings, strings_len);
    if (path_len == strings_len) return -EPROTO;
    int rc = push_bytes(pid, &sp, strings, path_len + 1, 1);
    if (rc < 0) return rc;
    uint64_t new_path = sp;
    long nr = (long)regs->orig_rax;
    if (nr == SYS_chdir) {
        regs->rdi = new_path;
        return 0;
    }
    uint64_t argv = nr == SYS_execveat ? regs->rdx : regs->rsi;
    uint64_t envp = nr == SYS_execveat ? regs->r10 : regs->rdx;
    if (reply->count > 1) {
        rc = push_argv(pid, &sp, argv, strings + path_len + 1, strings_len - path_len - 1, (int)reply->count - 1, &argv);
        if (rc < 0) return rc;
    }
    /* execveat(dirfd, path, ...) becomes execve(host path, ...): the host path is absolute. */
    regs->orig_rax = SYS_execve;
    regs->rdi = new_path;
    regs->rsi = argv;
    regs->rdx = envp;
    return 0;
}

/* Whether an execve/execveat/chdir path may be in the agent filesystem; fills base. */
static int trace_path_is_virtual(struct tracer *t, pid_t pid, const char *path, int dirfd, int flags, char *base) {
    base[0] = '\0';
    if (path[0] == '/') return absolute_is_virtual(&t->mount, path);
    if (path[0] == '\0') return 0; /* fexecve of an fd: the kernel runs it as is */
    (void)flags;
    char what[32];
    if (dirfd == AT_FDCWD_VALUE) snprintf(what, sizeof what, "cwd");
    else snprintf(what, sizeof what, "fd/%d", dirfd);
    if (read_proc_link(pid, what, base, PATH_MAX) < 0) return 0;
    return link_is_virtual(&t->mount, base) || join_is_virtual(&t->mount, base, path);
}

static void handle_seccomp_stop(struct tracer *t, pid_t pid) {
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0) return;
    long nr = (long)regs.orig_rax;
    int dirfd = nr == SYS_execveat ? (int)regs.rdi : AT_FDCWD_VALUE;
    int flags = nr == SYS_execveat ? (int)regs.r8 : 0;
    uint64_t path_addr = nr == SYS_execveat ? regs.rsi : regs.rdi;
    static char path[PATH_MAX], base[PATH_MAX], strings[CHANNEL_MAX_MESSAGE];
    if (child_read_string(pid, path_addr, path, sizeof path) < 0 ||
        !trace_path_is_virtual(t, pid, path, dirfd, flags, base)) {
        ptrace(PTRACE_CONT, pid, 0, 0);
        return;
    }
    struct trace_request req = {
        .id = ++t->next_request,
        .pid = pid,
        .nr = (int32_t)nr,
        .dirfd = dirfd,
        .flags = flags,
        .path_len = (uint32_t)strlen(path),
        .base_len = (uint32_t)strlen(base),
    };
    struct trace_reply reply;
    size_t strings_len = 0;
    int rc = ask_supervisor(t, &req, path, base, &reply, strings, &strings_len);
    int error = rc < 0 ? EIO : reply.error;
    if (error == 0) {
        rc = rewrite_call(pid, &regs, &reply, strings, strings_len);
        if (rc < 0) error = -rc;
    }
    if (error != 0) {
        /* Skip the call: it returns -error without running. */
        regs.orig_rax = (unsigned long long)-1;
        regs.rax = (unsigned long long)-error;
    }
    ptrace(PTRACE_SETREGS, pid, 0, &regs);
    ptrace(PTRACE_CONT, pid, 0, 0);
}

static int is_stop_signal(int sig) {
    return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void handle_stop(struct tracer *t, pid_t pid, int status) {
    int sig = WSTOPSIG(status);
    int event = (unsigned)status >> 16;
    switch (event) {
    case PTRACE_EVENT_SECCOMP:
        handle_seccomp_stop(t, pid);
        return;
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE: {
        unsigned long child;
        /* Only if it still exists: its exit may already have been reaped (see forget_vanished). */
        if (ptrace(PTRACE_GETEVENTMSG, pid, 0, &child) == 0 && (kill((pid_t)child, 0) == 0 || errno != ESRCH))
            add_task(t, (pid_t)child);
        ptrace(PTRACE_CONT, pid, 0, 0);
        return;
    }
    case PTRACE_EVENT_STOP:
        add_task(t, pid);
        /* A group-stop (job control) stays stopped but lets SIGCONT through; any other
         * PTRACE_EVENT_STOP (a new auto-attached task) just continues. */
        if (is_stop_signal(sig)) ptrace(PTRACE_LISTEN, pid, 0, 0);
        else ptrace(PTRACE_CONT, pid, 0, 0);
        return;
    case 0:
        /* Signal-delivery-stop: deliver the signal as if nobody were tracing. */
        ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig);
        return;
    default:
        ptrace(PTRACE_CONT, pid, 0, 0);
        return;
    }
}

static void reap(struct tracer *t) {
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, __WALL | WNOHANG);
        if (pid <= 0) return;
        if (WIFSTOPPED(status)) {
            handle_stop(t, pid, status);
            continue;
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            remove_task(t, pid);
            if (pid == t->main_pid) {
                t->main_status = status;
                t->main_done = 1;
            }
        }
    }
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Handles a message from the supervisor; returns -1 when the supervisor is gone. */
static int handle_channel(struct tracer *t) {
    static char buf[CHANNEL_MAX_MESSAGE];
    struct channel_header header;
    int fd;
    ssize_t n = channel_recv(t->channel, &header, buf, &fd);
    if (n <= 0 && n != -EINTR) return -1;
    if (fd >= 0) close(fd);
    if (header.type == MSG_SIGNAL && header.length >= sizeof(int32_t)) {
        int32_t sig;
        memcpy(&sig, buf, sizeof sig);
        kill(t->main_pid, sig);
    }
    return 0;
}

int tracer_run(struct tracer *t, int signal_fd) {
    add_task(t, t->main_pid);
    int64_t kill_at = -1;
    int killed = 0;
    for (;;) {
        if (t->main_done) forget_vanished(t);
        if (t->main_done && t->task_count == 0) break;
        if (t->main_done && t->task_count > 0 && !t->options.wait_for_descendants && kill_at < 0) {
            /* Descendants outlived the command: ask them to end, then insist. */
            signal_all(t, SIGHUP);
            signal_all(t, SIGTERM);
            signal_all(t, SIGCONT);
            kill_at = now_ms() + t->options.kill_grace_ms;
        }
        int timeout = -1;
        if (kill_at >= 0 && !killed) {
            int64_t left = kill_at - now_ms();
            if (left <= 0) {
                signal_all(t, SIGKILL);
                killed = 1;
            } else {
                timeout = (int)left;
            }
        }
        struct pollfd fds[2] = {{signal_fd, POLLIN, 0}, {t->channel, POLLIN, 0}};
        int n = poll(fds, 2, timeout);
        if (n < 0 && errno != EINTR) break;
        if (n > 0 && (fds[0].revents & POLLIN)) {
            struct signalfd_siginfo info;
            while (read(signal_fd, &info, sizeof info) == sizeof info) {
            }
        }
        reap(t);
        if (n > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            /* The supervisor died: nothing may run unsupervised. Exiting kills every tracee
             * (PTRACE_O_EXITKILL). */
            if (handle_channel(t) < 0) {
                signal_all(t, SIGKILL);
                return 137;
            }
        }
    }
    return exit_code_of(t->main_status);
}
