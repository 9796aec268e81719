"""liaison: sovereign nodes that exchange military information selectively —
signed STIX 2.1 records, per-partner release, tamper-evident audit — and a
reproducible method to assess armed groups and the effect of strikes."""

__version__ = "0.1.0"
