/* Metadata churn: meta DIR COUNT creates DIR, then COUNT empty files in it (open O_CREAT|O_EXCL,
 * close), stats each, unlinks each, and removes DIR. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: meta DIR COUNT\n");
        return 2;
    }
    const char *dir = argv[1];
    long count = atol(argv[2]);
    char path[4096];
    struct stat st;
    if (mkdir(dir, 0755) < 0) {
        perror(dir);
        return 1;
    }
    for (long i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/file-%06ld", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 || close(fd) < 0) {
            perror(path);
            return 1;
        }
    }
    for (long i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/file-%06ld", dir, i);
        if (stat(path, &st) < 0 || st.st_size != 0) {
            perror(path);
            return 1;
        }
    }
    for (long i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/file-%06ld", dir, i);
        if (unlink(path) < 0) {
            perror(path);
            return 1;
        }
    }
    if (rmdir(dir) < 0) {
        perror(dir);
        return 1;
    }
    return 0;
}
