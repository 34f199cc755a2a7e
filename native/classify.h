/*
 * Deciding whether a trapped call may touch the agent filesystem. "Host" answers must be
 * certain (the call is then continued in the kernel); anything that might name the mount is
 * "virtual" and goes to the supervisor's handler, which resolves it fully.
 */
#ifndef AGENTOS_CLASSIFY_H
#define AGENTOS_CLASSIFY_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define MAX_MOUNT_COMPONENTS 32

/* An absolute path with its components, to spot relative paths that could climb into it. */
struct path_prefix {
    char path[PATH_MAX];
    size_t len;
    char components[MAX_MOUNT_COMPONENTS][NAME_MAX + 1];
    int component_count;
};

struct mount_config {
    char mount[PATH_MAX]; /* where the agent filesystem appears, e.g. "/agent" */
    size_t mount_len;
    char cache[PATH_MAX]; /* the run's private cache directory (materialized files, placeholders) */
    size_t cache_len;
    /* Components of the mount path, to spot relative paths that could climb into it. */
    char components[MAX_MOUNT_COMPONENTS][NAME_MAX + 1];
    int component_count;
    /* The directory holding every run's cache: programs naming it get ENOENT. */
    struct path_prefix hidden;
};

/*
 * Fills a mount_config; returns 0 or -EINVAL for a mount or cache that is not absolute. The
 * hidden directory is the cache's parent.
 */
int mount_config_init(struct mount_config *m, const char *mount, const char *cache);

/* Whether an absolute path lexically names the hidden cache directory or something in it. */
int absolute_is_hidden(const struct mount_config *m, const char *path);

/* Whether `base` joined with relative `path` lexically lies in the hidden cache directory. */
int join_is_hidden(const struct mount_config *m, const char *base, const char *path);

/* Whether the absolute path `path` names the mount or something under it (lexically). */
int absolute_is_virtual(const struct mount_config *m, const char *path);

/* Whether a host location (a readlink of /proc/<tid>/cwd or /proc/<tid>/fd/N) is one of ours. */
int link_is_virtual(const struct mount_config *m, const char *link);

/*
 * Whether a relative path could leave the directory it starts from and reach the mount or the
 * hidden cache directory: it has a ".." component, or its first component is one of theirs.
 */
int relative_could_reach_mount(const struct mount_config *m, const char *path);

/* Whether `base` (a host directory) joined with relative `path` lexically lies under the mount. */
int join_is_virtual(const struct mount_config *m, const char *base, const char *path);

/* readlink of /proc/<tid>/<what> ("cwd" or "fd/N") into buf; returns length or -errno. */
ssize_t read_proc_link(pid_t tid, const char *what, char *buf, size_t cap);

#endif
