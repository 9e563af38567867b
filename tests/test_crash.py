"""A build killed with SIGKILL leaves the store as before or as after; the next build recovers."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

from conftest import CORPUS, ROOT, run_kg
from kg.store import Store

FIRST = CORPUS / "002_3f82f7dc589cad46.txt"
SECOND = CORPUS / "004_423b48c048a31880.txt"


def _quads(store) -> frozenset:
    with Store.open(store) as st:
        return frozenset(map(str, st.quads()))


def test_sigkill_at_random_points_never_corrupts_the_store(tmp_path):
    base = tmp_path / "base"
    run_kg("build", FIRST, "--store", base, check=True)
    before = _quads(base)
    done = tmp_path / "done"
    shutil.copytree(base, done)
    t0 = time.monotonic()
    run_kg("build", SECOND, "--store", done, check=True)
    full = time.monotonic() - t0
    after = _quads(done)
    assert after > before

    rng = random.Random()
    outcomes = []
    for i in range(20):
        store = tmp_path / f"run{i}"
        shutil.copytree(base, store)
        proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(SECOND), "--store", str(store)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, full * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = _quads(store)
        assert state in (before, after), f"run {i}: store is neither as before nor as after the build"
        outcomes.append("after" if state == after else "before")
        if i % 5 == 4:   # the next build finishes the job
            run_kg("build", SECOND, "--store", store, check=True)
            assert _quads(store) == after
        shutil.rmtree(store)
    print("kill outcomes:", outcomes)


def test_first_build_killed_early_can_be_redone(tmp_path):
    store = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(FIRST), "--store", str(store)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    run_kg("build", FIRST, "--store", store, check=True)
    p = run_kg("build", FIRST, "--store", store, check=True)
    assert "1 unchanged" in p.stderr


def test_a_store_killed_between_its_generation_rename_and_link_still_reads(tmp_path):
    """Regression: a build killed right after it renamed a copied database into a generation,
    before linking it, left a store that every reader called empty ("no database yet")."""
    base = tmp_path / "base"
    run_kg("build", FIRST, "--store", base, check=True)
    before = _quads(base)
    copy = tmp_path / "copy"
    shutil.copytree(base, copy)          # the link is followed: DIR/oxigraph is a plain folder
    from kg.store import DB
    gens = sorted(p.name for p in copy.glob(f"{DB}.*") if p.is_dir())
    n = int(gens[-1].split(".")[1]) + 1 if gens else 0
    os.rename(copy / DB, copy / f"{DB}.{n}")      # where the killed build stopped
    assert not (copy / DB).exists()
    assert _quads(copy) == before
    run_kg("build", SECOND, "--store", copy, check=True)
    assert _quads(copy) > before
