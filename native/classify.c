#define _GNU_SOURCE
#include "classify.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Splits an absolute path into its components; returns how many fit. */
static int split_components(const char *path, char components[][NAME_MAX + 1]) {
    int count = 0;
    const char *p = path;
    while (*p && count < MAX_MOUNT_COMPONENTS) {
        while (*p == '/') p++;
        const char *end = strchrnul(p, '/');
        size_t len = (size_t)(end - p);
        if (len > 0 && len <= NAME_MAX) {
            memcpy(components[count], p, len);
            components[count][len] = '\0';
            count++;
        }
        p = end;
    }
    return count;
}

int mount_config_init(struct mount_config *m, const char *mount, const char *cache) {
    size_t ml = strlen(mount), cl = strlen(cache);
    if (mount[0] != '/' || cache[0] != '/' || ml >= PATH_MAX || cl >= PATH_MAX) return -EINVAL;
    while (ml > 1 && mount[ml - 1] == '/') ml--;
    while (cl > 1 && cache[cl - 1] == '/') cl--;
    memcpy(m->mount, mount, ml);
    m->mount[ml] = '\0';
    m->mount_len = ml;
    memcpy(m->cache, cache, cl);
    m->cache[cl] = '\0';
    m->cache_len = cl;
    m->component_count = split_components(m->mount, m->components);
    size_t hl = cl;
    while (hl > 1 && m->cache[hl - 1] != '/') hl--;
    if (hl > 1) hl--;
    memcpy(m->hidden.path, m->cache, hl);
    m->hidden.path[hl] = '\0';
    m->hidden.len = hl;
    m->hidden.component_count = split_components(m->hidden.path, m->hidden.components);
    return 0;
}

/* Lexically normalizes an absolute path ("." and ".." and repeated slashes); returns its length. */
static size_t normalize(const char *in, char *out, size_t cap) {
    size_t len = 0;
    out[0] = '/';
    len = 1;
    const char *p = in;
    while (*p) {
        while (*p == '/') p++;
        if (!*p) break;
        const char *end = strchrnul(p, '/');
        size_t n = (size_t)(end - p);
        if (n == 1 && p[0] == '.') {
            /* stays */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 1 && out[len - 1] != '/') len--;
            if (len > 1) len--;
        } else {
            if (len > 1) {
                if (len + 1 >= cap) break;
                out[len++] = '/';
            }
            if (len + n >= cap) n = cap - len - 1;
            memcpy(out + len, p, n);
            len += n;
        }
        p = end;
    }
    out[len] = '\0';
    return len;
}

static int under(const char *path, size_t len, const char *prefix, size_t plen) {
    if (len < plen || memcmp(path, prefix, plen) != 0) return 0;
    return len == plen || path[plen] == '/' || plen == 1;
}

/* A path needs normalizing when it has "//", "/./", "/../" or ends in "/." or "/..". */
static int is_canonical(const char *path) {
    for (const char *p = path; *p; p++) {
        if (p[0] != '/') continue;
        if (p[1] == '/') return 0;
        if (p[1] == '.' && (p[2] == '/' || p[2] == '\0')) return 0;
        if (p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0')) return 0;
    }
    return 1;
}

static int absolute_is_under(const char *path, const char *prefix, size_t prefix_len) {
    size_t len = strlen(path);
    if (under(path, len, prefix, prefix_len)) return 1;
    if (is_canonical(path)) return 0;
    char norm[PATH_MAX];
    size_t nlen = normalize(path, norm, sizeof norm);
    return under(norm, nlen, prefix, prefix_len);
}

int absolute_is_virtual(const struct mount_config *m, const char *path) {
    return absolute_is_under(path, m->mount, m->mount_len);
}

/* The root directory is never hidden: a cache directly under "/" hides nothing. */
int absolute_is_hidden(const struct mount_config *m, const char *path) {
    return m->hidden.len > 1 && absolute_is_under(path, m->hidden.path, m->hidden.len);
}

int link_is_virtual(const struct mount_config *m, const char *link) {
    return under(link, strlen(link), m->cache, m->cache_len);
}

static int is_component_of(const char components[][NAME_MAX + 1], int count, const char *name, size_t len) {
    for (int i = 0; i < count; i++)
        if (strlen(components[i]) == len && memcmp(components[i], name, len) == 0) return 1;
    return 0;
}

int relative_could_reach_mount(const struct mount_config *m, const char *path) {
    const char *first_end = strchrnul(path, '/');
    size_t first_len = (size_t)(first_end - path);
    if (is_component_of(m->components, m->component_count, path, first_len)) return 1;
    if (is_component_of(m->hidden.components, m->hidden.component_count, path, first_len)) return 1;
    for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2) {
        int starts = p == path || p[-1] == '/';
        int ends = p[2] == '\0' || p[2] == '/';
        if (starts && ends) return 1;
    }
    return 0;
}

int join_is_virtual(const struct mount_config *m, const char *base, const char *path) {
    char joined[PATH_MAX * 2];
    int n = snprintf(joined, sizeof joined, "%s/%s", base, path);
    if (n < 0 || (size_t)n >= sizeof joined) return 1; /* too long to judge here: let the handler decide */
    return absolute_is_virtual(m, joined);
}

int join_is_hidden(const struct mount_config *m, const char *base, const char *path) {
    char joined[PATH_MAX * 2];
    int n = snprintf(joined, sizeof joined, "%s/%s", base, path);
    return n > 0 && (size_t)n < sizeof joined && absolute_is_hidden(m, joined);
}

ssize_t read_proc_link(pid_t tid, const char *what, char *buf, size_t cap) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/%d/%s", (int)tid, what);
    ssize_t n = readlink(proc, buf, cap - 1);
    if (n < 0) return -errno;
    buf[n] = '\0';
    return n;
}
