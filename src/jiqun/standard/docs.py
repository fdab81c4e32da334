"""Generate the machine-readable JSON Schemas and the field tables of docs/data-standard.md.

Both come from :mod:`jiqun.standard.schema`, so documentation cannot drift from the code: a test
regenerates them and compares with the committed files.
"""

from __future__ import annotations

import json
from pathlib import Path

from jiqun.standard.schema import KINDS, Kind


def json_schema_text(kind: Kind) -> str:
    return json.dumps(kind.json_schema(), ensure_ascii=False, indent=2) + "\n"


def write_json_schemas(out: str | Path) -> list[Path]:
    """Write ``<kind>.schema.json`` for every kind into ``out``; returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in KINDS.values():
        p = out / f"{kind.name}.schema.json"
        p.write_text(json_schema_text(kind), encoding="utf-8")
        paths.append(p)
    return paths


def fields_markdown() -> str:
    """The per-kind field tables (the generated part of docs/data-standard.md)."""
    lines: list[str] = []
    for kind in KINDS.values():
        lines.append(f"### `{kind.name}` — {kind.zh} / {kind.en}\n")
        if kind.description_zh or kind.description_en:
            lines.append(f"{kind.description_zh} {kind.description_en}\n")
        lines.append(f"Natural key 唯一键: `{' + '.join(kind.key)}` · table `{kind.table}`\n")
        lines.append(
            "| column | 中文表头 | English | type | required | unit | code system | max length "
            "| aliases |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for f in kind.fields:
            aliases = ", ".join(f.aliases)
            typ: str = f.type
            if f.choices:
                typ += ": " + ", ".join(f"`{k}` {zh}" for k, (zh, _en) in f.choices.items())
            if f.levels:
                typ += " (levels " + ", ".join(map(str, f.levels)) + ")"
            lines.append(
                f"| `{f.name}` | {f.header} | {f.en} | {typ} | {'yes' if f.required else ''} | "
                f"{f.unit or ''} | {f.code_system or ''} | {f.length_limit:,} | {aliases} |"
            )
        lines.append("")
    return "\n".join(lines)


BEGIN = "<!-- BEGIN GENERATED FIELDS (jiqun.standard.docs) -->"
END = "<!-- END GENERATED FIELDS -->"


def update_data_standard(path: str | Path = "docs/data-standard.md") -> bool:
    """Rewrite the generated block of docs/data-standard.md; True if the file changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    new = text[:start] + "\n" + fields_markdown() + "\n" + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False
