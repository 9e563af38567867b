"""The embedded store: an Oxigraph database plus a cache of per-document extractions.

Layout of ``--store DIR``::

    DIR/kg-store.json         marker and format version
    DIR/oxigraph              link to the current database generation; servable as is
    DIR/oxigraph.N/           a generation of the RDF dataset (one named graph per document)
    DIR/oxigraph.N.sigs.json  the graph signatures that hold for generation N
    DIR/extractions/          one JSON file per document: what was read from it

The RDF dataset is the source of truth for what is built: a document is
skipped only if its content hash is in the dataset *and* its extraction is
cached. The default graph holds the set union of the named graphs, kept at
write time, and readers query it (not Oxigraph's union default graph, which
repeats a triple once per graph). A build writes its graph changes into a copy of the current generation
(a RocksDB checkpoint: hard links, cheap), with bulk loads that need no
transaction, and then swaps the link in one rename: a build killed at any point
leaves the old generation or the new one, never a mix. The previous generation
is kept until the next write so that readers still on it can finish.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from .errors import StoreError
from .model import Document, Evidence, Extraction, Mention, Observation, Relation

log = logging.getLogger(__name__)

FORMAT = 2           # 2: the default graph holds the union of the named graphs
MARKER = "kg-store.json"
DB = "oxigraph"
_GEN = re.compile(r"^oxigraph\.(\d+)$")
BULK_CHUNK = 100_000      # quads per bulk load: bounds the loader's memory


class Store:
    """A Reform KG store folder; open with ``Store.open(path)`` or ``Store.create(path)``."""

    def __init__(self, path: Path, oxi, lock_fd: int | None = None):
        self.path = path
        self._oxi = oxi
        self._reopen: Path | None = None    # a generation written but not opened yet
        self._lock_fd = lock_fd

    @property
    def oxi(self):
        """The pyoxigraph.Store of the current generation (opened when first needed after a write)."""
        if self._oxi is None and self._reopen is not None:
            from pyoxigraph import Store as OxStore

            self._oxi, self._reopen = OxStore(str(self._reopen)), None
        return self._oxi

    @oxi.setter
    def oxi(self, value) -> None:
        self._oxi, self._reopen = value, None

    # -- opening ---------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike, *, create: bool = False, write: bool = False) -> "Store":
        """Open a store folder; ``create`` makes it if missing, ``write`` takes the build lock."""
        from pyoxigraph import Store as OxStore

        path = Path(path)
        marker = path / MARKER
        upgrade = False
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
            if meta.get("format") == 1 and write:
                upgrade = True      # done once the database is open, below
            elif meta.get("format") == 1:
                raise StoreError(f"{path}: made by an older version; run 'kg build' on it once to upgrade it")
            elif meta.get("format") != FORMAT:
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
            if write:
                _prepare_generations(path)
            # By the generation's own path: RocksDB locks by path, and the link moves.
            oxi = OxStore(str(path / os.readlink(path / DB))) if write else _open_read(path)
        except OSError as e:
            if lock_fd is not None:
                os.close(lock_fd)
            raise StoreError(f"{path}: cannot open the database ({str(e).splitlines()[0]})") from None
        store = cls(path, oxi, lock_fd)
        if upgrade:
            store._upgrade()
        return store

    def close(self) -> None:
        if self._oxi is not None and self._lock_fd is not None:
            self._oxi.flush()
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
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def load_extraction_json(self, source: str) -> str | None:
        """The cache file's text of a document's extraction (any extractor), or None."""
        try:
            return self._cache_file(source).read_text(encoding="utf-8")
        except OSError:
            return None

    def save_extraction(self, ex: Extraction, fingerprint: str) -> None:
        self.save_extraction_json(ex.document.source, extraction_json(ex, fingerprint))

    def cached_sha(self, source: str, fingerprint: str) -> str | None:
        """Content hash of the cached extraction of a document made by this extractor, read cheaply."""
        try:
            with open(self._cache_file(source), encoding="utf-8") as fh:
                head = fh.read(4096)
        except OSError:
            return None
        m = _HEAD.match(head)
        if m is None or m.group(1) != fingerprint:
            return None
        return m.group(2)

    def save_extraction_json(self, source: str, text: str) -> None:
        """Write an extraction already encoded by ``extraction_json``."""
        f = self._cache_file(source)
        tmp = f.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, f)   # atomic: a crash leaves the old or the new file, never half of one

    # -- graphs ----------------------------------------------------------
    def graph_quads(self, graph) -> set:
        return set(self.oxi.quads_for_pattern(None, None, None, graph))

    def _generation(self) -> str | None:
        link = self.path / DB
        return os.readlink(link) if link.is_symlink() else None

    def _read_sigs(self) -> tuple[dict[str, str], int | None, int]:
        """The current generation's graph signatures, quads in its named graphs (if recorded)
        and quads written since the database was last compacted."""
        gen = self._generation()
        if gen is None:
            return {}, None, 0
        try:
            data = json.loads((self.path / f"{gen}.sigs.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}, None, 0
        if isinstance(data, dict) and isinstance(data.get("signatures"), dict):
            quads, since = data.get("quads"), data.get("uncompacted")
            return (dict(data["signatures"]), quads if isinstance(quads, int) else None,
                    since if isinstance(since, int) else 0)
        return (dict(data), None, 0) if isinstance(data, dict) else ({}, None, 0)   # before counts were kept

    def graph_signatures(self) -> dict[str, str]:
        """Graph IRI -> signature of the inputs its content was made from (see write_graphs)."""
        return self._read_sigs()[0]

    def save_signatures(self, sigs: dict[str, str]) -> None:
        """Record signatures verified against the current generation's content."""
        gen = self._generation()
        if gen is not None:
            _, quads, since = self._read_sigs()
            _write_sigs(self.path / f"{gen}.sigs.json", sigs, quads, since)

    def _new_generation(self, change, signatures: dict[str, str]) -> None:
        """Apply ``change(staging_store)`` to a copy of the current generation, then switch to it.

        ``change`` returns the new generation's count of named-graph quads and the count
        of quads it wrote, each when it knows it (None: the quads are counted when asked;
        the writes do not count towards compaction, see ``_compaction_due``).
        """
        from pyoxigraph import Store as OxStore

        gen = self._generation()
        if gen is None:
            raise StoreError(f"{self.path}: the database is not a generation link; reopen the store for writing")
        new = f"{DB}.{int(_GEN.match(gen).group(1)) + 1}"
        tmp = self.path / f"{new}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        self.oxi.flush()
        self.oxi.backup(str(tmp))
        staging = OxStore(str(tmp))
        since = self._read_sigs()[2]
        try:
            quads, written = change(staging)
            since += written or 0
            if _compaction_due(quads, since):
                staging.optimize()
                since = 0
            staging.flush()
        finally:
            del staging          # closes the database before it is renamed
        _write_sigs(self.path / f"{new}.sigs.json", signatures, quads, since)
        os.rename(tmp, self.path / new)
        _switch(self.path, new)
        self.oxi = None          # releases the old generation before the new one opens
        # opened on first use: a build that ends here does not pay for opening it
        self._reopen = self.path / new
        _drop_old_generations(self.path, keep=(new, gen))

    def write_graphs(self, graphs: list, triples_of, signatures: dict[str, str] | None = None) -> None:
        """Replace each named graph in ``graphs`` with ``triples_of(graph)``, all or nothing.

        ``triples_of`` gives (subject, predicate, object) term tuples. They are generated one
        graph at a time and bulk loaded into a new generation, so memory does not grow with
        the size of the change; ``signatures`` become the new generation's signature index
        in the same switch. The default graph is kept the set union of the named graphs
        (see ``_forget``).
        """
        if not graphs:
            return
        from pyoxigraph import Quad

        before = self.quad_count()     # counted only when no write has kept the count yet

        def change(staging):
            old = _drop_graphs(staging, graphs)
            # the dropped graphs' triples this write does not put back: only they may have
            # to leave the default graph (most of a rewritten graph comes back unchanged)
            gone = set(old)
            added = 0
            batch: list = []
            # triples this write already put in the default graph: most entity triples
            # repeat in every document that names the entity (a bounded set: it only
            # saves loading a repeat, the store keeps one copy either way)
            seen: set = set()
            for g in graphs:
                mine: set = set()       # a graph's own repeats (a sentence that states two facts)
                for t in triples_of(g):
                    if t in mine:
                        continue
                    mine.add(t)
                    if gone:
                        gone.discard(t)
                    added += 1
                    batch.append(Quad(*t, g))
                    if t not in seen:
                        seen.add(t)
                        batch.append(Quad(*t))
                if len(batch) >= BULK_CHUNK:
                    staging.bulk_extend(batch)
                    batch = []
                    if len(seen) > 4 * BULK_CHUNK:
                        seen.clear()
            if batch:
                staging.bulk_extend(batch)
            _forget(staging, gone)
            # _drop_graphs returned each dropped graph's triples (a graph holds no repeats)
            return before - len(old) + added, added
        self._new_generation(change, signatures or {})

    def replace_graphs(self, graphs: dict) -> int:
        """Replace each named graph with the given quads (none: drop it), all at once; returns graphs changed."""
        changed = {g: qs for g, qs in graphs.items() if set(qs) != self.graph_quads(g)}
        self.write_graphs(list(changed), lambda g: ((q.subject, q.predicate, q.object) for q in changed[g]),
                          self.graph_signatures())
        return len(changed)

    def load_file(self, file: str | os.PathLike, fmt, graph=None) -> None:
        """Bulk load an RDF file (into ``graph`` for triple formats), all or nothing."""
        from pyoxigraph import DefaultGraph, parse

        def change(staging):
            if graph is not None:
                old = _drop_graphs(staging, [graph])
                staging.bulk_load(path=str(file), format=fmt, to_graph=graph)
                staging.bulk_load(path=str(file), format=fmt, to_graph=DefaultGraph())
                _forget(staging, set(old))
            else:
                staging.bulk_load(path=str(file), format=fmt)
                _add_to_default(staging, parse(path=str(file), format=fmt))
            return None, None
        self._new_generation(change, self.graph_signatures())

    def _upgrade(self) -> None:
        """A format-1 store (no materialised union): fill its default graph, then mark it format 2."""
        from pyoxigraph import DefaultGraph

        def change(staging):
            staging.clear_graph(DefaultGraph())
            _add_to_default(staging, list(staging.quads_for_pattern(None, None, None, None)))
            return None, None
        self._new_generation(change, self.graph_signatures())
        _write_json(self.path / MARKER, {"format": FORMAT})

    def quads(self) -> Iterator:
        return iter(self.oxi)

    def quad_count(self) -> int:
        """Quads in the named graphs (the default graph only repeats their union)."""
        known = self._read_sigs()[1]
        if known is not None:
            return known         # kept by write_graphs: counting is a scan of the store
        q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        return int(next(iter(self.oxi.query(q)))["n"].value)


