/* Random reads: randread FILE COUNT [BLOCK]: COUNT preads of BLOCK bytes (default 4096) at
 * block-aligned offsets drawn by a fixed-seed xorshift, so every run reads the same blocks. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: randread FILE COUNT [BLOCK]\n");
        return 2;
    }
    long count = atol(argv[2]);
    size_t block = argc > 3 ? (size_t)atol(argv[3]) : 4096;
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        perror(argv[1]);
        return 1;
    }
    uint64_t blocks = (uint64_t)st.st_size / block, x = 0x9E3779B97F4A7C15ull, sum = 0;
    char *buf = malloc(block);
    for (long i = 0; i < count; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (pread(fd, buf, block, (off_t)((x % blocks) * block)) != (ssize_t)block) {
            perror("pread");
            return 1;
        }
        sum += (unsigned char)buf[i % block];
    }
    printf("%llu\n", (unsigned long long)sum);
    return 0;
}
