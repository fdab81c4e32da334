"""Input–output linkages of a cluster's leading industries (``docs/inputoutput.md``).

Public: the table is national statistics and the leading industries are public cluster facts.
The table is the one configured with ``JIQUN_IO_TABLE``; without it the answer says so in
Chinese and English and carries no numbers.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from jiqun.web.api_common import E

router = APIRouter()


class IOLinkagesOut(BaseModel):
    configured: bool
    message_zh: str | None = None
    message_en: str | None = None
    rows: list[dict[str, Any]]
    basis: dict[str, str]
    notes: list[str]


@router.get(
    "/clusters/{cluster_id}/io-linkages", tags=["clusters", "metrics"], response_model=IOLinkagesOut
)
def cluster_io_linkages(
    cluster_id: Annotated[str, Path(max_length=40)], engine: E
) -> dict[str, Any]:
    """主导产业的投入产出关联 / backward and forward linkages (Rasmussen–Hirschman, forward from
    the Ghosh inverse), output multipliers and key-sector class of the cluster's leading
    industries' NBS 42 sectors, from the configured input–output table (public)."""
    from jiqun.services.inputoutput import cluster_io_linkages as linkages

    return linkages(cluster_id, engine)