# The cache file starts {"fingerprint": "…", "document": {"source": "…", "sha256": "…": read without decoding it all.
_HEAD = re.compile(r'\{"fingerprint": "([0-9a-f]+)", "document": \{"source": "(?:[^"\\]|\\.)*", "sha256": "([0-9a-f]+)"')


def _in_default(quads) -> list:
    """The quads' triples, in the default graph."""
    from pyoxigraph import Quad
    return [Quad(q.subject, q.predicate, q.object) for q in quads]


def _add_to_default(staging, quads) -> None:
    """Add the quads' triples to the default graph, in chunks of BULK_CHUNK."""
    batch = []
    for q in quads:
        batch.append(q)
        if len(batch) >= BULK_CHUNK:
            staging.bulk_extend(_in_default(batch))
            batch = []
    staging.bulk_extend(_in_default(batch))


def _drop_graphs(staging, graphs) -> list:
    """Remove named graphs; returns their (subject, predicate, object) triples for ``_forget``."""
    old = []
    for g in graphs:
        old += [(q.subject, q.predicate, q.object) for q in staging.quads_for_pattern(None, None, None, g)]
        staging.remove_graph(g)
    return old


def _forget(staging, old: set) -> None:
    """Take out of the default graph the triples that no named graph holds any more.

    The default graph is the set union of the document graphs, kept at write time: the
    union that Oxigraph computes at query time repeats a triple once per graph holding it
    (an entity's type and label are in every document that names it), and joins over
    those repeats grow as a power of the number of documents.
    """
    from pyoxigraph import DefaultGraph, Quad

    for s, p, o in old:
        if not any(not isinstance(x.graph_name, DefaultGraph) for x in staging.quads_for_pattern(s, p, o, None)):
            staging.remove(Quad(s, p, o))


