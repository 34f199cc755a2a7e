#define _GNU_SOURCE
#include "capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CAP_BIT(c) (1ULL << (c))
#define KEPT                                                                                                    \
    (CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_FOWNER) | CAP_BIT(CAP_FSETID) |             \
     CAP_BIT(CAP_KILL) | CAP_BIT(CAP_SETGID) | CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_NET_BIND_SERVICE) |           \
     CAP_BIT(CAP_NET_RAW) | CAP_BIT(CAP_AUDIT_WRITE))
#define LAST_CAP_GUESS 63

static int fail(char *err, size_t err_len, const char *what) {
    int e = errno;
    snprintf(err, err_len, "%s: %s", what, strerror(e));
    return -e;
}

int drop_capabilities(char *err, size_t err_len) {
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) < 0) return fail(err, err_len, "capget");
    uint64_t effective = data[0].effective | ((uint64_t)data[1].effective << 32);
    uint64_t permitted = data[0].permitted | ((uint64_t)data[1].permitted << 32);
    if (permitted == 0) return 0;
    /* Dropping from the bounding set needs CAP_SETPCAP, which goes last with the others. */
    if (effective & CAP_BIT(CAP_SETPCAP)) {
        for (int cap = 0; cap <= LAST_CAP_GUESS; cap++) {
            if (KEPT & CAP_BIT(cap)) continue;
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return fail(err, err_len, "prctl(PR_CAPBSET_DROP)");
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return fail(err, err_len, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
    for (int i = 0; i < 2; i++) {
        uint32_t keep = (uint32_t)(KEPT >> (32 * i));
        data[i].effective &= keep;
        data[i].permitted &= keep;
        data[i].inheritable &= keep;
    }
    if (syscall(SYS_capset, &header, data) < 0) return fail(err, err_len, "capset");
    return 0;
}
