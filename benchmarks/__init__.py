"""Benchmarks run by `make bench`; each prints its figures. Later issues add theirs here."""
