#define _GNU_SOURCE
#include "host-ops.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum op_state { OP_IDLE, OP_REQUESTED, OP_DONE, OP_STOP };

struct host_ops {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    enum op_state state;
    long nr;
    long args[6];
    long result;
    /* Set up by the thread itself: Landlock restricts only the thread that asks. */
    const struct host_policy *policy;
    int setup_error;
    char *err;
    size_t err_len;
};

static void set_state(struct host_ops *ops, enum op_state state) {
    ops->state = state;
    pthread_cond_broadcast(&ops->changed);
}

/*
 * The thread gets its own umask (0: callers pass modes already masked with the program's
 * umask) and then its restriction.
 */
static int set_up_thread(struct host_ops *ops) {
    if (unshare(CLONE_FS) < 0) {
        int e = errno;
        snprintf(ops->err, ops->err_len, "unshare(CLONE_FS): %s", strerror(e));
        return -e;
    }
    umask(0);
    return ops->policy ? landlock_restrict(ops->policy, ops->err, ops->err_len) : 0;
}

static void *serve(void *arg) {
    struct host_ops *ops = arg;
    int rc = set_up_thread(ops);
    pthread_mutex_lock(&ops->lock);
    ops->setup_error = rc;
    set_state(ops, OP_DONE);
    while (rc == 0) {
        while (ops->state != OP_REQUESTED && ops->state != OP_STOP) pthread_cond_wait(&ops->changed, &ops->lock);
        if (ops->state == OP_STOP) break;
        long r = syscall(ops->nr, ops->args[0], ops->args[1], ops->args[2], ops->args[3], ops->args[4], ops->args[5]);
        ops->result = r < 0 ? -errno : r;
        set_state(ops, OP_DONE);
    }
    pthread_mutex_unlock(&ops->lock);
    return NULL;
}

struct host_ops *host_ops_start(const struct host_policy *policy, char *err, size_t err_len) {
    struct host_ops *ops = calloc(1, sizeof *ops);
    if (!ops) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&ops->lock, NULL);
    pthread_cond_init(&ops->changed, NULL);
    ops->state = OP_IDLE;
    ops->policy = policy;
    ops->err = err;
    ops->err_len = err_len;
    /* The thread takes no signals: they belong to Node's main thread. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&ops->thread, NULL, serve, ops);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, err_len, "pthread_create: %s", strerror(rc));
        free(ops);
        return NULL;
    }
    pthread_mutex_lock(&ops->lock);
    while (ops->state != OP_DONE) pthread_cond_wait(&ops->changed, &ops->lock);
    int setup_error = ops->setup_error;
    ops->state = OP_IDLE;
    ops->policy = NULL;
    pthread_mutex_unlock(&ops->lock);
    if (setup_error != 0) {
        pthread_join(ops->thread, NULL);
        pthread_mutex_destroy(&ops->lock);
        pthread_cond_destroy(&ops->changed);
        free(ops);
        return NULL;
    }
    return ops;
}

long host_ops_call(struct host_ops *ops, long nr, const long args[6]) {
    pthread_mutex_lock(&ops->lock);
    ops->nr = nr;
    memcpy(ops->args, args, sizeof ops->args);
    set_state(ops, OP_REQUESTED);
    while (ops->state != OP_DONE) pthread_cond_wait(&ops->changed, &ops->lock);
    long result = ops->result;
    ops->state = OP_IDLE;
    pthread_mutex_unlock(&ops->lock);
    return result;
}

void host_ops_stop(struct host_ops *ops) {
    if (!ops) return;
    pthread_mutex_lock(&ops->lock);
    set_state(ops, OP_STOP);
    pthread_mutex_unlock(&ops->lock);
    pthread_join(ops->thread, NULL);
    pthread_mutex_destroy(&ops->lock);
    pthread_cond_destroy(&ops->changed);
    free(ops);
}
