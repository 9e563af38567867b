"""The pipeline: files → Extraction per document → resolution → named graphs in the store.

    normalise → segment → recognise → outline → relate → observe   (per document, cached)
    resolve → graph → store                                        (over all documents)
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .model import Extraction

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm")


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

    def __init__(self, max_bytes: int | None = None):
        self._segmenter = None
        self.max_bytes = max_bytes

    @property
    def segmenter(self):
        if self._segmenter is None:
            from .segment import Segmenter
            self._segmenter = Segmenter()
        return self._segmenter

    def read(self, path: Path):
        from .normalise import read_document
        from .segment import split_sentences

        doc = read_document(path, self.max_bytes) if self.max_bytes else read_document(path)
        doc.sentences = split_sentences(doc)
        return doc

    def extract(self, doc) -> Extraction:
        from .observe import observe
        from .outline import outline
        from .recognise import recognise
        from .relate import relate

        mentions = recognise(doc, self.segmenter)
        more, relations = outline(doc, mentions, self.segmenter)
        mentions = mentions + more
        relations = relations + relate(doc, mentions)
        observations = observe(doc, mentions)
        return Extraction(doc, mentions, relations, observations)


_STAGES = ("model", "normalise", "segment", "recognise", "outline", "relate", "observe")


def extractor_fingerprint() -> str:
    """Hash of the per-document stages' code and resources: a cached extraction is valid only for it."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    files = [here / f"{m}.py" for m in _STAGES] + sorted((here / "resources").glob("*.*"))
    for f in files:
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(paths: Iterable[str | Path], store_dir: str | Path, *,
          progress: Callable[[Iterable], Iterable] | None = None,
          max_bytes: int | None = None) -> BuildReport:
    """Build (or update) the store from files and folders; unchanged documents are skipped."""
    from .graph import document_iri, document_quads
    from .resolve import resolve
    from .store import Store

    explicit, found = collect_inputs(list(paths))
    report = BuildReport()
    with Store.open(store_dir, create=True, write=True) as store:
        known = store.documents()
        extractions: dict[str, Extraction] = {}
        extractor = Extractor(max_bytes)
        fingerprint = extractor_fingerprint()
        files = explicit + found
        seen_names: dict[str, Path] = {}
        for path in (progress(files) if progress else files):
            name = path.name
            if name in seen_names and seen_names[name].resolve() != path.resolve():
                report.failed.append((str(path), f"{path}: another input has the same file name ({seen_names[name]}); rename one"))
                continue
            seen_names[name] = path
            try:
                sha = file_hash(path)
            except OSError as e:
                report.failed.append((str(path), f"{path}: cannot read ({e.strerror})"))
                continue
            # A cached extraction of the same bytes is reused even when the graph does not
            # have the document yet (e.g. a build killed before its final write): the
            # expensive stages never run twice on the same content.
            cached = store.load_extraction(name, fingerprint)
            if cached is not None and cached.document.sha256 == sha:
                extractions[name] = cached
                if known.get(name) == sha:
                    report.skipped.append(name)
                    continue
            else:
                try:
                    doc = extractor.read(path)
                except InputError as e:
                    report.failed.append((str(path), str(e)))
                    continue
                extractions[name] = extractor.extract(doc)
                store.save_extraction(extractions[name], fingerprint)
            (report.updated if name in known else report.added).append(name)
        if report.added or report.updated:
            # Documents already in the store but not named in this build stay, and
            # take part in resolution, so their entities keep merging with new ones.
            for name in known:
                if name not in extractions:
                    ex = store.load_extraction(name, None)
                    if ex is not None:
                        extractions[name] = ex
            ordered = [extractions[n] for n in sorted(extractions)]
            res = resolve(ordered)
            graphs = {document_iri(ex.document.source): list(document_quads(ex, res)) for ex in ordered}
            report.graphs_changed = store.replace_graphs(graphs)
        report.triples = len(store.oxi)
    return report
