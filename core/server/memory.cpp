// Heap tuning for agent-sized bodies (platform-specific: glibc only; other C libraries need nothing).

#include "proxyservice.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace d2a {

void releaseFreeMemory()
{
#if defined(__GLIBC__)
    // Platform-specific (glibc): freed heap stays with the process until trimmed; other C libraries return it
    // on their own.
    malloc_trim(0);
#endif
}

void tuneHeapForBodies()
{
#if defined(__GLIBC__)
    // Platform-specific (glibc): blocks from 128 KB up are mmap'ed and unmapped on free by default, so every
    // agent-sized body (100-300 KB, several copies per request) paid fresh page faults. Serve them from the
    // heap instead and keep freed memory for the next request; releaseFreeMemory() returns it once idle.
    static const bool done = [] {
        mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
        return true;
    }();
    Q_UNUSED(done);
#endif
}

} // namespace d2a
