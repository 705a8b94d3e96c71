"""How serving and background processes share a machine's cores.

Web workers answer many small requests on several threads: each request encodes one query or
multiplies a few rows, where native thread pools (torch intra-op, OpenMP in FAISS, OpenBLAS) only
spin against each other and against the other request threads (a search took 69 ms of CPU for
36 ms of wall time with two pools of two threads). So a serving process keeps them at one thread.

Background jobs (index builds, publishes, bulk matching) are throughput work that must not take
the cores away from pages people are waiting for: the worker lowers its own CPU priority, both
its nice value and, where the kernel groups processes by session (CFS autogroup, the default on
many distributions), its session's.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

AUTOGROUP = Path("/proc/self/autogroup")


def single_threaded_native_code() -> None:
    """One thread in torch, FAISS's OpenMP and the BLAS libraries of this process (request threads parallelise)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # pools created later (a lazily loaded library) start at one
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)  # OpenBLAS and OpenMP already loaded (numpy, faiss)
    except ImportError:  # scikit-learn brings it; without it the pools keep their default
        pass
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    try:
        import faiss

        faiss.omp_set_num_threads(1)
    except ImportError:
        pass


def short_thread_switches(seconds: float = 0.001) -> None:
    """Hand the GIL between threads every `seconds` instead of every 5 ms.

    A request thread returning from a database query waits for the GIL until the running thread
    gives it up: at 5 ms a turn, a page of a dozen queries waited up to 60 ms under load for
    nothing but its turn. Shorter turns cost a little throughput and save most of that latency.
    """
    import sys

    sys.setswitchinterval(seconds)


def long_lived_heap(young_threshold: int = 10_000) -> None:
    """Take what a serving process loaded once (model, tokenizer, modules, its first index snapshot) out of
    the cyclic garbage collector's scans, and scan young objects less often.

    A full collection walked that whole heap, about a second of CPU during which no other thread of
    the process ran (0.4-0.8 s stalls every few seconds under load); collections of young objects ran
    several times a second. Frozen objects are still freed by reference counting when dropped (an
    older snapshot's parts); only reference cycles among them would stay, and loaded models and
    snapshots hold none that are ever dropped. Called once, when the process's warm-up has loaded them.
    """
    import gc

    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)


def lower_priority(niceness: int) -> None:
    """Run this process (and the session it leads, under CFS autogroup) at `niceness` (0: unchanged)."""
    if niceness <= 0:
        return
    try:
        os.nice(niceness)
    except OSError as exc:
        log.warning("could not lower the CPU priority: %s", exc)
    # With autogroup, nice orders processes only within their session; the session's own weight is set
    # only when this process leads it (a service, a process started in a new session), never a terminal's.
    if AUTOGROUP.exists() and os.getsid(0) == os.getpid():
        try:
            AUTOGROUP.write_text(str(niceness))
        except OSError:  # not permitted (or no autogroup support): the process nice value still applies
            pass
