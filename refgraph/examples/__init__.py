"""Runnable examples: real leaks in real libraries, explained by refgraph.

`dask_worker_leak` reproduces a leak in dask.distributed and is what
``refgraph demo`` runs.
"""
