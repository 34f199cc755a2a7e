#define _GNU_SOURCE
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child-memory.h"

/* Linux 6.6+; Debian's headers predate them. The ioctl takes the flag value, not a pointer. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#ifndef __NR_close_range
#define __NR_close_range 436
#endif

#define AT_FDCWD_VALUE (-100)
#define AT_EMPTY_PATH_FLAG 0x1000

int supervisor_init(struct supervisor *s, int channel, const char *mount, const char *cache, const char *watch_dir) {
    memset(s, 0, sizeof *s);
    s->channel = channel;
    s->listener = -1;
    s->inotify = -1;
    int rc = mount_config_init(&s->mount, mount, cache);
    if (rc < 0) return rc;
    struct seccomp_notif_sizes sizes;
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) return -errno;
    s->req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif) ? sizes.seccomp_notif : sizeof(struct seccomp_notif);
    s->resp_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp) ? sizes.seccomp_notif_resp
                                                                               : sizeof(struct seccomp_notif_resp);
    s->req = calloc(1, s->req_size);
    s->resp = calloc(1, s->resp_size);
    if (!s->req || !s->resp) return -ENOMEM;
    s->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (s->inotify < 0) return -errno;
    if (inotify_add_watch(s->inotify, watch_dir, IN_CLOSE_WRITE) < 0) return -errno;
    return 0;
}

int supervisor_add_host_link(struct supervisor *s, const char *path) {
    for (size_t i = 0; i < s->host_link_count; i++)
        if (strcmp(s->host_links[i], path) == 0) return 0;
    if (s->host_link_count == s->host_link_cap) {
        size_t cap = s->host_link_cap ? s->host_link_cap * 2 : 8;
        char **grown = realloc(s->host_links, cap * sizeof *grown);
        if (!grown) return -ENOMEM;
        s->host_links = grown;
        s->host_link_cap = cap;
    }
    char *copy = strdup(path);
    if (!copy) return -ENOMEM;
    s->host_links[s->host_link_count++] = copy;
    return 0;
}

/* Whether a host path lies under a symlink registered as pointing into the mount. */
static int under_host_link(const struct supervisor *s, const char *path) {
    for (size_t i = 0; i < s->host_link_count; i++) {
        size_t len = strlen(s->host_links[i]);
        if (strncmp(path, s->host_links[i], len) == 0 && (path[len] == '\0' || path[len] == '/')) return 1;
    }
    return 0;
}

/*
 * symlink(target, linkpath) with a host linkpath is a host call, except when the target
 * leads into the mount: the handler then registers the link so later paths through it are
 * resolved as on a real mount.
 */
static int symlink_target_may_enter_mount(struct supervisor *s, struct syscall_event *ev) {
    char target[PATH_MAX];
    if (child_read_string((pid_t)ev->pid, ev->data.args[0], target, sizeof target) < 0) return 0;
    if (target[0] == '/') return absolute_is_virtual(&s->mount, target);
    return relative_could_reach_mount(&s->mount, target);
}

void supervisor_close(struct supervisor *s) {
    for (size_t i = 0; i < s->host_link_count; i++) free(s->host_links[i]);
    free(s->host_links);
    s->host_links = NULL;
    s->host_link_count = s->host_link_cap = 0;
    attr_guard_free(&s->guard);
    if (s->listener >= 0) close(s->listener);
    if (s->inotify >= 0) close(s->inotify);
    if (s->channel >= 0) close(s->channel);
    s->listener = s->inotify = s->channel = -1;
    free(s->req);
    free(s->resp);
    s->req = NULL;
    s->resp = NULL;
}

int supervisor_respond(struct supervisor *s, uint64_t id, int error, int64_t value) {
    memset(s->resp, 0, s->resp_size);
    s->resp->id = id;
    s->resp->error = error ? -error : 0;
    s->resp->val = error ? 0 : value;
    if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, s->resp) < 0) {
        /* ENOENT: the caller was interrupted or died; there is nobody left to answer. */
        return -errno;
    }
    return 0;
}

int supervisor_continue(struct supervisor *s, uint64_t id) {
    memset(s->resp, 0, s->resp_size);
    s->resp->id = id;
    s->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, s->resp) < 0) return -errno;
    return 0;
}

