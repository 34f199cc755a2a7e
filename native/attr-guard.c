#define _GNU_SOURCE
#include "attr-guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "child-memory.h"
#include "supervisor.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463
#define __NR_removexattrat 466
#endif

#define AT_FDCWD_VALUE (-100)
#define AT_SYMLINK_NOFOLLOW_FLAG 0x100
#define AT_EMPTY_PATH_FLAG 0x1000
#define XATTR_NAME_MAX_LEN 255
#define DELETED_SUFFIX " (deleted)"

enum attr_op { OP_CHMOD, OP_CHOWN, OP_UTIMES, OP_SETXATTR, OP_REMOVEXATTR };
enum times_form { TIMES_TIMESPEC, TIMES_TIMEVAL, TIMES_UTIMBUF };

/* One attribute call, decoded: what it changes and which file it names. */
struct attr_call {
    enum attr_op op;
    int fd;          /* an fd the call acts on, or AT_FDCWD_VALUE with a path */
    int dirfd;       /* where a relative path starts */
    int path_arg;    /* argument holding the path, or -1 */
    int nofollow;
    int empty_path;  /* AT_EMPTY_PATH: the call acts on dirfd */
    uint64_t a, b, c, d; /* the op's own arguments (mode; uid, gid; times; name, value, size, flags) */
    enum times_form times;
};

int attr_guard_covers(int nr) {
    switch (nr) {
    case SYS_chmod: case SYS_fchmod: case SYS_fchmodat: case __NR_fchmodat2:
    case SYS_chown: case SYS_lchown: case SYS_fchown: case SYS_fchownat:
    case SYS_utime: case SYS_utimes: case SYS_futimesat: case SYS_utimensat:
    case SYS_setxattr: case SYS_lsetxattr: case SYS_fsetxattr: case __NR_setxattrat:
    case SYS_removexattr: case SYS_lremovexattr: case SYS_fremovexattr: case __NR_removexattrat:
        return 1;
    default:
        return 0;
    }
}

static void decode(int nr, const uint64_t *x, struct attr_call *c) {
    memset(c, 0, sizeof *c);
    c->fd = AT_FDCWD_VALUE;
    c->dirfd = AT_FDCWD_VALUE;
    c->path_arg = 0;
    int at_flags = 0;
    switch (nr) {
    case SYS_chmod: c->op = OP_CHMOD; c->a = x[1]; break;
    case SYS_fchmod: c->op = OP_CHMOD; c->fd = (int)x[0]; c->path_arg = -1; c->a = x[1]; break;
    case SYS_fchmodat: c->op = OP_CHMOD; c->dirfd = (int)x[0]; c->path_arg = 1; c->a = x[2]; break;
    case __NR_fchmodat2: c->op = OP_CHMOD; c->dirfd = (int)x[0]; c->path_arg = 1; c->a = x[2]; at_flags = (int)x[3]; break;
    case SYS_chown: c->op = OP_CHOWN; c->a = x[1]; c->b = x[2]; break;
    case SYS_lchown: c->op = OP_CHOWN; c->a = x[1]; c->b = x[2]; c->nofollow = 1; break;
    case SYS_fchown: c->op = OP_CHOWN; c->fd = (int)x[0]; c->path_arg = -1; c->a = x[1]; c->b = x[2]; break;
    case SYS_fchownat: c->op = OP_CHOWN; c->dirfd = (int)x[0]; c->path_arg = 1; c->a = x[2]; c->b = x[3]; at_flags = (int)x[4]; break;
    case SYS_utime: c->op = OP_UTIMES; c->a = x[1]; c->times = TIMES_UTIMBUF; break;
    case SYS_utimes: c->op = OP_UTIMES; c->a = x[1]; c->times = TIMES_TIMEVAL; break;
    case SYS_futimesat: c->op = OP_UTIMES; c->dirfd = (int)x[0]; c->path_arg = 1; c->a = x[2]; c->times = TIMES_TIMEVAL; break;
    case SYS_utimensat: c->op = OP_UTIMES; c->dirfd = (int)x[0]; c->path_arg = 1; c->a = x[2]; at_flags = (int)x[3]; break;
    case SYS_setxattr: c->op = OP_SETXATTR; c->a = x[1]; c->b = x[2]; c->c = x[3]; c->d = x[4]; break;
    case SYS_lsetxattr: c->op = OP_SETXATTR; c->a = x[1]; c->b = x[2]; c->c = x[3]; c->d = x[4]; c->nofollow = 1; break;
    case SYS_fsetxattr: c->op = OP_SETXATTR; c->fd = (int)x[0]; c->path_arg = -1; c->a = x[1]; c->b = x[2]; c->c = x[3]; c->d = x[4]; break;
    case __NR_setxattrat: c->op = OP_SETXATTR; c->dirfd = (int)x[0]; c->path_arg = 1; at_flags = (int)x[2]; c->a = x[3]; c->b = x[4]; break;
    case SYS_removexattr: c->op = OP_REMOVEXATTR; c->a = x[1]; break;
    case SYS_lremovexattr: c->op = OP_REMOVEXATTR; c->a = x[1]; c->nofollow = 1; break;
    case SYS_fremovexattr: c->op = OP_REMOVEXATTR; c->fd = (int)x[0]; c->path_arg = -1; c->a = x[1]; break;
    case __NR_removexattrat: c->op = OP_REMOVEXATTR; c->dirfd = (int)x[0]; c->path_arg = 1; at_flags = (int)x[2]; c->a = x[3]; break;
    default: break;
    }
    if (at_flags & AT_SYMLINK_NOFOLLOW_FLAG) c->nofollow = 1;
    if (at_flags & AT_EMPTY_PATH_FLAG) c->empty_path = 1;
}

