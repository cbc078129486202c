/* glibc calls that Swift's Glibc module leaves out (it is built without _GNU_SOURCE). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>

/* malloc_trim(0): returns the free pages of every arena to the system. */
static inline int broker_trim_memory(void) {
    return malloc_trim(0);
}

/* An unnamed, writable regular file in `directory` (O_TMPFILE): it gets a name only when linked
   in (linkat through /proc/self/fd), so nobody sees it half-written and there is nothing to
   rename. -1 with errno EOPNOTSUPP (or the kernel's EISDIR/EINVAL) where the file system or the
   kernel has no such files. */
static inline int broker_open_unnamed(const char *directory, mode_t mode) {
#ifdef O_TMPFILE
    return open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
#else
    errno = EOPNOTSUPP;
    return -1;
#endif
}
