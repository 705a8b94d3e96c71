"""Serving processes keep native thread pools at one thread; the job worker runs at a lower CPU priority.

Both change process-wide settings, so each check runs in a child process of its own.
"""
from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow  # imports torch and faiss in a fresh interpreter
def test_a_serving_process_runs_native_code_on_one_thread():
    out = _run(
        "import faiss, torch, sys\n"
        "torch.set_num_threads(2); faiss.omp_set_num_threads(2)\n"
        "from dxmatch.process_tuning import short_thread_switches, single_threaded_native_code\n"
        "single_threaded_native_code(); short_thread_switches()\n"
        "from threadpoolctl import threadpool_info\n"
        "print(torch.get_num_threads(), faiss.omp_get_max_threads(), max(p['num_threads'] for p in threadpool_info()),"
        " sys.getswitchinterval())"
    )
    assert out.split() == ["1", "1", "1", "0.001"]


def test_the_worker_lowers_its_priority_and_a_zero_leaves_it():
    check = "import os; from dxmatch.process_tuning import lower_priority; b = os.nice(0); lower_priority({}); " \
            "print(b, os.nice(0))"
    before, after = map(int, _run(check.format(10)).split())
    assert after == min(19, before + 10)
    before, after = map(int, _run(check.format(0)).split())
    assert after == before


def test_a_serving_process_freezes_what_it_loaded_and_scans_young_objects_less_often():
    out = _run(
        "import gc\n"
        "loaded = [[i] for i in range(100_000)]  # what a warm-up loads\n"
        "from dxmatch.process_tuning import long_lived_heap\n"
        "long_lived_heap()\n"
        "print(gc.get_freeze_count() >= 100_000, gc.get_threshold()[0])"
    )
    assert out.split() == ["True", "10000"]
