"""The trained models that ship with the package, loaded lazily, once per process.

Files (rebuilt by ``make train`` from the gold texts; see README.md here for provenance):

- ``entity-none.crfsuite`` / ``entity-lac.crfsuite``: character CRFs (python-crfsuite) that label
  the 11 classes, without and with the LAC model's tags among their features;
- ``relation.json``: a logistic-regression classifier over candidate mention pairs;
- ``observation.json``: a logistic regression choosing each figure's actor;
- ``training.json``: what they were trained on. ``version()`` hashes the model files; each
  document graph names it (rkg:extractionModel).
"""
from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent


def entity_path(ner: str) -> Path:
    return HERE / f"entity-{ner}.crfsuite"


def relation_path() -> Path:
    return HERE / "relation.json"


@lru_cache(maxsize=None)
def entity_tagger(ner: str):
    """A pycrfsuite.Tagger for this --ner setting, or None when no model was trained."""
    path = entity_path(ner)
    if not path.exists():
        return None
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    log.info("entity model loaded from %s", path.name)
    return tagger


@lru_cache(maxsize=1)
def relation_model() -> dict | None:
    path = relation_path()
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def observation_path() -> Path:
    return HERE / "observation.json"


@lru_cache(maxsize=1)
def observation_model() -> dict | None:
    path = observation_path()
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def version() -> str:
    """Short hash of every model file ('' when none ships): names the models that made a graph."""
    files = sorted(p for p in HERE.iterdir() if p.suffix in (".crfsuite", ".json"))
    if not files:
        return ""
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]