int supervisor_addfd(struct supervisor *s, uint64_t id, int fd, int cloexec, int send) {
    struct seccomp_notif_addfd addfd = {
        .id = id,
        .flags = send ? SECCOMP_ADDFD_FLAG_SEND : 0,
        .srcfd = (uint32_t)fd,
        .newfd = 0,
        .newfd_flags = cloexec ? O_CLOEXEC : 0,
    };
    /*
     * With SECCOMP_ADDFD_FLAG_SEND the kernel marks the call answered as soon as the request
     * is queued. A signal interrupting our wait withdraws the request, and the restarted ioctl
     * then fails with EINPROGRESS while the program gets the default answer: fd 0. Blocking
     * signals for the wait closes that window; if the program dies meanwhile the kernel
     * completes the request with ESRCH, so this cannot hang.
     */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = ioctl(s->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
    int err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc < 0 ? -err : rc;
}

int supervisor_id_valid(struct supervisor *s, uint64_t id) {
    return ioctl(s->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* Reads the base directory of a relative path argument into ev->bases[slot]. */
static int read_base(struct syscall_event *ev, int slot, int dirfd) {
    char what[32];
    if (dirfd == AT_FDCWD_VALUE) snprintf(what, sizeof what, "cwd");
    else snprintf(what, sizeof what, "fd/%d", dirfd);
    ssize_t n = read_proc_link((pid_t)ev->pid, what, ev->bases[slot], sizeof ev->bases[slot]);
    ev->base_len[slot] = n < 0 ? -1 : (int)n;
    return n < 0 ? (int)n : 0;
}

static int read_fd_link(struct syscall_event *ev, int fd) {
    char what[32];
    snprintf(what, sizeof what, "fd/%d", fd);
    ssize_t n = read_proc_link((pid_t)ev->pid, what, ev->fd_link, sizeof ev->fd_link);
    ev->fd_link_len = n < 0 ? -1 : (int)n;
    return n < 0 ? (int)n : 0;
}

/*
 * "/proc/self/fd/3" and the like name an open file (or cwd) of a process; when that is one of
 * our cache files the kernel would act on the cache instead of the VFS inode. Reads the link
 * (with self and thread-self meaning the caller) into ev->bases[slot]; returns 1 if it is ours.
 */
static int magic_link_is_virtual(struct supervisor *s, struct syscall_event *ev, int slot, const char *path) {
    if (strncmp(path, "/proc/", 6) != 0) return 0;
    char link[PATH_MAX];
    const char *rest = path + 6;
    int n;
    if (strncmp(rest, "self/", 5) == 0) n = snprintf(link, sizeof link, "/proc/%u/%s", ev->pid, rest + 5);
    else if (strncmp(rest, "thread-self/", 12) == 0) n = snprintf(link, sizeof link, "/proc/%u/task/%u/%s", ev->pid, ev->pid, rest + 12);
    else n = snprintf(link, sizeof link, "%s", path);
    if (n < 0 || (size_t)n >= sizeof link) return 0;
    ssize_t len = readlink(link, ev->bases[slot], sizeof ev->bases[slot] - 1);
    if (len < 0) return 0;
    ev->bases[slot][len] = '\0';
    ev->base_len[slot] = (int)len;
    return link_is_virtual(&s->mount, ev->bases[slot]);
}

static int is_proc_link_path(const char *path) {
    if (strncmp(path, "/proc/", 6) != 0) return 0;
    return strstr(path, "/fd/") != NULL || strstr(path, "/cwd") != NULL || strstr(path, "/exe") != NULL;
}

/* classify's verdicts besides 0 (a host call, continued) and 1 (for the handler). */
#define PATH_HIDDEN 2

/*
 * Decides one path argument. Returns 1 when it may name the agent filesystem, PATH_HIDDEN when
 * it names the cache directory, 0 when it certainly names neither, -errno when the child's
 * memory could not be read (the kernel will then fail the call itself, so it is continued).
 */
static int classify_path(struct supervisor *s, struct syscall_event *ev, int slot) {
    const struct path_arg *pa = &ev->info->paths[slot];
    uint64_t addr = ev->data.args[pa->path_arg];
    int dirfd = pa->dirfd_arg == NO_ARG ? AT_FDCWD_VALUE : (int)ev->data.args[pa->dirfd_arg];
    if (addr == 0) {
        if (!ev->info->path_may_be_null || dirfd == AT_FDCWD_VALUE) return 0;
        if (!s->virtual_bases_exist) return 0;
        return read_fd_link(ev, dirfd) == 0 && link_is_virtual(&s->mount, ev->fd_link);
    }
    ssize_t n = child_read_string((pid_t)ev->pid, addr, ev->paths[slot], sizeof ev->paths[slot]);
    if (n < 0) return (int)n;
    ev->path_len[slot] = (int)n;
    const char *path = ev->paths[slot];
    if (path[0] == '/') {
        if (absolute_is_virtual(&s->mount, path)) return 1;
        if (absolute_is_hidden(&s->mount, path)) return PATH_HIDDEN;
        if (s->host_link_count && under_host_link(s, path)) return 1;
        if (!s->virtual_bases_exist) return 0;
        int nr = ev->info->nr;
        if ((nr == SYS_readlink || nr == SYS_readlinkat) && is_proc_link_path(path)) return 1;
        return magic_link_is_virtual(s, ev, slot, path);
    }
    if (path[0] == '\0') {
        int flags = ev->info->flags_arg == NO_ARG ? 0 : (int)ev->data.args[ev->info->flags_arg];
        /* readlinkat(fd, "") reads the symlink the fd is open on, without needing AT_EMPTY_PATH. */
        if (ev->info->nr == SYS_readlinkat) flags |= AT_EMPTY_PATH_FLAG;
        if (!(flags & AT_EMPTY_PATH_FLAG) || dirfd == AT_FDCWD_VALUE || !s->virtual_bases_exist) return 0;
        return read_fd_link(ev, dirfd) == 0 && link_is_virtual(&s->mount, ev->fd_link);
    }
    if (!s->virtual_bases_exist && !s->host_link_count && !relative_could_reach_mount(&s->mount, path)) return 0;
    if (read_base(ev, slot, dirfd) < 0) return 0;
    const char *base = ev->bases[slot];
    if (link_is_virtual(&s->mount, base) || join_is_virtual(&s->mount, base, path)) return 1;
    if (join_is_hidden(&s->mount, base, path)) return PATH_HIDDEN;
    if (!s->host_link_count) return 0;
    char joined[PATH_MAX * 2];
    int joined_len = snprintf(joined, sizeof joined, "%s/%s", base, path);
    return joined_len > 0 && (size_t)joined_len < sizeof joined && under_host_link(s, joined);
}

/*
 * Whether a notification may touch the agent filesystem (1: it must go to the handler), names
 * the cache directory (PATH_HIDDEN) or is a host call (0).
 */
static int classify(struct supervisor *s, struct syscall_event *ev) {
    int virtual_call = 0;
    for (int slot = 0; slot < 2; slot++) {
        ev->path_len[slot] = ev->base_len[slot] = -1;
        if (ev->info->paths[slot].path_arg == NO_ARG) continue;
        int rc = classify_path(s, ev, slot);
        if (rc == PATH_HIDDEN) return PATH_HIDDEN;
        if (rc > 0) virtual_call = 1;
    }
    int nr = ev->info->nr;
    if (!virtual_call && (nr == SYS_symlink || nr == SYS_symlinkat) && symlink_target_may_enter_mount(s, ev)) virtual_call = 1;
    if (ev->info->fd_arg != NO_ARG && s->virtual_bases_exist) {
        if (read_fd_link(ev, (int)ev->data.args[ev->info->fd_arg]) == 0 && link_is_virtual(&s->mount, ev->fd_link))
            virtual_call = 1;
    }
    if ((ev->info->nr == SYS_getcwd || ev->info->nr == SYS_sync || ev->info->nr == __NR_close_range) && s->virtual_bases_exist) {
        /* sync flushes everything; close_range may close any descriptor: the handler looks. */
        if (ev->info->nr != SYS_getcwd) return 1;
        if (read_base(ev, 0, AT_FDCWD_VALUE) == 0 && link_is_virtual(&s->mount, ev->bases[0])) virtual_call = 1;
    }
    return virtual_call;
}

/* Receives and triages one notification. Returns 1 when it is an event for the handler. */
static int handle_notification(struct supervisor *s) {
    memset(s->req, 0, s->req_size);
    if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_RECV, s->req) < 0) {
        /* ENOENT: the caller went away between poll and receive. */
        return errno == EINTR || errno == ENOENT ? 0 : -errno;
    }
    s->stats.notifications++;
    struct syscall_event *ev = &s->syscall;
    ev->id = s->req->id;
    ev->pid = s->req->pid;
    ev->data = s->req->data;
    ev->fd_link_len = -1;
    ev->info = syscall_lookup(s->req->data.nr);
    if (ev->info && ev->info->kind == ROUTE_CREDS) s->cred_epoch++;
    /* ROUTE_TRACE calls arrive here only when ptrace was unavailable; they still need a verdict. */
    int virtual_call = ev->info && (ev->info->kind == ROUTE_NOTIFY || ev->info->kind == ROUTE_TRACE) ? classify(s, ev) : 0;
    if (virtual_call == 0 && ev->info && s->guard.enforce && attr_guard_covers(ev->info->nr)) {
        s->stats.guarded++;
        int result = attr_guard_perform(&s->guard, ev, NULL);
        int rc = supervisor_respond(s, ev->id, result < 0 ? -result : 0, 0);
        return rc == -ENOENT || rc == 0 ? 0 : rc;
    }
    if (virtual_call == PATH_HIDDEN) {
        /* The cache does not exist for programs; an answer to a caller that is gone just fails. */
        s->stats.hidden++;
        int rc = supervisor_respond(s, ev->id, ENOENT, 0);
        return rc == -ENOENT || rc == 0 ? 0 : rc;
    }
    if (virtual_call) {
        /* What was read from the child only counts if the caller is still the same task. */
        if (!supervisor_id_valid(s, ev->id)) return 0;
        s->stats.handled++;
        return 1;
    }
    /* Continuing needs no such check: for a caller that is gone, SEND just fails. */
    s->stats.continued++;
    int rc = supervisor_continue(s, ev->id);
    return rc == -ENOENT ? 0 : (rc < 0 ? rc : 0);
}

static int handle_inotify(struct supervisor *s) {
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    s->text_len = 0;
    for (;;) {
        ssize_t n = read(s->inotify, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            return -errno;
        }
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *)p;
            size_t len = e->len ? strlen(e->name) : 0;
            if (len > 0 && s->text_len + len + 1 < sizeof s->text) {
                memcpy(s->text + s->text_len, e->name, len);
                s->text_len += len;
                s->text[s->text_len++] = '\n';
            }
            p += sizeof *e + e->len;
        }
        if (s->text_len + NAME_MAX + 2 >= sizeof s->text) break;
    }
    return s->text_len > 0;
}

