/* Fingerprints of a file's fixed-size chunks, to write back only the chunks that changed. */
#ifndef AGENTOS_CHUNK_HASH_H
#define AGENTOS_CHUNK_HASH_H

#include <stddef.h>
#include <stdint.h>

/* A 64-bit hash of `len` bytes (word-at-a-time; not cryptographic). */
uint64_t chunk_hash(const unsigned char *data, size_t len);

/*
 * Hashes every `chunk_size`-byte chunk of the first `size` bytes of `fd` into out[0..n).
 * Returns the number of chunks hashed or -errno.
 */
long chunk_hashes(int fd, uint64_t size, uint32_t chunk_size, uint64_t *out, size_t n);

#endif
