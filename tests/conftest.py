"""Shared fixtures: the seed corpus, the evaluation kit beside the project, a built store."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"


def shared_dir() -> Path:
    """The shared kit (SPEC, gold, evaluate.py): ../shared, or $KG_SHARED."""
    return Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))


def run_kg(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run the real command line in a child process, as a researcher would."""
    p = subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True,
                       cwd=ROOT, timeout=600)
    if check and p.returncode != 0:
        raise AssertionError(f"kg {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr}")
    return p


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """The seed corpus built once for the whole session (read-only for tests)."""
    store = tmp_path_factory.mktemp("seed") / "store"
    run_kg("build", CORPUS, "--store", store, check=True)
    return store


@pytest.fixture(scope="session")
def seed_nt(built_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "seed.nt"
    run_kg("export", "--store", built_store, "--format", "nt", "--output", out, check=True)
    return out