static void adopt_listener(struct supervisor *s, int fd) {
    if (s->listener >= 0) close(s->listener);
    s->listener = fd;
    /* Wake this thread on the caller's CPU: about 10x cheaper per call on small VMs. */
    s->sync_wakeup = ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
}

/* Returns an event kind, 0 to keep waiting, or -errno. */
static int handle_channel(struct supervisor *s) {
    int fd;
    ssize_t n = channel_recv(s->channel, &s->header, s->message, &fd);
    if (n == 0 || n == -ECONNRESET) {
        /* The helper is gone without reporting an exit: treat as a failed run. */
        s->text_len = (size_t)snprintf(s->text, sizeof s->text, "the sandbox helper exited unexpectedly");
        return EV_ERROR;
    }
    if (n < 0) return (int)n;
    s->message_len = s->header.length;
    switch (s->header.type) {
    case MSG_LISTENER:
        if (fd < 0) return -EPROTO;
        adopt_listener(s, fd);
        return 0;
    case MSG_TRACE_REQUEST:
        return EV_TRACE;
    case MSG_EXIT:
        return EV_EXIT;
    case MSG_ERROR: {
        size_t len = s->message_len < sizeof s->text - 1 ? s->message_len : sizeof s->text - 1;
        memcpy(s->text, s->message, len);
        s->text[len] = '\0';
        s->text_len = len;
        return EV_ERROR;
    }
    default:
        if (fd >= 0) close(fd);
        return -EPROTO;
    }
}

