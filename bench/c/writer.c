/* Bulk writer: writer FILE MIB writes MIB MiB of pseudo-random bytes (xorshift, so no chunk
 * repeats) in 1 MiB write(2) calls, then closes the file. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BLOCK (1 << 20)

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: writer FILE MIB\n");
        return 2;
    }
    long mib = atol(argv[2]);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    uint64_t *buf = malloc(BLOCK), x = 0x9E3779B97F4A7C15ull;
    for (long b = 0; b < mib; b++) {
        for (size_t i = 0; i < BLOCK / sizeof *buf; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[i] = x;
        }
        for (size_t done = 0; done < BLOCK;) {
            ssize_t n = write(fd, (char *)buf + done, BLOCK - done);
            if (n < 0) {
                perror("write");
                return 1;
            }
            done += (size_t)n;
        }
    }
    if (close(fd) < 0) {
        perror("close");
        return 1;
    }
    return 0;
}
