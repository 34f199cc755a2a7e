#define _GNU_SOURCE
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

/* The uapi header on build machines may predate the newer rights, so they are spelled out. */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_CHAR (1ULL << 6)
#define LL_FS_MAKE_DIR (1ULL << 7)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_MAKE_SOCK (1ULL << 9)
#define LL_FS_MAKE_FIFO (1ULL << 10)
#define LL_FS_MAKE_BLOCK (1ULL << 11)
#define LL_FS_MAKE_SYM (1ULL << 12)
#define LL_FS_REFER (1ULL << 13)    /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)               /* ABI 6 */

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

int landlock_abi(void) {
    long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return abi < 0 ? -errno : (int)abi;
}

/* Every right that changes the host: reading and executing stay unrestricted. */
static uint64_t handled_rights(int abi) {
    uint64_t rights = LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_CHAR | LL_FS_MAKE_DIR |
                      LL_FS_MAKE_REG | LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_BLOCK | LL_FS_MAKE_SYM;
    /* Without REFER handled, moving a file between directories is refused everywhere (EXDEV). */
    if (abi >= 2) rights |= LL_FS_REFER;
    if (abi >= 3) rights |= LL_FS_TRUNCATE;
    return rights;
}

static int fail(char *err, size_t err_len, int e, const char *what, const char *path) {
    if (path) snprintf(err, err_len, "%s %s: %s", what, path, strerror(e));
    else snprintf(err, err_len, "%s: %s", what, strerror(e));
    return -e;
}

static int add_writable(int ruleset, const char *path, uint64_t handled, char *err, size_t err_len) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return fail(err, err_len, errno, "cannot allow writes to", path);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return fail(err, err_len, e, "cannot allow writes to", path);
    }
    /* Rules on a file may only carry the rights that apply to files. */
    uint64_t allowed = S_ISDIR(st.st_mode) ? handled : handled & (LL_FS_WRITE_FILE | LL_FS_TRUNCATE);
    struct ll_path_beneath_attr rule = {.allowed_access = allowed, .parent_fd = fd};
    int rc = (int)syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0);
    int e = errno;
    close(fd);
    return rc < 0 ? fail(err, err_len, e, "landlock_add_rule", path) : 0;
}

int landlock_restrict(const struct host_policy *policy, char *err, size_t err_len) {
    int abi = landlock_abi();
    if (abi < 0) return fail(err, err_len, -abi, "Landlock is not available", NULL);
    struct ll_ruleset_attr attr = {.handled_access_fs = handled_rights(abi)};
    size_t attr_size = sizeof attr.handled_access_fs;
    if (abi >= 6) {
        /* Signals stay within the sandbox: programs cannot kill or stop the supervisor. */
        attr.scoped = LL_SCOPE_SIGNAL | (policy->isolate_abstract_sockets ? LL_SCOPE_ABSTRACT_UNIX_SOCKET : 0);
        attr_size = sizeof attr;
    }
    int ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, attr_size, 0);
    if (ruleset < 0) return fail(err, err_len, errno, "landlock_create_ruleset", NULL);
    int rc = 0;
    for (size_t i = 0; i < policy->writable_count && rc == 0; i++)
        rc = add_writable(ruleset, policy->writable[i], attr.handled_access_fs, err, err_len);
    if (rc == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) rc = fail(err, err_len, errno, "prctl(PR_SET_NO_NEW_PRIVS)", NULL);
    if (rc == 0 && syscall(__NR_landlock_restrict_self, ruleset, 0) < 0) rc = fail(err, err_len, errno, "landlock_restrict_self", NULL);
    close(ruleset);
    return rc;
}