int supervisor_next(struct supervisor *s, int timeout_ms) {
    for (;;) {
        struct pollfd fds[3] = {
            {s->listener, POLLIN, 0},
            {s->channel, POLLIN, 0},
            {s->inotify, POLLIN, 0},
        };
        int n = poll(fds, 3, timeout_ms);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (n == 0) return EV_IDLE;
        /*
         * Closes first: a close is queued before the closing call returns, so writing it back
         * before the calls that follow keeps the database in program order (a file is never
         * seen empty after a file created later).
         */
        if (fds[2].revents & POLLIN) {
            int rc = handle_inotify(s);
            if (rc != 0) return rc < 0 ? rc : EV_CLOSE_WRITE;
            continue;
        }
        if (fds[0].revents & POLLIN) {
            int rc = handle_notification(s);
            if (rc != 0) return rc < 0 ? rc : EV_SYSCALL;
            continue;
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            int rc = handle_channel(s);
            if (rc != 0) return rc;
            continue;
        }
        /*
         * A closed listener (every sandboxed process gone) polls as POLLHUP; the helper's
         * exit message follows on the channel, so keep waiting for that.
         */
        if (fds[0].revents & (POLLHUP | POLLERR)) {
            close(s->listener);
            s->listener = -1;
        }
    }
}
