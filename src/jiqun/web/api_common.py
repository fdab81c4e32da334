"""Shared pieces of the REST API modules: parameter types, response schemas, paging helpers.

Every list answers ``{"items": [...], "meta": {"total", "limit", "offset", ...}}`` in JSON, or the
same rows as CSV (UTF-8 with BOM) or XLSX (with a 说明 notes sheet holding ``meta``). Every error
answers ``{"error": {"code", "message_zh", "message_en", ...}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from jiqun.services.accounts import Principal
from jiqun.services.paging import sort_frame
from jiqun.web import deps
from jiqun.web.responses import paged, window

Fmt = Annotated[
    Literal["json", "csv", "xlsx"],
    Query(description="json (default), csv (UTF-8 with BOM) or xlsx"),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="page size (JSON only)")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip (JSON only)")]
Sort = Annotated[
    str | None,
    Query(max_length=40, description="a column to sort by; prefix with - for descending"),
]
P = Annotated[Principal, Depends(deps.principal)]
E = Annotated[Engine, Depends(deps.engine)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ErrorDetail(BaseModel):
    """The error: a stable code and a message in Chinese and in English."""

    model_config = ConfigDict(extra="allow")
    code: str = Field(examples=["not_found"])
    message_zh: str = Field(examples=["找不到企业 91370000728611939A"])
    message_en: str = Field(examples=["no enterprise 91370000728611939A"])
    problems: list[dict[str, Any]] | None = Field(
        default=None, description="row-level problems (imports): row, column, value, rule..."
    )
    details: list[dict[str, Any]] | None = Field(
        default=None, description="invalid request parameters: field, reason"
    )


class ErrorOut(BaseModel):
    """``{"error": {...}}`` — the one error body of the API."""

    error: ErrorDetail


class TableOut(BaseModel):
    """A page of a table: rows and metadata (total, limit, offset, basis)."""

    items: list[dict[str, Any]]
    meta: dict[str, Any]


def _err(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


#: Errors any operation may answer (a bad bearer token is 401 even on public resources).
ERRORS: dict[int | str, dict[str, Any]] = {
    400: _err("invalid value / 参数或数据无效"),
    401: _err("not logged in, or the token is invalid / 未登录或令牌无效"),
    403: _err("not allowed for this role or scope / 无权访问"),
    404: _err("not found, or not visible to the caller / 不存在或无权查看"),
    422: _err("invalid request parameters / 请求参数无效"),
}

#: The download media types of a 200 answer (OpenAPI ``content``): CSV text and XLSX binary.
DOWNLOADS: dict[str, Any] = {
    "text/csv": {"schema": {"type": "string"}},
    XLSX: {"schema": {"type": "string", "format": "binary"}},
}

#: The 200 response of a table endpoint: JSON page, CSV or XLSX download.
TABLE: dict[int | str, dict[str, Any]] = {
    200: {
        "model": TableOut,
        "description": "JSON page, or the whole filtered table as CSV or XLSX",
        "content": DOWNLOADS,
    }
}


def page(
    df: pd.DataFrame,
    fmt: str,
    name: str,
    limit: int,
    offset: int,
    sort: str | None,
    default_sort: str,
    meta: dict[str, Any] | None = None,
) -> Response:
    """Sort, then a JSON page (``limit``/``offset``) or the whole table as CSV/XLSX."""
    df = sort_frame(df, sort, default_sort)
    rows = df if fmt != "json" else df.iloc[offset : offset + limit]
    return paged(rows, fmt, name, len(df), limit, offset, meta)


@dataclass(frozen=True)
class TableParams:
    """The query parameters every table endpoint takes, and its one way to answer.

    ``limit``/``offset`` page the JSON answer; a CSV/XLSX download is the whole filtered table
    (with ``meta`` on a notes sheet); ``sort`` is a column, ``-`` prefix for descending.

    Example
    -------
    >>> t = TableParams(limit=2)
    >>> t.window()
    {'limit': 2, 'offset': 0}
    """

    limit: int = 100
    offset: int = 0
    sort: str | None = None
    format: str = "json"

    def window(self) -> dict[str, Any]:
        """The ``limit``/``offset`` to ask a service for (every row for a download)."""
        return window(self.format, self.limit, self.offset)

    def sorted_by(self, sort: str | None) -> TableParams:
        """The same parameters with an endpoint's own ``sort`` (a narrower type or default)."""
        return replace(self, sort=sort)

    def page(
        self, df: pd.DataFrame, name: str, default_sort: str, meta: dict[str, Any] | None = None
    ) -> Response:
        """A whole table, sorted, answered as a JSON page or a CSV/XLSX download.

        Parameters
        ----------
        df : the whole filtered table
        name : the download's file name (without extension)
        default_sort : the sort when the caller gives none
        meta : basis, notes … after ``total``, ``limit`` and ``offset``

        Returns
        -------
        The response (see :func:`jiqun.web.responses.table_response`).
        """
        return page(df, self.format, name, self.limit, self.offset, self.sort, default_sort, meta)

    def paged(
        self,
        rows: pd.DataFrame | list[dict[str, Any]],
        name: str,
        total: int,
        meta: dict[str, Any] | None = None,
    ) -> Response:
        """Rows a service already paged with :meth:`window` (``total`` before paging)."""
        return paged(rows, self.format, name, total, self.limit, self.offset, meta)


def _table_params(
    limit: Limit = 100, offset: Offset = 0, sort: Sort = None, format: Fmt = "json"
) -> TableParams:
    return TableParams(limit, offset, sort, format)


def _paging_params(limit: Limit = 100, offset: Offset = 0, format: Fmt = "json") -> TableParams:
    return TableParams(limit, offset, None, format)


#: ``limit``, ``offset``, ``sort`` and ``format`` of a table endpoint, as one parameter.
TablePage = Annotated[TableParams, Depends(_table_params)]
#: ``limit``, ``offset`` and ``format`` only: for an endpoint without ``sort`` or with its own
#: (a list of allowed columns, another default): pass it with :meth:`TableParams.sorted_by`.
Paging = Annotated[TableParams, Depends(_paging_params)]


def filter_eq(df: pd.DataFrame, **conds: Any) -> pd.DataFrame:
    """Keep rows whose columns equal the given values (``None`` or ``""``: no filter; a
    ``bool`` is compared with the column read as booleans, so 0/1 flags match)."""
    for col, v in conds.items():
        if v is None or (isinstance(v, str) and not v) or col not in df.columns:
            continue
        have = df[col].astype(bool) if isinstance(v, bool) else df[col]
        df = df[have == v]
    return df


#: A database row id in a path: a 32-bit positive integer (larger values would overflow
#: PostgreSQL's INTEGER and must be a 422, not a 500).
DbId = Annotated[int, Path(ge=1, le=2**31 - 1)]
