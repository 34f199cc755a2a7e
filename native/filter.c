#include "filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "syscall-table.h"

#define X32_SYSCALL_BIT 0x40000000u
/* _IOW('f', 2, long), _IOW('f', 2, int), _IOW('X', 32, struct fsxattr) */
#define FS_IOC_SETFLAGS_CMD 0x40086602u
#define FS_IOC32_SETFLAGS_CMD 0x40046602u
#define FS_IOC_FSSETXATTR_CMD 0x401c5820u

enum action { ACT_NOTIFY, ACT_TRACE, ACT_DENY, ACT_COUNT };

static enum action action_of(const struct syscall_info *s, const struct filter_options *opts) {
    if (s->kind == ROUTE_DENY) return ACT_DENY;
    if (s->kind == ROUTE_CREDS) return ACT_NOTIFY;
    if (s->kind == ROUTE_TRACE && opts->traced) return ACT_TRACE;
    return ACT_NOTIFY;
}

int filter_build(struct sock_filter *out, size_t cap, const struct filter_options *opts) {
    size_t n = 0;
    size_t entries = 0;
    for (const struct syscall_info *s = syscall_table; s->nr >= 0; s++) entries++;
    /* 6 header instructions, 7 for the network rule, 7 for ioctls, one per syscall, 4 returns. */
    if (entries + 24 > cap || entries + 10 > 255) return -1;

    /* Only the native ABI: i386 (int 0x80) and x32 calls would bypass the table. */
    out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
    out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);

    if (opts->deny_network) {
        /* socket(family, ...): the family is the low word of the first argument. */
        out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 5);
        out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
        out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 2, 0);
        out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 1, 0);
        out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_PACKET, 0, 1);
        out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES);
        out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    }

    if (opts->deny_flag_ioctls) {
        /* ioctl(fd, cmd, ...): the command is the low word of the second argument. */
        out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 5);
        out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]));
        out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FS_IOC_SETFLAGS_CMD, 2, 0);
        out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FS_IOC32_SETFLAGS_CMD, 1, 0);
        out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FS_IOC_FSSETXATTR_CMD, 0, 1);
        out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES);
        out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    }

    /* Returns sit after the comparisons: ALLOW, then one per action. */
    size_t returns = n + entries;
    size_t target[ACT_COUNT] = {returns + 1, returns + 2, returns + 3};
    for (const struct syscall_info *s = syscall_table; s->nr >= 0; s++) {
        size_t jump = target[action_of(s, opts)] - (n + 1);
        out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)s->nr, (unsigned char)jump, 0);
    }
    out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
    out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
    out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    return (int)n;
}
