#include <argon2.h>
#include <malloc.h>

/* Every Argon2 hash allocates its memory (19 MiB at the default cost). After the first such
   block is freed, glibc raises its mmap threshold and serves the next ones from the heap,
   which never shrinks, so a process kept its peak for good. A fixed threshold keeps them
   mapped, and each is handed back to the system when its hash is done. */
static inline void broker_map_large_blocks(void) {
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
}
