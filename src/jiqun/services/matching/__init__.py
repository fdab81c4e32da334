"""Matchmaking service (供需对接服务): the supply–demand board in the database, and matching.

* Board: post, list and close **needs** and **capabilities**; chain leaders publish
  **supplier lists**; needs and capabilities can be imported from CSV/XLSX (all-or-nothing by
  default: a file with an error changes nothing, and every error names row, field and value).
* Matching: :func:`match_need` ranks suppliers for a posted or ad-hoc need over every
  registered firm plus the open capabilities (:func:`jiqun.matching.rank_suppliers`), and marks
  firms that a chain leader has put on a supplier list; :func:`find_partners` is the partner
  search. The index is built once per database state and cached in the process (it is rebuilt
  when enterprises, capabilities or cluster regions change).
* Disclosure: given the caller (``principal``), both decide here what the caller may see
  (:mod:`jiqun.services.access`): an ad-hoc search may start only from a buyer the caller may
  read (404 otherwise), and the score components derived from confidential records of firms
  the caller may not read are withheld or banded (:func:`jiqun.matching.score.disclose`).
  ``principal=None`` is the local operator of the database (the CLI), who reads everything.

Every result carries ``synthetic`` (demo data are marked) and the weights used.

The package is split along its seams: :mod:`~jiqun.services.matching.board` (needs, capabilities,
supplier lists, board imports), :mod:`~jiqun.services.matching.search` (supplier and partner
matching, disclosure, output files) and :mod:`~jiqun.services.matching.index_cache` (the index
built once per database state and its caches). Import the public API from here.
"""

from __future__ import annotations

from jiqun.services.matching.board import (
    close_capability,
    close_need,
    close_supplier_list,
    get_need,
    import_board,
    list_capabilities,
    list_needs,
    list_supplier_lists,
    post_capability,
    post_need,
    publish_supplier_list,
    supplier_list_entries,
)
from jiqun.services.matching.index_cache import load_index
from jiqun.services.matching.search import find_partners, match_need, write_match_output

__all__ = [
    "close_capability",
    "close_need",
    "close_supplier_list",
    "find_partners",
    "get_need",
    "import_board",
    "list_capabilities",
    "list_needs",
    "list_supplier_lists",
    "load_index",
    "match_need",
    "post_capability",
    "post_need",
    "publish_supplier_list",
    "supplier_list_entries",
    "write_match_output",
]