def extraction_json(ex: Extraction, fingerprint: str) -> str:
    """The cache file's text for an extraction."""
    return json.dumps({"fingerprint": fingerprint, **encode_extraction(ex)}, ensure_ascii=False)


# A write is followed by a compaction of the database (Store.optimize: RocksDB merges the
# overlapping files that bulk loads leave, and drops deleted entries) once the quads written
# since the last one reach a quarter of the store, in stores large enough for it to pay:
# on 1.1M triples it halved the saved queries' latency for about 3% of the build's time,
# and on 100K triples it would add 0.6 s to a 20 s build for queries that are fast anyway.
COMPACT_MIN_QUADS = 500_000
COMPACT_SHARE = 0.25


def _compaction_due(quads: int | None, since: int) -> bool:
    return quads is not None and quads >= COMPACT_MIN_QUADS and since >= COMPACT_SHARE * quads


def _write_sigs(f: Path, signatures: dict[str, str], quads: int | None, uncompacted: int = 0) -> None:
    _write_json(f, {"signatures": signatures, "quads": quads, "uncompacted": uncompacted})


def _write_json(f: Path, data) -> None:
    tmp = f.with_name(f.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, f)


def _switch(path: Path, target: str) -> None:
    """Point DIR/oxigraph at a generation in one atomic rename."""
    tmp_link = path / f".{DB}.link"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(target, tmp_link)
    os.replace(tmp_link, path / DB)


