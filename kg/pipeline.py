"""The pipeline: files → Extraction per document → resolution → named graphs in the store.

    normalise → segment → recognise → outline → relate → observe   (per document, cached)
    resolve → graph → store                                        (over all documents)
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .model import Extraction

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm")
PACKAGED = object()     # Extractor(entity_crf=...): the model shipped in kg/models


@dataclass
class BuildReport:
    """What a build did, document by document."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)   # (file, one-line reason)
    graphs_changed: int = 0
    triples: int = 0

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated",
                 f"{len(self.skipped)} unchanged (skipped)"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return ", ".join(parts) + f"; {self.graphs_changed} document graphs written, {self.triples} triples in store"


def collect_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """Expand folders into their text files; returns (explicit files, files found in folders)."""
    explicit, found = [], []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                            and not any(part.startswith(".") for part in f.relative_to(p).parts))
        elif p.exists():
            explicit.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    if not explicit and not found:
        raise InputError(f"no .txt, .md or .html files in {', '.join(map(str, paths))}")
    return explicit, found


class Extractor:
    """Runs the per-document stages; holds the segmenter so its dictionary loads once per process."""

    def __init__(self, max_bytes: int | None = None, ner: str | None = None, threads: int | None = None,
                 entity_crf=PACKAGED, relation_model=PACKAGED, observation_model=PACKAGED, models: str = "shipped"):
        from .ner import check_setting

        self._segmenter = None
        # characters this process will extract, when known: a small job reads jieba's
        # tables from the word table file instead of loading them (see Segmenter)
        self.expected_chars: int | None = None
        self.max_bytes = max_bytes
        self.ner = check_setting(ner)      # "lac" or "none"; the model itself loads on first use
        self.models = check_models(models)
        if self.models == "none":          # the grammars alone
            entity_crf = relation_model = observation_model = None
        self.threads = threads
        # the learned labeller: the packaged model for this --ner setting, or one given
        # (cross-validation passes each fold's own), or None for the grammars alone
        self._entity_crf = entity_crf
        self._relation_model = relation_model
        self._observation_model = observation_model
        self._packaged = entity_crf is PACKAGED and relation_model is PACKAGED and observation_model is PACKAGED

    @property
    def entity_crf(self):
        if self._entity_crf is PACKAGED:
            from .models import entity_tagger
            self._entity_crf = entity_tagger(self.ner)
        return self._entity_crf

    @property
    def relation_model(self):
        if self._relation_model is PACKAGED:
            from .models import relation_model
            self._relation_model = relation_model()
        if isinstance(self._relation_model, dict):      # as trained: weights into one matrix, once
            from .relation_model import compiled
            self._relation_model = compiled(self._relation_model)
        return self._relation_model

    @property
    def observation_model(self):
        if self._observation_model is PACKAGED:
            from .models import observation_model
            self._observation_model = observation_model()
        return self._observation_model

    def model_id(self) -> str:
        """Which learned models read the documents: "<--ner setting>:<model files' hash>"."""
        if self.entity_crf is None and self.relation_model is None and self.observation_model is None:
            return ""
        if not self._packaged:
            return f"{self.ner}:given"       # models handed in (cross-validation folds)
        from .models import version
        return f"{self.ner}:{version()}"

    def lac_tagger(self):
        from .ner import tagger as lac_tagger
        return lac_tagger(self.threads)

    @property
    def segmenter(self):
        if self._segmenter is None:
            from .segment import LAZY_CHARS, Segmenter
            large = self.expected_chars is not None and self.expected_chars > LAZY_CHARS
            self._segmenter = Segmenter(lazy_chars=0 if large else None)
        return self._segmenter

    def read(self, path: Path):
        from .normalise import read_document
        from .segment import split_sentences

        doc = read_document(path, self.max_bytes) if self.max_bytes else read_document(path)
        doc.sentences = split_sentences(doc)
        return doc

    def extract(self, doc) -> Extraction:
        from .entity_model import label
        from .observe import observe
        from .outline import outline
        from .recognise import recognition
        from .relate import relate
        from .observation_model import attach
        from .relation_model import classify

        tagger = self.lac_tagger() if self.ner == "lac" else None
        rec = recognition(doc, self.segmenter, tagger)
        mentions = label(doc, rec, self.entity_crf, self.ner == "lac")
        doc.model = self.model_id()
        more, relations = outline(doc, mentions, self.segmenter)
        mentions = mentions + more
        # a policy known only by the title given to the document has no place in any sentence
        placed = [m for m in mentions if m.end > m.start]
        relations = classify(doc, placed, relations + relate(doc, placed), self.relation_model)
        observations = attach(doc, placed, observe(doc, placed), self.observation_model)
        return Extraction(doc, mentions, relations, observations)


