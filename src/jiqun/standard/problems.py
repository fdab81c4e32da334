"""Validation problems: one bilingual message per problem, naming row, column, value and rule.

Every validator in :mod:`jiqun.standard` reports through :class:`Problem`. A problem is either an
``error`` (the row cannot be stored), a ``warning`` (stored, but the user must look) or a
``normalised`` note (a cell was rewritten by an explicit, reported rule such as full-width → ASCII).
Nothing is ever corrected silently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "normalised"]

SEVERITY_ZH: dict[str, str] = {"error": "错误", "warning": "警告", "normalised": "已规范化"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in one cell (or one row, or the whole file).

    Parameters
    ----------
    row:
        1-based row number in the source file as a spreadsheet shows it (``None`` for a
        file-level problem such as a missing column).
    column:
        The column header as written in the file (or the canonical name where the file lacks it).
    value:
        The offending raw value, as text (``""`` where not applicable).
    rule:
        A stable machine-readable rule identifier, e.g. ``uscc.checksum``.
    severity:
        ``error``, ``warning`` or ``normalised``.
    message_zh, message_en:
        Human-readable reason in Chinese and English.
    """

    row: int | None
    column: str | None
    value: str
    rule: str
    severity: Severity
    message_zh: str
    message_en: str
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        d.pop("extra", None)
        return d

    def __str__(self) -> str:  # pragma: no cover - formatting only
        where = []
        if self.row is not None:
            where.append(f"第{self.row}行 row {self.row}")
        if self.column:
            where.append(f"列 column「{self.column}」")
        loc = ", ".join(where)
        return (
            f"[{SEVERITY_ZH[self.severity]}/{self.severity}] {loc}: "
            f"值 value={self.value!r} 规则 rule={self.rule}: {self.message_zh} / {self.message_en}"
        )


# The project's exceptions live in jiqun.errors; re-exported here for existing imports.
from jiqun.errors import JiqunError  # noqa: E402

__all__ = ["SEVERITY_ZH", "JiqunError", "Problem", "Severity"]