int attr_guard_set_writable(struct attr_guard *g, const char *const *paths, size_t count) {
    char **copy = calloc(count ? count : 1, sizeof *copy);
    if (!copy) return -ENOMEM;
    for (size_t i = 0; i < count; i++) {
        copy[i] = strdup(paths[i]);
        if (!copy[i]) {
            while (i > 0) free(copy[--i]);
            free(copy);
            return -ENOMEM;
        }
    }
    attr_guard_free(g);
    g->writable = copy;
    g->writable_count = count;
    g->enforce = 1;
    return 0;
}

void attr_guard_free(struct attr_guard *g) {
    for (size_t i = 0; i < g->writable_count; i++) free(g->writable[i]);
    free(g->writable);
    g->writable = NULL;
    g->writable_count = 0;
    g->enforce = 0;
}

/* An O_PATH descriptor of this process on what fd `fd` of process `pid` refers to. */
static int open_process_fd(uint32_t pid, int fd) {
    char proc[64];
    if (fd == AT_FDCWD_VALUE) snprintf(proc, sizeof proc, "/proc/%u/cwd", pid);
    else snprintf(proc, sizeof proc, "/proc/%u/fd/%d", pid, fd);
    int ours = open(proc, O_PATH | O_CLOEXEC);
    if (ours < 0) return errno == ENOENT && fd != AT_FDCWD_VALUE ? -EBADF : -errno;
    return ours;
}

/* Opens the file the call names, as the process would resolve it; returns an fd or -errno. */
static int open_target(const struct attr_call *c, uint32_t pid, const char *path) {
    if (c->path_arg < 0) return open_process_fd(pid, c->fd);
    if (path == NULL || (path[0] == '\0' && c->empty_path)) return open_process_fd(pid, c->dirfd);
    int base = AT_FDCWD_VALUE;
    if (path[0] != '/') {
        base = open_process_fd(pid, c->dirfd);
        if (base < 0) return base;
    }
    int fd = openat(base, path, O_PATH | O_CLOEXEC | (c->nofollow ? O_NOFOLLOW : 0));
    int err = errno;
    if (base >= 0) close(base);
    return fd < 0 ? -err : fd;
}

static int ends_with(const char *s, size_t len, const char *suffix) {
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Whether the policy lets programs change the file open as `fd`. */
static int target_allowed(const struct attr_guard *g, int fd) {
    if (!g->enforce) return 1;
    char proc[64], where[PATH_MAX];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(proc, where, sizeof where - 1);
    if (n < 0) return 0;
    where[n] = '\0';
    /* Pipes, sockets and other objects without a place in the filesystem. */
    if (where[0] != '/') return 1;
    if (strncmp(where, "/memfd:", 7) == 0) return 1;
    /* A removed name says nothing about where the file's other names are. */
    if (ends_with(where, (size_t)n, DELETED_SUFFIX)) return 0;
    for (size_t i = 0; i < g->writable_count; i++) {
        const char *root = g->writable[i];
        size_t len = strlen(root);
        if (strncmp(where, root, len) == 0 && (where[len] == '\0' || where[len] == '/' || (len == 1 && root[0] == '/')))
            return 1;
    }
    return 0;
}

/* Reads the call's times into ts; returns 1 with ts filled, 0 for "now" (NULL), or -errno. */
static int read_times(const struct attr_call *c, uint32_t pid, struct timespec ts[2]) {
    if (c->a == 0) return 0;
    if (c->times == TIMES_TIMESPEC) return child_read((pid_t)pid, c->a, ts, 2 * sizeof *ts) < 0 ? -EFAULT : 1;
    if (c->times == TIMES_UTIMBUF) {
        int64_t buf[2];
        if (child_read((pid_t)pid, c->a, buf, sizeof buf) < 0) return -EFAULT;
        ts[0] = (struct timespec){buf[0], 0};
        ts[1] = (struct timespec){buf[1], 0};
        return 1;
    }
    struct timeval tv[2];
    if (child_read((pid_t)pid, c->a, tv, sizeof tv) < 0) return -EFAULT;
    for (int i = 0; i < 2; i++) {
        if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000) return -EINVAL;
        ts[i] = (struct timespec){tv[i].tv_sec, tv[i].tv_usec * 1000};
    }
    return 1;
}

