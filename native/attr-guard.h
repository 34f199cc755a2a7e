/*
 * Attribute changes on host files: chmod, chown, utimes and extended attributes. Landlock has
 * no rights for these, so under the host policy the supervisor performs them itself: it opens
 * the target once, asks the kernel where that file really is, and changes exactly that file,
 * only if it lies beneath a writable path. A program that swaps a symlink, a path buffer or a
 * descriptor meanwhile cannot redirect the change.
 */
#ifndef AGENTOS_ATTR_GUARD_H
#define AGENTOS_ATTR_GUARD_H

#include <stddef.h>

#define ATTR_VALUE_MAX 65536 /* XATTR_SIZE_MAX */

struct syscall_event;

struct attr_guard {
    /* Writable host paths (real paths); with enforce 0 every target is allowed. */
    char **writable;
    size_t writable_count;
    int enforce;
    char value[ATTR_VALUE_MAX]; /* scratch for an extended attribute's value */
};

/* Whether `nr` changes attributes of the file it names. */
int attr_guard_covers(int nr);

/* Replaces the writable paths and turns enforcement on. Returns 0 or -ENOMEM. */
int attr_guard_set_writable(struct attr_guard *g, const char *const *paths, size_t count);

void attr_guard_free(struct attr_guard *g);

/*
 * Performs the attribute call in `ev` for its process. `host_path`, when not NULL, replaces the
 * call's path (an absolute host path the handler resolved). Returns the call's result: 0 or
 * -errno (EACCES when the policy forbids the target).
 */
int attr_guard_perform(struct attr_guard *g, const struct syscall_event *ev, const char *host_path);

#endif
