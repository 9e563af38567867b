"""The embedded store: an Oxigraph database plus a cache of per-document extractions.

Layout of ``--store DIR``::

    DIR/kg-store.json      marker and format version
    DIR/oxigraph/          the RDF dataset (one named graph per document); servable as is
    DIR/extractions/       one JSON file per document: what was read from it

The RDF dataset is the source of truth for what is built: a document is
skipped only if its content hash is in the dataset *and* its extraction is
cached. Graph changes are written in one SPARQL update, i.e. one transaction.
"""
from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from .errors import StoreError
from .model import Document, Evidence, Extraction, Mention, Observation, Relation

log = logging.getLogger(__name__)

FORMAT = 1
MARKER = "kg-store.json"


class Store:
    """A Reform KG store folder; open with ``Store.open(path)`` or ``Store.create(path)``."""

    def __init__(self, path: Path, oxi, lock_fd: int | None = None):
        self.path = path
        self.oxi = oxi          # pyoxigraph.Store
        self._lock_fd = lock_fd

    # -- opening ---------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike, *, create: bool = False, write: bool = False) -> "Store":
        """Open a store folder; ``create`` makes it if missing, ``write`` takes the build lock."""
        from pyoxigraph import Store as OxStore

        path = Path(path)
        marker = path / MARKER
        if not marker.exists():
            if not create:
                if path.exists() and any(path.iterdir()):
                    raise StoreError(f"{path}: not a Reform KG store (no {MARKER}); pass an empty or new folder")
                raise StoreError(f"{path}: no store here; build one first with 'kg build FILES --store {path}'")
            if path.exists() and any(path.iterdir()):
                raise StoreError(f"{path}: folder is not empty and not a Reform KG store; choose a new folder")
            path.mkdir(parents=True, exist_ok=True)
            (path / "extractions").mkdir(exist_ok=True)
            marker.write_text(json.dumps({"format": FORMAT}) + "\n", encoding="utf-8")
        else:
            try:
                meta = json.loads(marker.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise StoreError(f"{marker}: unreadable store marker ({e})") from None
            if meta.get("format") != FORMAT:
                raise StoreError(f"{path}: store format {meta.get('format')} is not {FORMAT}; rebuild into a new folder")
        lock_fd = None
        if write:
            lock_fd = os.open(path / ".lock", os.O_CREAT | os.O_RDWR, 0o644)
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(lock_fd)
                raise StoreError(f"{path}: another 'kg build' is writing this store; wait for it to finish") from None
        try:
            oxi = OxStore(str(path / "oxigraph")) if write else _open_read(path)
        except OSError as e:
            if lock_fd is not None:
                os.close(lock_fd)
            raise StoreError(f"{path}: cannot open the database ({str(e).splitlines()[0]})") from None
        return cls(path, oxi, lock_fd)

    def close(self) -> None:
        if self.oxi is not None and self._lock_fd is not None:
            self.oxi.flush()
        self.oxi = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- documents -------------------------------------------------------
    def documents(self) -> dict[str, str]:
        """Source name -> content hash of every document in the dataset."""
        q = """SELECT ?src ?h WHERE { GRAPH ?g { ?d a <https://w3id.org/reform-kg/ontology#Document> ;
                 <http://purl.org/dc/terms/source> ?src ;
                 <https://w3id.org/reform-kg/ontology#contentHash> ?h } }"""
        return {row["src"].value: row["h"].value for row in self.oxi.query(q)}

    def _cache_file(self, source: str) -> Path:
        return self.path / "extractions" / (hashlib.sha256(source.encode()).hexdigest()[:24] + ".json")

    def load_extraction(self, source: str, fingerprint: str | None) -> Extraction | None:
        """The cached extraction of a document, if made by the extractor with this fingerprint (None: any)."""
        f = self._cache_file(source)
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
            if fingerprint is not None and data.get("fingerprint") != fingerprint:
                return None
            return decode_extraction(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save_extraction(self, ex: Extraction, fingerprint: str) -> None:
        f = self._cache_file(ex.document.source)
        tmp = f.with_suffix(".tmp")
        data = {"fingerprint": fingerprint, **encode_extraction(ex)}
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, f)   # atomic: a crash leaves the old or the new file, never half of one

    # -- graphs ----------------------------------------------------------
    def graph_quads(self, graph) -> set:
        return set(self.oxi.quads_for_pattern(None, None, None, graph))

    def replace_graphs(self, graphs: dict) -> int:
        """Replace each named graph with the given quads, all in one transaction; returns graphs changed."""
        changed = {g: qs for g, qs in graphs.items() if set(qs) != self.graph_quads(g)}
        if not changed:
            return 0
        parts = []
        for g, qs in changed.items():
            parts.append(f"DROP SILENT GRAPH {g}")
            body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in qs)
            parts.append(f"INSERT DATA {{ GRAPH {g} {{\n{body}\n}} }}")
        self.oxi.update(" ;\n".join(parts))
        return len(changed)

    def quads(self) -> Iterator:
        return iter(self.oxi)


def _open_read(path: Path):
    from pyoxigraph import Store as OxStore

    db = path / "oxigraph"
    if not db.exists():
        raise StoreError(f"{path}: the store has no database yet; run 'kg build' first")
    return OxStore.read_only(str(db))


# -- extraction cache codec ----------------------------------------------
def encode_extraction(ex: Extraction) -> dict:
    d = ex.document
    return {
        "document": {"source": d.source, "sha256": d.sha256, "title": d.title, "date": d.date},
        "mentions": [dataclasses.asdict(m) for m in ex.mentions],
        "relations": [dataclasses.asdict(r) for r in ex.relations],
        "observations": [{**dataclasses.asdict(o), "value": str(o.value)} for o in ex.observations],
    }


def _mention(d: dict) -> Mention:
    return Mention(**{**d, "attrs": tuple(tuple(a) for a in d.get("attrs", ()))})


def decode_extraction(data: dict) -> Extraction:
    doc = Document(raw="", text="", offsets=[0], **data["document"])
    return Extraction(
        document=doc,
        mentions=[_mention(m) for m in data["mentions"]],
        relations=[Relation(_mention(r["subject"]), r["prop"], _mention(r["object"]), Evidence(**r["evidence"]))
                   for r in data["relations"]],
        observations=[Observation(_mention(o["about"]), o["indicator"], Decimal(o["value"]), o["unit"],
                                  o["period"], Evidence(**o["evidence"])) for o in data["observations"]],
    )
