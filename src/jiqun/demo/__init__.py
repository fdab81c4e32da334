"""The synthetic demo data generator (pure: no database, no I/O besides its own data files).

:func:`generate_demo` builds enterprises, region statistics, clusters, members, innovation carriers
and supply links on top of the real reference data; :mod:`jiqun.services.demo` writes them to the
store. Modules: :mod:`~jiqun.demo.generator` (the driver and the modelling description),
:mod:`~jiqun.demo.tables` (modelling tables from ``jiqun/demo/data/``), :mod:`~jiqun.demo.inputs`
(reference data), :mod:`~jiqun.demo.structure` (regions, classes, clusters),
:mod:`~jiqun.demo.firms`, :mod:`~jiqun.demo.statistics`, :mod:`~jiqun.demo.clusters`,
:mod:`~jiqun.demo.links` and :mod:`~jiqun.demo.sampling`.

Example
-------
>>> from jiqun.demo import DEMO_NOTE
>>> DEMO_NOTE.startswith("模拟数据")
True
"""

from jiqun.demo.generator import DemoData, ProgressFn, generate_demo
from jiqun.demo.tables import DEFAULT_N, DEMO_NOTE, DEMO_SOURCE, GENERATOR_VERSION

__all__ = [
    "DEFAULT_N",
    "DEMO_NOTE",
    "DEMO_SOURCE",
    "GENERATOR_VERSION",
    "DemoData",
    "ProgressFn",
    "generate_demo",
]