/* setxattrat passes value, size and flags in a struct xattr_args. */
static int read_xattr_args(struct attr_call *c, uint32_t pid) {
    struct {
        uint64_t value;
        uint32_t size;
        uint32_t flags;
    } args;
    if (c->b == 0) return -EFAULT;
    if (child_read((pid_t)pid, c->b, &args, sizeof args) < 0) return -EFAULT;
    c->b = args.value;
    c->c = args.size;
    c->d = args.flags;
    return 0;
}

static int change(struct attr_guard *g, const struct attr_call *c, uint32_t pid, int fd) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    int rc;
    switch (c->op) {
    case OP_CHMOD:
        /* Through the magic link: the file itself, and EOPNOTSUPP for a symlink, as the kernel says. */
        rc = fchmodat(AT_FDCWD, proc, (mode_t)c->a, 0);
        break;
    case OP_CHOWN:
        rc = fchownat(fd, "", (uid_t)c->a, (gid_t)c->b, AT_EMPTY_PATH);
        break;
    case OP_UTIMES: {
        struct timespec ts[2];
        int got = read_times(c, pid, ts);
        if (got < 0) return got;
        rc = utimensat(fd, "", got ? ts : NULL, AT_EMPTY_PATH);
        break;
    }
    case OP_SETXATTR:
    case OP_REMOVEXATTR: {
        char name[XATTR_NAME_MAX_LEN + 2];
        ssize_t len = child_read_string((pid_t)pid, c->a, name, sizeof name);
        if (len < 0) return len == -ENAMETOOLONG ? -ERANGE : (int)len;
        if (c->op == OP_REMOVEXATTR) {
            rc = removexattr(proc, name);
            break;
        }
        if (c->c > ATTR_VALUE_MAX) return -E2BIG;
        if (c->c > 0 && child_read((pid_t)pid, c->b, g->value, (size_t)c->c) < 0) return -EFAULT;
        rc = setxattr(proc, name, g->value, (size_t)c->c, (int)c->d);
        break;
    }
    default:
        return -ENOSYS;
    }
    return rc < 0 ? -errno : 0;
}

int attr_guard_perform(struct attr_guard *g, const struct syscall_event *ev, const char *host_path) {
    struct attr_call c;
    decode(ev->info->nr, (const uint64_t *)ev->data.args, &c);
    if (ev->info->nr == __NR_setxattrat) {
        int rc = read_xattr_args(&c, ev->pid);
        if (rc < 0) return rc;
    }
    const char *path = host_path;
    char unread[PATH_MAX];
    if (!path && c.path_arg >= 0) {
        uint64_t addr = ev->data.args[c.path_arg];
        /* utimensat(AT_FDCWD, NULL, ...) and futimesat alike: the kernel's EFAULT. */
        if (addr == 0 && c.dirfd == AT_FDCWD_VALUE) return -EFAULT;
        if (addr != 0 && ev->path_len[0] >= 0) path = ev->paths[0];
        if (addr != 0 && ev->path_len[0] < 0) {
            /* classify could not read it: report why, and never act on a later read. */
            ssize_t n = child_read_string((pid_t)ev->pid, addr, unread, sizeof unread);
            return n < 0 ? (int)n : -EFAULT;
        }
    }
    int fd = open_target(&c, ev->pid, path);
    if (fd < 0) return fd;
    int rc = target_allowed(g, fd) ? change(g, &c, ev->pid, fd) : -EACCES;
    close(fd);
    return rc;
}
