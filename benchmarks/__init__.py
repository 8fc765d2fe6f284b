"""Benchmarks of tymqual at scale: a synthetic Finnish project per size, measured step by step.

Run ``python benchmarks/run.py --sizes 4 100 1000``; see ``benchmarks/README.md``.
"""
