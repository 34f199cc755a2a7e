#include "syscall-table.h"

#include <stddef.h>
#include <sys/syscall.h>

#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_faccessat2
#define __NR_faccessat2 439
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463
#define __NR_getxattrat 464
#define __NR_listxattrat 465
#define __NR_removexattrat 466
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#define __NR_io_uring_enter 426
#define __NR_io_uring_register 427
#endif

#define P(path) {{NO_ARG, path}, {NO_ARG, NO_ARG}}
#define PP(a, b) {{NO_ARG, a}, {NO_ARG, b}}
#define AT(dirfd, path) {{dirfd, path}, {NO_ARG, NO_ARG}}
#define AT2(d1, p1, d2, p2) {{d1, p1}, {d2, p2}}
#define NOPATH {{NO_ARG, NO_ARG}, {NO_ARG, NO_ARG}}

#define NOTIFY(n, paths, fd, flags) {__NR_##n, #n, ROUTE_NOTIFY, paths, fd, flags, 0}

const struct syscall_info syscall_table[] = {
    NOTIFY(open, P(0), NO_ARG, NO_ARG),
    NOTIFY(openat, AT(0, 1), NO_ARG, NO_ARG),
    NOTIFY(openat2, AT(0, 1), NO_ARG, NO_ARG),
    NOTIFY(creat, P(0), NO_ARG, NO_ARG),
    NOTIFY(stat, P(0), NO_ARG, NO_ARG),
    NOTIFY(lstat, P(0), NO_ARG, NO_ARG),
    NOTIFY(fstat, NOPATH, 0, NO_ARG),
    NOTIFY(newfstatat, AT(0, 1), NO_ARG, 3),
    NOTIFY(statx, AT(0, 1), NO_ARG, 2),
    NOTIFY(access, P(0), NO_ARG, NO_ARG),
    NOTIFY(faccessat, AT(0, 1), NO_ARG, NO_ARG),
    NOTIFY(faccessat2, AT(0, 1), NO_ARG, 3),
    NOTIFY(readlink, P(0), NO_ARG, NO_ARG),
    NOTIFY(readlinkat, AT(0, 1), NO_ARG, NO_ARG),
    NOTIFY(mkdir, P(0), NO_ARG, NO_ARG),
    NOTIFY(mkdirat, AT(0, 1), NO_ARG, NO_ARG),
    NOTIFY(mknod, P(0), NO_ARG, NO_ARG),
    NOTIFY(mknodat, AT(0, 1), NO_ARG, NO_ARG),
    NOTIFY(unlink, P(0), NO_ARG, NO_ARG),
    NOTIFY(unlinkat, AT(0, 1), NO_ARG, NO_ARG),
    NOTIFY(rmdir, P(0), NO_ARG, NO_ARG),
    NOTIFY(rename, PP(0, 1), NO_ARG, NO_ARG),
    NOTIFY(renameat, AT2(0, 1, 2, 3), NO_ARG, NO_ARG),
    NOTIFY(renameat2, AT2(0, 1, 2, 3), NO_ARG, NO_ARG),
    NOTIFY(link, PP(0, 1), NO_ARG, NO_ARG),
    NOTIFY(linkat, AT2(0, 1, 2, 3), NO_ARG, 4),
    /* symlink's first argument is the link's content, never resolved: only the new name counts. */
    NOTIFY(symlink, P(1), NO_ARG, NO_ARG),
    NOTIFY(symlinkat, AT(1, 2), NO_ARG, NO_ARG),
    NOTIFY(chmod, P(0), NO_ARG, NO_ARG),
    NOTIFY(fchmod, NOPATH, 0, NO_ARG),
    NOTIFY(fchmodat, AT(0, 1), NO_ARG, NO_ARG),
    NOTIFY(fchmodat2, AT(0, 1), NO_ARG, 3),
    NOTIFY(chown, P(0), NO_ARG, NO_ARG),
    NOTIFY(lchown, P(0), NO_ARG, NO_ARG),
    NOTIFY(fchown, NOPATH, 0, NO_ARG),
    NOTIFY(fchownat, AT(0, 1), NO_ARG, 4),
    NOTIFY(utime, P(0), NO_ARG, NO_ARG),
    NOTIFY(utimes, P(0), NO_ARG, NO_ARG),
    {__NR_utimensat, "utimensat", ROUTE_NOTIFY, AT(0, 1), NO_ARG, 3, 1},
    {__NR_futimesat, "futimesat", ROUTE_NOTIFY, AT(0, 1), NO_ARG, NO_ARG, 1},
    NOTIFY(truncate, P(0), NO_ARG, NO_ARG),
    NOTIFY(ftruncate, NOPATH, 0, NO_ARG),
    NOTIFY(getcwd, NOPATH, NO_ARG, NO_ARG),
    NOTIFY(statfs, P(0), NO_ARG, NO_ARG),
    NOTIFY(fstatfs, NOPATH, 0, NO_ARG),
    NOTIFY(getdents, NOPATH, 0, NO_ARG),
    NOTIFY(getdents64, NOPATH, 0, NO_ARG),
    /* Closing a written file is a durability point: its content is committed before close returns. */
    NOTIFY(close, NOPATH, 0, NO_ARG),
    NOTIFY(dup2, NOPATH, 1, NO_ARG),
    NOTIFY(dup3, NOPATH, 1, NO_ARG),
    NOTIFY(close_range, NOPATH, NO_ARG, NO_ARG),
    NOTIFY(fsync, NOPATH, 0, NO_ARG),
    NOTIFY(fdatasync, NOPATH, 0, NO_ARG),
    NOTIFY(syncfs, NOPATH, 0, NO_ARG),
    NOTIFY(sync, NOPATH, NO_ARG, NO_ARG),
    NOTIFY(setxattr, P(0), NO_ARG, NO_ARG),
    NOTIFY(lsetxattr, P(0), NO_ARG, NO_ARG),
    NOTIFY(fsetxattr, NOPATH, 0, NO_ARG),
    NOTIFY(getxattr, P(0), NO_ARG, NO_ARG),
    NOTIFY(lgetxattr, P(0), NO_ARG, NO_ARG),
    NOTIFY(fgetxattr, NOPATH, 0, NO_ARG),
    NOTIFY(listxattr, P(0), NO_ARG, NO_ARG),
    NOTIFY(llistxattr, P(0), NO_ARG, NO_ARG),
    NOTIFY(flistxattr, NOPATH, 0, NO_ARG),
    NOTIFY(removexattr, P(0), NO_ARG, NO_ARG),
    NOTIFY(lremovexattr, P(0), NO_ARG, NO_ARG),
    NOTIFY(fremovexattr, NOPATH, 0, NO_ARG),
    NOTIFY(setxattrat, AT(0, 1), NO_ARG, 2),
    NOTIFY(getxattrat, AT(0, 1), NO_ARG, 2),
    NOTIFY(listxattrat, AT(0, 1), NO_ARG, 2),
    NOTIFY(removexattrat, AT(0, 1), NO_ARG, 2),
    NOTIFY(inotify_add_watch, P(1), NO_ARG, NO_ARG),
    NOTIFY(name_to_handle_at, AT(0, 1), NO_ARG, 4),
    {__NR_execve, "execve", ROUTE_TRACE, P(0), NO_ARG, NO_ARG, 0},
    {__NR_execveat, "execveat", ROUTE_TRACE, AT(0, 1), NO_ARG, 4, 0},
    {__NR_chdir, "chdir", ROUTE_TRACE, P(0), NO_ARG, NO_ARG, 0},
#define CREDS(n) {__NR_##n, #n, ROUTE_CREDS, NOPATH, NO_ARG, NO_ARG, 0}
    CREDS(umask),
    CREDS(setuid),
    CREDS(setgid),
    CREDS(setreuid),
    CREDS(setregid),
    CREDS(setresuid),
    CREDS(setresgid),
    CREDS(setfsuid),
    CREDS(setfsgid),
    CREDS(setgroups),
    {__NR_io_uring_setup, "io_uring_setup", ROUTE_DENY, NOPATH, NO_ARG, NO_ARG, 0},
    {__NR_io_uring_enter, "io_uring_enter", ROUTE_DENY, NOPATH, NO_ARG, NO_ARG, 0},
    {__NR_io_uring_register, "io_uring_register", ROUTE_DENY, NOPATH, NO_ARG, NO_ARG, 0},
    {-1, NULL, ROUTE_NONE, NOPATH, NO_ARG, NO_ARG, 0},
};

#define MAX_NR 512
static const struct syscall_info *by_nr[MAX_NR];
static int indexed;

const struct syscall_info *syscall_lookup(int nr) {
    if (!indexed) {
        for (const struct syscall_info *s = syscall_table; s->nr >= 0; s++)
            if (s->nr < MAX_NR) by_nr[s->nr] = s;
        indexed = 1;
    }
    return nr >= 0 && nr < MAX_NR ? by_nr[nr] : NULL;
}