def _generations(path: Path) -> list[int]:
    return sorted(int(m.group(1)) for e in path.iterdir() if (m := _GEN.match(e.name)) and e.is_dir())


def _prepare_generations(path: Path) -> None:
    """Under the build lock: make DIR/oxigraph a link to a generation, finish or undo a switch."""
    link = path / DB
    if link.is_symlink():
        pass
    elif link.is_dir():
        # A store from before generations (or copied without links): its database is the
        # one readers see, so it becomes the newest generation.
        gens = _generations(path)
        name = f"{DB}.{gens[-1] + 1 if gens else 0}"
        (path / f"{name}.sigs.json").unlink(missing_ok=True)
        os.rename(link, path / name)
        _switch(path, name)
    else:
        # No link: a new store, or one killed between the two renames above.
        gens = _generations(path)
        if not gens:
            (path / f"{DB}.0").mkdir()
        _switch(path, f"{DB}.{gens[-1] if gens else 0}")
    for e in path.iterdir():
        if e.name.endswith(".tmp") and e.name.startswith(DB):
            shutil.rmtree(e, ignore_errors=True) if e.is_dir() else e.unlink()
    _drop_old_generations(path, keep=(os.readlink(link),), previous=True)
    for e in path.glob(f"{DB}.*.sigs.json"):
        if not (path / e.name[: -len(".sigs.json")]).is_dir():
            e.unlink()          # signatures of a generation that is gone


def _drop_old_generations(path: Path, keep: tuple, previous: bool = False) -> None:
    """Delete generations not in ``keep`` (with ``previous``, also the one before the current).

    A generation newer than the current one is a build killed before its switch: garbage.
    """
    current = int(_GEN.match(keep[0]).group(1))
    for n in _generations(path):
        name = f"{DB}.{n}"
        if name in keep or (previous and n == current - 1):
            continue
        shutil.rmtree(path / name, ignore_errors=True)
        (path / f"{name}.sigs.json").unlink(missing_ok=True)


def _open_read(path: Path):
    from pyoxigraph import Store as OxStore

    db = path / DB
    if not db.exists():
        # A build killed between turning a copied database into a generation and linking it
        # (_prepare_generations) leaves the generation without its link: it is still the data,
        # and the next build links it again. Readers read it rather than report no database.
        gens = _generations(path) if path.is_dir() else []
        if not gens:
            raise StoreError(f"{path}: the store has no database yet; run 'kg build' first")
        db = path / f"{DB}.{gens[-1]}"
    return OxStore.read_only(str(db))


# -- extraction cache codec ----------------------------------------------
# Cache files list each distinct mention and evidence once, in tables that relations and
# observations point into by index: a relation used to repeat both its mentions and its
# sentence in full, which made the files about three times larger and slower to read.
CODEC = 2