_STAGES = ("model", "normalise", "segment", "wordtable", "gazetteer", "grammar", "find_places", "find_orgs",
           "find_policies", "find_names", "recognise", "ner", "features", "entity_model",
           "outline", "context", "relate", "relation_model", "observe", "observation_model")


def check_models(models: str | None) -> str:
    if models in (None, "shipped"):
        return "shipped"
    if models == "none":
        return "none"
    raise InputError(f"--models {models!r}: use 'shipped' (the learned models) or 'none' (the grammars alone)")


def extractor_fingerprint(ner: str | None = None, models: str = "shipped") -> str:
    """Hash of the per-document stages' code and resources: a cached extraction is valid only for it."""
    from .ner import check_setting

    here = Path(__file__).resolve().parent
    from .store import CODEC

    h = hashlib.sha256(f"ner={check_setting(ner)}\0models={check_models(models)}\0codec={CODEC}\0".encode())
    files = [here / f"{m}.py" for m in _STAGES] + sorted((here / "resources").glob("*.*")) \
        + sorted((here / "models").glob("*.*"))
    for f in files:
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def _estimated_chars(paths: list[Path]) -> int:
    """About how many characters the files hold (UTF-8 Chinese: three bytes a character)."""
    total = 0
    for p in paths:
        try:
            total += p.stat().st_size
        except OSError:
            pass            # reported when the file is read
    return total // 3


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _extract_file(extractor: Extractor, path: Path, fingerprint: str) -> tuple[str, object]:
    """("ok", (cache text, extraction)) or ("failed", one-line reason) for one file.

    The extraction keeps its document's metadata only (no text: a corpus's extractions all
    stay in memory until resolution) and carries its mentions' resolution keys.
    """
    from dataclasses import replace

    from .model import Document
    from .resolve import document_keys, keys_version
    from .store import extraction_json

    try:
        doc = extractor.read(path)
    except InputError as e:
        return "failed", str(e)
    ex = extractor.extract(doc)
    ex = replace(ex, document=Document(doc.source, "", "", [0], doc.sha256, doc.title, doc.date, model=doc.model),
                 keys=document_keys(ex), keys_version=keys_version())
    return "ok", (extraction_json(ex, fingerprint), ex)


@contextmanager
def _collection_paused():
    """Python's cyclic garbage collector off for a build, back on at its end.

    A build keeps every document's extraction until resolution; each collection of the
    oldest generation walks all of them again (about 6% of a build), yet a whole build
    leaves only about 1.5K cyclic objects per million characters to collect.
    """
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()       # no collect() here: it would walk the extractions once more


def _take(counter, n: int) -> int | None:
    """The next document index nobody has taken (the parent and the workers share one counter)."""
    with counter.get_lock():
        i = counter.value
        if i >= n:
            return None
        counter.value = i + 1
    return i


def _worker(paths: list[Path], counter, results, max_bytes: int | None, fingerprint: str,
            ner: str = "none", expected_chars: int | None = None, models: str = "shipped") -> None:
    """A worker process: one Extractor (one load of the segmenter's tables) for all its documents."""
    import traceback

    # as in the CLI: jieba resets its logger's level at import; a filter keeps it quiet
    logging.getLogger("jieba").addFilter(lambda record: record.levelno >= logging.WARNING)
    extractor = Extractor(max_bytes, ner, threads=1, models=models)     # one onnxruntime thread per worker
    extractor.expected_chars = expected_chars
    with _collection_paused():
        while (i := _take(counter, len(paths))) is not None:
            try:
                status, out = _extract_file(extractor, paths[i], fingerprint)
                # the text only: the parent decodes it as it would the cache file (an
                # extraction pickled whole would cost as much and be a second format)
                results.put((i, (status, (out[0], None) if status == "ok" else out)))
            except Exception:               # a bug: the parent raises it with the worker's traceback
                results.put((i, ("error", traceback.format_exc())))


