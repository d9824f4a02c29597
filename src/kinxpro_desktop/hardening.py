"""Process hardening at start: no core dumps (they would hold keys, tokens and buyer data).

Linux: RLIMIT_CORE 0 and PR_SET_DUMPABLE 0 (which also keeps other processes of the same
user from attaching a debugger or reading /proc/PID/mem). macOS and other Unixes: RLIMIT_CORE
0. Windows writes no core files by default; Windows Error Reporting dumps are a system policy.
Every step is best effort: a refusal is logged, never fatal.
"""

from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)
PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def harden_process() -> list[str]:
    """Apply what this OS offers; returns the names of the steps that took effect."""
    done: list[str] = []
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        done.append("RLIMIT_CORE=0")
    except (ImportError, ValueError, OSError) as exc:
        log.warning("could not disable core dumps (%s)", type(exc).__name__)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0:
                done.append("PR_SET_DUMPABLE=0")
            else:
                log.warning("prctl(PR_SET_DUMPABLE) refused (errno %d)", ctypes.get_errno())
        except (OSError, AttributeError) as exc:
            log.warning("could not call prctl (%s)", type(exc).__name__)
    return done


def is_dumpable() -> bool | None:
    """Linux only: whether the kernel would write a core for this process (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    return bool(ctypes.CDLL(None).prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))
