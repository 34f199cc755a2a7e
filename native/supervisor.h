/*
 * The supervisor's event loop: it owns the seccomp listener, the channel to the exec helper
 * and an inotify watch on the cache directory. Calls that cannot touch the agent filesystem
 * are continued right here, in C; everything else comes back to the caller as one event.
 */
#ifndef AGENTOS_SUPERVISOR_H
#define AGENTOS_SUPERVISOR_H

#include <limits.h>
#include <stdint.h>
#include <linux/seccomp.h>

#include "attr-guard.h"
#include "channel.h"
#include "classify.h"
#include "syscall-table.h"

enum event_kind {
    EV_IDLE = 0,     /* nothing happened within the timeout */
    EV_SYSCALL,      /* a trapped call that may touch the agent filesystem */
    EV_TRACE,        /* the helper asks how to run an execve/execveat/chdir */
    EV_CLOSE_WRITE,  /* materialized files were closed after writing (names in `text`) */
    EV_EXIT,         /* the command ended */
    EV_ERROR,        /* the helper could not set up the sandbox (message in `text`) */
};

struct syscall_event {
    struct seccomp_data data;
    uint64_t id;
    uint32_t pid;
    const struct syscall_info *info;
    /* Path arguments as read from the child; length -1 when absent or NULL. */
    char paths[2][PATH_MAX];
    int path_len[2];
    /* Where a relative path starts: readlink of the dirfd or cwd; length -1 when not read. */
    char bases[2][PATH_MAX];
    int base_len[2];
    /* For calls acting on an fd: readlink of /proc/<tid>/fd/N; -1 when not read. */
    char fd_link[PATH_MAX];
    int fd_link_len;
};

struct supervisor_stats {
    uint64_t notifications;
    uint64_t continued;
    uint64_t handled;
    uint64_t hidden; /* calls naming the cache directory, refused with ENOENT */
    uint64_t guarded; /* attribute changes on host files performed under the host policy */
};

struct supervisor {
    int channel;
    int listener;
    int inotify;
    int sync_wakeup; /* SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP accepted by the kernel */
    /* Set once any virtual fd or working directory exists: fd-relative calls then need a look. */
    int virtual_bases_exist;
    /* Bumped whenever a process changes its umask or credentials; cached facts go stale. */
    uint64_t cred_epoch;
    struct mount_config mount;
    /* Under the host policy, host attribute changes are performed here (see attr-guard.h). */
    struct attr_guard guard;
    /* Host symlinks known to point into the mount: paths under them go to the handler. */
    char **host_links;
    size_t host_link_count, host_link_cap;
    struct seccomp_notif *req;
    struct seccomp_notif_resp *resp;
    size_t req_size, resp_size;
    struct supervisor_stats stats;
    /* The event being returned, and scratch for messages; allocated once. */
    enum event_kind kind;
    struct syscall_event syscall;
    struct channel_header header;
    char message[CHANNEL_MAX_MESSAGE];
    size_t message_len;
    char text[8192];
    size_t text_len;
};

/* Returns 0 or -errno. `channel` is the supervisor's end of the helper channel. */
int supervisor_init(struct supervisor *s, int channel, const char *mount, const char *cache, const char *watch_dir);
void supervisor_close(struct supervisor *s);

/* Waits up to `timeout_ms` for the next event; returns its kind or -errno. */
int supervisor_next(struct supervisor *s, int timeout_ms);

/* Answers a notification: `error` is a positive errno (0 for success with `value`). */
int supervisor_respond(struct supervisor *s, uint64_t id, int error, int64_t value);
int supervisor_continue(struct supervisor *s, uint64_t id);

/*
 * Installs `fd` in the notified process. With `send`, this also answers the call with the
 * new descriptor number. Returns that number or -errno.
 */
int supervisor_addfd(struct supervisor *s, uint64_t id, int fd, int cloexec, int send);

/* Registers a host path that is a symlink into the mount. Returns 0 or -ENOMEM. */
int supervisor_add_host_link(struct supervisor *s, const char *path);

/* Whether the notification is still pending (its caller alive and waiting). */
int supervisor_id_valid(struct supervisor *s, uint64_t id);

#endif
