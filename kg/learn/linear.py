"""Logistic regressions over feature strings, fitted with scikit-learn, kept as plain weights."""
from __future__ import annotations

from collections import Counter


def design(featuresets: list[list[str]], min_count: int):
    """(vocabulary, sparse 0/1 matrix) of feature strings seen in at least ``min_count`` rows."""
    from scipy.sparse import csr_matrix

    counts = Counter(f for feats in featuresets for f in set(feats))
    vocab = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= min_count))}
    ind, ptr = [], [0]
    for feats in featuresets:
        ind += sorted({vocab[f] for f in feats if f in vocab})
        ptr.append(len(ind))
    return vocab, csr_matrix(([1.0] * len(ind), ind, ptr), shape=(len(featuresets), len(vocab)))


def fit(featuresets: list[list[str]], y: list[int], c: float, min_count: int):
    """(vocabulary, fitted LogisticRegression); lbfgs, so the same data gives the same weights."""
    from sklearn.linear_model import LogisticRegression

    if len(set(y)) < 2:
        raise ValueError("training data has a single class: too few gold texts?")
    vocab, X = design(featuresets, min_count)
    lr = LogisticRegression(C=c, max_iter=2000, solver="lbfgs")
    lr.fit(X, y)
    return vocab, lr
