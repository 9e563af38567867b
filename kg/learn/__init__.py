"""Training side of the learned models: gold corpora, training, cross-validation.

Nothing here runs during a build: the runtime reads only the model files in ``kg/models``.
``make train`` calls :mod:`kg.learn.train`; ``make quality`` calls :mod:`kg.learn.crossval`.
"""