def _extract_all(paths: list[Path], jobs: int, max_bytes: int | None, fingerprint: str,
                 extractor: Extractor) -> Iterator[tuple[int, tuple[str, object]]]:
    """(index in ``paths``, result) for every path, in the order they finish.

    ``jobs`` processes extract: this one and ``jobs - 1`` workers, each taking the next
    document when it is free. This process extracts too, between collecting the workers'
    results: a worker in its place would spend a core's start-up loading the same tables
    while this one waits, and its results would have to be decoded here.
    """
    if jobs <= 1 or len(paths) <= 1:
        for i, path in enumerate(paths):
            yield i, _extract_file(extractor, path, fingerprint)
        return
    import multiprocessing as mp
    import queue

    # spawn, not fork: the parent holds an open RocksDB database and its threads.
    ctx = mp.get_context("spawn")
    counter, results = ctx.Value("q", 0), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(paths, counter, results, max_bytes, fingerprint, extractor.ner,
                                               extractor.expected_chars, extractor.models),
                         daemon=True) for _ in range(min(jobs - 1, len(paths) - 1))]
    for p in procs:
        p.start()

    def collected(j: int, result: tuple):
        if result[0] == "error":
            raise RuntimeError(f"extraction of {paths[j]} failed in a worker:\n{result[1]}")
        return j, result

    try:
        pending = len(paths)
        while pending:
            try:
                while True:
                    j, result = results.get_nowait()
                    pending -= 1
                    yield collected(j, result)
            except queue.Empty:
                pass
            i = _take(counter, len(paths))
            if i is not None:
                pending -= 1
                yield i, _extract_file(extractor, paths[i], fingerprint)
                continue
            if not pending:
                break
            try:
                j, result = results.get(timeout=1.0)
            except queue.Empty:
                dead = [p.exitcode for p in procs if not p.is_alive()]
                if any(code != 0 for code in dead) and results.empty():
                    raise RuntimeError(f"an extraction worker died (exit code {dead})") from None
                continue
            pending -= 1
            yield collected(j, result)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join()


def build(paths: Iterable[str | Path], store_dir: str | Path, *,
          progress: Callable[[Iterable], Iterable] | None = None,
          max_bytes: int | None = None, jobs: int = 1, ner: str | None = None,
          models: str = "shipped") -> BuildReport:
    """Build (or update) the store from files and folders; unchanged documents are skipped.

    ``models``: "shipped" (the learned models in kg/models beside the grammars) or "none"
    (the grammars alone).

    ``jobs`` worker processes run the per-document stages (0: one per core); the result
    does not depend on it.
    """
    from .resolve import keys_version, resolve
    from .store import Store, decode_extraction

    explicit, found = collect_inputs(list(paths))
    jobs = (os.cpu_count() or 1) if jobs == 0 else max(1, jobs)
    report = BuildReport()
    with _collection_paused(), Store.open(store_dir, create=True, write=True) as store:
        known = store.documents()
        extractions: dict[str, Extraction] = {}
        digests: dict[str, str] = {}          # name -> hash of its extraction's cache text

        def keep(name: str, text: str, ex: Extraction | None = None) -> None:
            # decoded at once: the texts of a large corpus need not all be in memory
            extractions[name] = ex if ex is not None else decode_extraction(json.loads(text), keys_version())
            digests[name] = hashlib.sha256(text.encode()).hexdigest()
        extractor = Extractor(max_bytes, ner, threads=1 if jobs > 1 else None, models=models)
        fingerprint = extractor_fingerprint(ner, extractor.models)
        files = explicit + found
        seen_names: dict[str, Path] = {}
        outcome: list[tuple[str, str] | None] = []   # per file: ("added"|"updated"|"skipped"|"failed", …)
        todo: list[int] = []
        for path in files:
            name = path.name
            outcome.append(None)
            if name in seen_names and seen_names[name].resolve() != path.resolve():
                outcome[-1] = ("failed", f"{path}: another input has the same file name ({seen_names[name]}); rename one")
                continue
            seen_names[name] = path
            try:
                sha = file_hash(path)
            except OSError as e:
                outcome[-1] = ("failed", f"{path}: cannot read ({e.strerror})")
                continue
            # A cached extraction of the same bytes is reused even when the graph does not
            # have the document yet (e.g. a build killed before its final write): the
            # expensive stages never run twice on the same content.
            if store.cached_sha(name, fingerprint) == sha:
                if known.get(name) == sha:
                    outcome[-1] = ("skipped", name)
                    continue
                text = store.load_extraction_json(name)
                if text is not None:
                    keep(name, text)
                    outcome[-1] = ("updated" if name in known else "added", name)
                    continue
            todo.append(len(outcome) - 1)
        # each process's share (documents are taken one at a time: an estimate)
        extractor.expected_chars = _estimated_chars([files[i] for i in todo]) // min(jobs, max(1, len(todo)))
        results = _extract_all([files[i] for i in todo], jobs, max_bytes, fingerprint, extractor)
        for _ in (progress(todo) if progress else todo):    # one tick per document done
            j, (status, out) = next(results)
            i = todo[j]
            name = files[i].name
            if status == "failed":
                outcome[i] = ("failed", out)
                continue
            text, ex = out
            store.save_extraction_json(name, text)
            keep(name, text, ex)
            outcome[i] = ("updated" if name in known else "added", name)
        for i, out in enumerate(outcome):
            if out[0] == "failed":
                report.failed.append((str(files[i]), out[1]))
            else:
                getattr(report, out[0]).append(out[1])
        if report.added or report.updated:
            # Documents already in the store but not named in this build stay, and
            # take part in resolution, so their entities keep merging with new ones.
            for name in known:
                if name not in extractions:
                    text = store.load_extraction_json(name)
                    if text is not None:
                        keep(name, text)
            ordered = [extractions[n] for n in sorted(extractions)]
            res = resolve(ordered)
            report.graphs_changed = _write_graphs(store, ordered, res, digests, known)
        report.triples = store.quad_count()
    return report


