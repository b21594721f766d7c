"""What the benchmarks share that is no benchmark itself (``make bench`` runs every
``bench/*.py``, not this folder's modules)."""
