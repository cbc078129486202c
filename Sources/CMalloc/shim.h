#include <malloc.h>

/* glibc's malloc_trim, which Swift's Glibc module does not expose: returns the free pages
   of every arena to the system. */
static inline int broker_trim_memory(void) {
    return malloc_trim(0);
}
