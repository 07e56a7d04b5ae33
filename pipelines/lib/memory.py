"""Hand freed heap memory back to the operating system between the big phases of a run."""

import ctypes
import functools
import sys


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018  (glibc only: musl has no malloc_trim)
    except (OSError, AttributeError):
        return None
    return libc


def release_freed_memory() -> bool:
    """`malloc_trim(0)`: glibc keeps the pages of freed allocations (Python objects, buffers of
    libraries on the system allocator) in its arenas for reuse, so a process that has just
    dropped a year loop's frames keeps their size in RSS. Memory of allocators of their own
    (Polars' jemalloc) is not touched. Returns whether memory was released (False off glibc)."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0))
