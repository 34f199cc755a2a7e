#define _GNU_SOURCE
#include "child-memory.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096u

ssize_t child_read_string(pid_t pid, uint64_t addr, char *buf, size_t cap) {
    size_t got = 0;
    while (got < cap) {
        /* Never read across a page boundary in one call: the next page may not be mapped. */
        size_t room = PAGE - (size_t)((addr + got) % PAGE);
        if (room > cap - got) room = cap - got;
        struct iovec local = {buf + got, room};
        struct iovec remote = {(void *)(uintptr_t)(addr + got), room};
        ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (n < 0) return -errno;
        if (n == 0) return -EFAULT;
        char *nul = memchr(buf + got, '\0', (size_t)n);
        if (nul) return nul - buf;
        got += (size_t)n;
    }
    return -ENAMETOOLONG;
}

int child_read(pid_t pid, uint64_t addr, void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        struct iovec local = {(char *)buf + done, len - done};
        struct iovec remote = {(void *)(uintptr_t)(addr + done), len - done};
        ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (n < 0) return -errno;
        if (n == 0) return -EFAULT;
        done += (size_t)n;
    }
    return 0;
}

int child_write(pid_t pid, uint64_t addr, const void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        struct iovec local = {(char *)buf + done, len - done};
        struct iovec remote = {(void *)(uintptr_t)(addr + done), len - done};
        ssize_t n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
        if (n < 0) return -errno;
        if (n == 0) return -EFAULT;
        done += (size_t)n;
    }
    return 0;
}
