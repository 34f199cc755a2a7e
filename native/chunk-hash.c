#define _GNU_SOURCE
#include "chunk-hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define READ_BLOCK (1u << 20)

static uint64_t rotl(uint64_t x, int r) {
    return (x << r) | (x >> (64 - r));
}

uint64_t chunk_hash(const unsigned char *data, size_t len) {
    uint64_t h = P2 ^ (uint64_t)len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, 8);
        h = rotl(h ^ (w * P1), 31) * P2;
    }
    uint64_t tail = 0;
    memcpy(&tail, data + i, len - i);
    h = rotl(h ^ (tail * P1), 27) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    return h;
}

long chunk_hashes(int fd, uint64_t size, uint32_t chunk_size, uint64_t *out, size_t n) {
    if (chunk_size == 0 || READ_BLOCK % chunk_size != 0) return -EINVAL;
    unsigned char *buf = malloc(READ_BLOCK);
    if (!buf) return -ENOMEM;
    size_t count = 0;
    uint64_t offset = 0;
    while (offset < size && count < n) {
        size_t want = size - offset < READ_BLOCK ? (size_t)(size - offset) : READ_BLOCK;
        ssize_t got = pread(fd, buf, want, (off_t)offset);
        if (got < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            free(buf);
            return -err;
        }
        if (got == 0) break;
        for (size_t at = 0; at < (size_t)got && count < n; at += chunk_size) {
            size_t len = (size_t)got - at < chunk_size ? (size_t)got - at : chunk_size;
            out[count++] = chunk_hash(buf + at, len);
        }
        offset += (uint64_t)got;
    }
    free(buf);
    return (long)count;
}