def _write_graphs(store, ordered: list[Extraction], res, digests: dict[str, str], known: dict[str, str]) -> int:
    """Write the graphs whose inputs changed; returns how many.

    A graph whose signature (its extraction and what resolution says about its mentions)
    is the one recorded for the store's content is left alone without being generated.
    Otherwise it is generated and, when it exists, compared with the stored one.
    """
    from .graph import document_iri, document_quads, document_triples, graph_signature

    old = store.graph_signatures()
    sigs: dict[str, str] = {}
    by_iri: dict = {}
    write = []
    for ex in ordered:
        name = ex.document.source
        g = document_iri(name)
        sig = graph_signature(ex, res, digests[name])
        sigs[g.value] = sig
        if old.get(g.value) == sig:
            continue
        by_iri[g] = ex
        if name not in known or set(document_quads(ex, res)) != store.graph_quads(g):
            write.append(g)
    if write:
        store.write_graphs(write, lambda g: document_triples(by_iri[g], res), sigs)
    elif sigs != old:
        store.save_signatures(sigs)     # every graph was compared equal: record that
    return len(write)


_RDF_SUFFIXES = {".nt": "N_TRIPLES", ".nq": "N_QUADS", ".ttl": "TURTLE", ".trig": "TRIG"}


def load(file: str | Path, store_dir: str | Path, graph: str | None = None) -> int:
    """Bulk load an RDF file (nt, nq, ttl, trig) into a store, all or nothing; returns its quad count.

    Triples go into the named graph ``graph`` (default: one named after the file), which a
    second load of that file replaces; quads keep their graphs and are added to them.
    """
    from pyoxigraph import NamedNode, RdfFormat

    from .graph import short_hash, slug
    from .store import Store
    from .vocab import RKR

    file = Path(file)
    kind = _RDF_SUFFIXES.get(file.suffix.lower())
    if kind is None:
        raise InputError(f"{file}: unknown RDF format; use .nt, .nq, .ttl or .trig")
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    target = None
    if kind in ("N_TRIPLES", "TURTLE"):
        target = NamedNode(graph or f"{RKR}graph/load/{slug(file.stem) or 'file'}-{short_hash(file.name, n=8)}")
    with Store.open(store_dir, create=True, write=True) as store:
        try:
            store.load_file(file, getattr(RdfFormat, kind), target)
        except SyntaxError as e:
            raise InputError(f"{file}: not valid {kind.replace('_', '-')} ({str(e).splitlines()[0]})") from None
        return store.quad_count()
