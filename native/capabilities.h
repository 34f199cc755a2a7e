/*
 * Capabilities a root-run sandbox keeps. Landlock limits file writes, but root's other powers
 * (loading kernel modules, raw I/O, chroot, opening files by handle, changing immutable flags)
 * would reach around it, so under the host policy only a container runtime's usual set stays:
 * chown, DAC override, fowner, fsetid, kill, setuid/setgid, binding low ports, raw sockets,
 * writing audit records.
 */
#ifndef AGENTOS_CAPABILITIES_H
#define AGENTOS_CAPABILITIES_H

#include <stddef.h>

/*
 * Drops every other capability from the bounding, ambient, effective, permitted and inheritable
 * sets. A process without capabilities has nothing to drop. Returns 0 or -errno with a message.
 */
int drop_capabilities(char *err, size_t err_len);

#endif