def encode_extraction(ex: Extraction) -> dict:
    """The cache file's data for an extraction (see ``decode_extraction``)."""
    d = ex.document
    mentions: dict[Mention, int] = {}
    evidence: dict[Evidence, int] = {}

    def mi(m: Mention) -> int:
        i = mentions.get(m)
        if i is None:
            i = mentions[m] = len(mentions)
        return i

    def ei(e: Evidence) -> int:
        i = evidence.get(e)
        if i is None:
            i = evidence[e] = len(evidence)
        return i

    listed = [mi(m) for m in ex.mentions]
    relations = [[mi(r.subject), r.prop, mi(r.object), ei(r.evidence)] for r in ex.relations]
    observations = [[mi(o.about), o.indicator, str(o.value), o.unit, o.period, ei(o.evidence)]
                    for o in ex.observations]
    out = {
        "document": {"source": d.source, "sha256": d.sha256, "title": d.title, "date": d.date,
                     **({"model": d.model} if d.model else {})},
        "codec": CODEC,
        "mentions": [[m.cls, m.text, m.sentence, m.start, m.end, m.name, m.ref, [list(a) for a in m.attrs]]
                     for m in mentions],
        "evidence": [[e.source, e.sentence, e.start, e.end] for e in evidence],
        "listed": listed,
        "relations": relations,
        "observations": observations,
    }
    if ex.keys is not None:
        out["keys"] = {"version": ex.keys_version, "keys": [ex.keys.get(m) for m in mentions]}
    return out


def decode_extraction(data: dict, keys_version: str | None = None) -> Extraction:
    """The extraction of a cache file's data; its resolution keys only if made by ``keys_version``."""
    if "codec" not in data:
        return _decode_v1(data)
    if data["codec"] != CODEC:
        raise ValueError(f"extraction cache codec {data['codec']!r}, expected {CODEC}")
    doc = Document(raw="", text="", offsets=[0], **data["document"])
    mentions = [Mention(c, t, s, a, b, n, r, tuple(map(tuple, at)) if at else ())
                for c, t, s, a, b, n, r, at in data["mentions"]]
    evidence = [Evidence(*e) for e in data["evidence"]]
    ex = Extraction(
        document=doc,
        mentions=[mentions[i] for i in data["listed"]],
        relations=[Relation(mentions[s], p, mentions[o], evidence[e]) for s, p, o, e in data["relations"]],
        observations=[Observation(mentions[a], ind, Decimal(v), u, per, evidence[e])
                      for a, ind, v, u, per, e in data["observations"]],
    )
    # The table lists each mention once, in order of first occurrence (see encode_extraction).
    occurrences = [0] * len(mentions)
    for i in data["listed"]:
        occurrences[i] += 1
    for s, _, o, _ in data["relations"]:
        occurrences[s] += 1
        occurrences[o] += 1
    for row in data["observations"]:
        occurrences[row[0]] += 1
    ex.tally = [(m, n) for m, n in zip(mentions, occurrences) if n]
    cached = data.get("keys")
    if keys_version is not None and cached and cached.get("version") == keys_version:
        ex.keys = {m: k for m, k in zip(mentions, cached["keys"]) if k is not None}
        ex.keys_version = keys_version
    return ex


def _decode_v1(data: dict) -> Extraction:
    """A cache file from before the tables (relations hold their mentions and evidence inline).

    Still read: a store keeps documents that a later build does not name, and their
    extractions take part in resolution whatever version wrote them.
    """
    doc = Document(raw="", text="", offsets=[0], **data["document"])
    memo: dict = {}

    def mention(d: dict) -> Mention:
        m = Mention(**{**d, "attrs": tuple(tuple(a) for a in d.get("attrs", ()))})
        return memo.setdefault(m, m)

    def evidence(d: dict) -> Evidence:
        e = Evidence(**d)
        return memo.setdefault(e, e)

    return Extraction(
        document=doc,
        mentions=[mention(m) for m in data["mentions"]],
        relations=[Relation(mention(r["subject"]), r["prop"], mention(r["object"]), evidence(r["evidence"]))
                   for r in data["relations"]],
        observations=[Observation(mention(o["about"]), o["indicator"], Decimal(o["value"]), o["unit"],
                                  o["period"], evidence(o["evidence"])) for o in data["observations"]],
    )
