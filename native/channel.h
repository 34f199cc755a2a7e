/*
 * Messages between the exec helper (tracer of the sandboxed processes) and the supervisor in
 * the AgentOS process, over a SOCK_SEQPACKET socketpair so each message arrives whole.
 */
#ifndef AGENTOS_CHANNEL_H
#define AGENTOS_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CHANNEL_MAX_MESSAGE 16384

enum channel_type {
    MSG_LISTENER = 1,  /* helper → supervisor: the seccomp listener fd, passed with SCM_RIGHTS */
    MSG_TRACE_REQUEST, /* helper → supervisor: execve/execveat/chdir naming a path that may be virtual */
    MSG_TRACE_REPLY,   /* supervisor → helper: an errno, or the host path (and argv[0] replacement) to use */
    MSG_EXIT,          /* helper → supervisor: the command ended; the run is over */
    MSG_ERROR,         /* helper → supervisor: the sandbox could not be set up (text) */
    MSG_SIGNAL,        /* supervisor → helper: send this signal to the command */
};

struct channel_header {
    uint32_t type;
    uint32_t length; /* of the payload that follows */
};

/* Followed by `path_len` bytes of path, then `base_len` bytes naming where a relative path starts. */
struct trace_request {
    uint32_t id;
    int32_t pid;
    int32_t nr;
    int32_t dirfd;
    int32_t flags;
    uint32_t path_len;
    uint32_t base_len;
};

/* Followed by `count` NUL-terminated strings: the new path, then replacements for argv[0]. */
struct trace_reply {
    uint32_t id;
    int32_t error; /* positive errno to fail the call with, or 0 */
    uint32_t count;
};

struct exit_message {
    int32_t code;       /* exit code, or 128 + signal */
    int32_t raw_status; /* as from waitpid */
};

/* Sends one message, optionally passing `pass_fd` (or -1). Returns 0 or -errno. */
int channel_send(int sock, uint32_t type, const void *payload, size_t length, int pass_fd);

/*
 * Receives one message: its header into `*header` and its payload into `buf`
 * (CHANNEL_MAX_MESSAGE bytes). A passed fd is stored in `*received_fd` (else -1). Returns the
 * message size (> 0), 0 at end of stream, or -errno.
 */
ssize_t channel_recv(int sock, struct channel_header *header, void *buf, int *received_fd);

#endif
