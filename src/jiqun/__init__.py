"""Jiqun 集群."""

__version__ = "0.1.0"
