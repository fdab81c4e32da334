"""Questionnaire templates and answer files (JSON, XLSX, CSV).

A firm downloads the questionnaire (:func:`write_questionnaire`), fills the answer column and
hands the file back (:func:`read_answers`); the answers are then validated and scored by
:mod:`jiqun.digital.scoring`. Layouts:

* **JSON** — ``{"framework", "edition", "uscc", "answers": {id: answer}}``; the template also
  holds the questions under ``"questions"`` (ignored when read back). A bare ``{id: answer}``
  mapping is accepted too.
* **XLSX / CSV** — one row per item (MIIT: items then scenarios; GB/T 39116: sub-domains) with
  the columns of :func:`questionnaire_rows`; the answer goes in ``答案 answer`` (GB/T 39116:
  either ``答案 answer`` = the highest level met / ``na``, or the ``1级`` … ``5级`` columns with
  是/否). XLSX templates carry a ``说明 README`` sheet with the framework, edition, the level
  rule, its basis and a ``uscc`` line to fill.

References
----------
``docs/digital.md``; METHODS.md §7.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jiqun.digital.frameworks import (
    Framework,
    Gbt39116Framework,
    MiitFramework,
    as_framework,
    framework_id,
    load_framework,
)
from jiqun.standard.problems import JiqunError

__all__ = [
    "AnswerFile",
    "detect_framework",
    "questionnaire_rows",
    "read_answers",
    "write_questionnaire",
]

_ID = "编号 id"
_ANSWER = "答案 answer"
_TYPE_ZH = {"multi": "多选 multiple", "single": "单选 single", "band": "百分数 percent 0–100"}


def questionnaire_rows(framework: Framework | str) -> list[dict[str, Any]]:
    """The questionnaire as rows (one per item / scenario / sub-domain).

    Parameters
    ----------
    framework:
        A framework or its name.

    Returns
    -------
    list[dict]
        MIIT: ``编号 id``, ``类别 kind``, ``维度 dimension``, ``二级指标 level 2``,
        ``三级指标 item``, ``题目 question``, ``题型 type``, ``选项 options``, ``计分 scoring``,
        ``满分 max``, ``答案 answer``. GB/T 39116: ``编号 id``, ``能力要素 element``,
        ``能力域 domain``, ``能力子域 sub-domain``, ``答案 answer``, ``1级`` … ``5级``.

    References
    ----------
    ``miit_sme_digital_2024_mfg_*.csv``; ``gbt39116_*.csv``.

    Example
    -------
    >>> rows = questionnaire_rows("miit2024")
    >>> len(rows), rows[0]["编号 id"], rows[0]["选项 options"][:18]
    (31, 'network', 'A=工控网络(2分); B=应用系统')
    """
    fw = as_framework(framework)
    rows: list[dict[str, Any]] = []
    if isinstance(fw, Gbt39116Framework):
        for s in fw.subdomains:
            row: dict[str, Any] = {
                _ID: s.id,
                "能力要素 element": f"{s.element_zh} {s.element_en}",
                "能力域 domain": f"{s.domain_zh} {s.domain_en}",
                "能力子域 sub-domain": f"{s.name_zh} {s.name_en}",
                _ANSWER: None,
            }
            for lv in fw.levels:
                row[f"{lv.level}级 {lv.name_zh}"] = None
            rows.append(row)
        return rows
    for it in fw.items:
        if it.type == "band":
            opts = "; ".join(f"{b.label}={b.points:g}分" for b in it.bands)
        else:
            opts = "; ".join(f"{o.id}={o.zh}({o.points:g}分)" for o in it.options)
        if it.options_note_zh:
            opts += f"  【{it.options_note_zh}】"
        rows.append(
            {
                _ID: it.id,
                "类别 kind": "计分题 scored item",
                "维度 dimension": it.dimension_zh,
                "二级指标 level 2": it.level2_zh,
                "三级指标 item": it.name_zh,
                "题目 question": it.question_zh,
                "题型 type": _TYPE_ZH[it.type],
                "选项 options": opts,
                "计分 scoring": it.scoring_zh,
                "满分 max": float(it.max_points),
                _ANSWER: None,
            }
        )
    lo = 0 if fw.scene_allow_zero else fw.scene_min
    for sc in fw.scenes:
        rows.append(
            {
                _ID: sc.id,
                "类别 kind": "经营场景 business scenario",
                "维度 dimension": "数字化经营",
                "二级指标 level 2": sc.group_zh,
                "三级指标 item": sc.name_zh,
                "题目 question": f"「{sc.name_zh}」场景的数字化水平等级",
                "题型 type": f"等级 level {lo}–{fw.scene_max}",
                "选项 options": f"{lo}–{fw.scene_max}"
                + (f"（0 = {fw.scene_zero_zh}）" if fw.scene_allow_zero else ""),
                "计分 scoring": "不计入总分 / not added to the total",
                "满分 max": None,
                _ANSWER: None,
            }
        )
    return rows


def _readme(fw: Framework) -> list[tuple[str, str]]:
    out = [
        ("framework", fw.id),
        ("edition", fw.edition),
        ("uscc", ""),
        ("名称 name", f"{fw.name_zh} / {fw.name_en}"),
        ("来源 source", f"{fw.source_zh} / {fw.source_en}"),
        ("核实 verification", fw.verification),
        ("等级规则 rule", f"{fw.rule_zh} / {fw.rule_en}"),
        ("依据 basis", f"{fw.basis_zh} / {fw.basis_en}"),
    ]
    if isinstance(fw, MiitFramework):
        out.append(
            (
                "填写 how to answer",
                "多选题填选项编号，以分号分隔（如 A;C，未选填 无）；单选题填一个选项编号；"
                "百分数题填 0–100 的数；场景填等级。留空 = 尚未作答（可保存草稿）。 / "
                "multiple choice: option letters separated by ';' (none: 无); single choice: one "
                "letter; percent: a number 0–100; scenarios: a level. Blank = not answered yet.",
            )
        )
    else:
        out.append(
            (
                "填写 how to answer",
                "每个子域：在 1级…5级 列填 是/否（该级要求是否全部满足），或在 答案 列填已全部"
                "满足的最高等级 0–5；不适用填 na。 / per sub-domain: yes/no in the level "
                "columns, or the highest level fully met (0–5) in the answer column; na = not "
                "applicable.",
            )
        )
    return out


def write_questionnaire(
    framework: Framework | str, path: str | Path, answers: dict[str, Any] | None = None
) -> Path:
    """Write a blank (or pre-filled) questionnaire template.

    Parameters
    ----------
    framework:
        A framework or its name.
    path:
        ``.xlsx``, ``.json`` or ``.csv`` (format from the extension).
    answers:
        Normalised answers to pre-fill (e.g. to continue a saved draft in a spreadsheet).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    JiqunError
        For another extension.

    References
    ----------
    :func:`questionnaire_rows`; ``docs/digital.md``.

    Example
    -------
    >>> write_questionnaire("miit2024", "问卷.xlsx")  # doctest: +SKIP
    PosixPath('问卷.xlsx')
    """
    fw = as_framework(framework)
    p = Path(path)
    rows = questionnaire_rows(fw)
    answers = answers or {}
    for r in rows:
        a = answers.get(r[_ID])
        if a is None:
            continue
        if isinstance(a, dict):  # GB/T per-level answers
            for col in r:
                m = re.match(r"^(\d)级", col)
                if m and m.group(1) in a:
                    r[col] = "是" if a[m.group(1)] else "否"
        elif isinstance(a, list):
            r[_ANSWER] = ";".join(a) if a else "无"
        else:
            r[_ANSWER] = a
    suffix = p.suffix.lower()
    p.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        doc = {
            "framework": fw.id,
            "edition": fw.edition,
            "uscc": None,
            "answers": {r[_ID]: answers.get(r[_ID]) for r in rows},
            "readme": dict(_readme(fw)),
            "questions": rows,
        }
        p.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    elif suffix == ".csv":
        with p.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    elif suffix == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill

        wb = Workbook()
        ws = wb.active
        ws.title = "问卷 questionnaire"
        head = list(rows[0])
        ws.append(head)
        for c in ws[1]:
            c.font = Font(bold=True)
        for r in rows:
            ws.append([r[h] for h in head])
        fill = PatternFill("solid", fgColor="FFF2CC")
        for k, h in enumerate(head, start=1):
            if h == _ANSWER or re.match(r"^\d级", h):
                for row in ws.iter_rows(min_row=2, min_col=k, max_col=k):
                    row[0].fill = fill
            width = 14 if h not in ("题目 question", "选项 options", "计分 scoring") else 48
            ws.column_dimensions[ws.cell(1, k).column_letter].width = width
        ws.freeze_panes = "B2"
        rd = wb.create_sheet("说明 README")
        for label, text in _readme(fw):
            rd.append([label, text])
        rd.column_dimensions["A"].width = 22
        rd.column_dimensions["B"].width = 120
        wb.save(p)
    else:
        raise JiqunError(
            f"问卷文件须为 .xlsx、.json 或 .csv：{p}",
            f"the questionnaire file must be .xlsx, .json or .csv: {p}",
        )
    return p


@dataclass
class AnswerFile:
    """Answers read from a file, with the framework and USCC if the file names them."""

    framework: str | None
    uscc: str | None
    answers: dict[str, Any]
    source: str


def _cell(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _rows_to_answers(header: list[str], rows: list[list[Any]], src: str) -> dict[str, Any]:
    norm = [str(h or "").strip() for h in header]
    low = [h.lower() for h in norm]

    def find(*names: str) -> int | None:
        for i, h in enumerate(low):
            if h in names:
                return i
        return None

    i_id = find("编号 id", "id", "编号", "item", "item_id")
    i_ans = find("答案 answer", "answer", "答案")
    lvl_cols: dict[int, str] = {}
    for i, h in enumerate(norm):
        m = re.match(r"^(\d)\s*级", h) or re.match(r"^level\s*(\d)$", h.lower())
        if m:
            lvl_cols[i] = m.group(1)
    if i_id is None or (i_ans is None and not lvl_cols):
        raise JiqunError(
            f"{src}：找不到「编号 id」列和「答案 answer」列",
            f"{src}: the columns '编号 id' and '答案 answer' were not found",
        )
    out: dict[str, Any] = {}
    for r in rows:
        r = list(r) + [None] * (len(norm) - len(r))
        key = _cell(r[i_id])
        if key is None:
            continue
        a = _cell(r[i_ans]) if i_ans is not None else None
        levels = {lv: _cell(r[i]) for i, lv in lvl_cols.items() if _cell(r[i]) is not None}
        if a is None and levels:
            a = levels
        out[str(key)] = a
    return out


def read_answers(path: str | Path) -> AnswerFile:
    """Read a filled questionnaire (JSON, XLSX or CSV) into raw answers.

    Rule: JSON — the ``answers`` mapping (or the whole object if it has none; ``framework``,
    ``edition``, ``uscc``, ``readme``, ``questions`` are metadata). XLSX — the first sheet's
    ``编号 id`` and ``答案 answer`` columns (GB/T 39116: or the ``1级`` … ``5级`` columns);
    ``framework`` and ``uscc`` from the ``说明 README`` sheet when present. CSV — the same
    columns, UTF-8 (with or without BOM). Blank answers stay blank (not answered). Values are
    validated later, by :func:`jiqun.digital.scoring.validate_answers`.

    Parameters
    ----------
    path:
        The file.

    Returns
    -------
    AnswerFile

    Raises
    ------
    JiqunError
        Missing file, unknown extension, unreadable content or missing columns.

    References
    ----------
    :func:`write_questionnaire`; ``docs/digital.md``.

    Example
    -------
    >>> read_answers("答卷.xlsx").answers["network"]  # doctest: +SKIP
    'A;C'
    """
    p = Path(path)
    if not p.is_file():
        raise JiqunError(f"找不到答卷文件：{p}", f"answer file not found: {p}")
    suffix = p.suffix.lower()
    fw: str | None = None
    uscc: str | None = None
    if suffix == ".json":
        try:
            doc = json.loads(p.read_text(encoding="utf-8-sig"))
        except json.JSONDecodeError as e:
            raise JiqunError(
                f"{p} 不是有效的 JSON（第 {e.lineno} 行）：{e.msg}",
                f"{p} is not valid JSON (line {e.lineno}): {e.msg}",
            ) from None
        if not isinstance(doc, dict):
            raise JiqunError(
                f"{p}：JSON 顶层须为对象", f"{p}: the JSON top level must be an object"
            )
        fw = doc.get("framework")
        uscc = doc.get("uscc")
        if "answers" in doc:
            answers = doc["answers"]
            if not isinstance(answers, dict):
                raise JiqunError(
                    f"{p}：answers 须为对象（题目编号 → 答案）",
                    f"{p}: 'answers' must be an object (item id → answer)",
                )
        else:
            meta = {"framework", "edition", "uscc", "readme", "questions"}
            answers = {k: v for k, v in doc.items() if k not in meta}
    elif suffix == ".csv":
        with p.open(encoding="utf-8-sig", newline="") as fh:
            data = list(csv.reader(fh))
        if not data:
            raise JiqunError(f"{p} 是空文件", f"{p} is empty")
        answers = _rows_to_answers(data[0], data[1:], str(p))
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(p, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises several types for a broken file
            raise JiqunError(f"无法读取 {p}：{e}", f"cannot read {p}: {e}") from None
        try:
            ws = wb.worksheets[0]
            data = [list(r) for r in ws.iter_rows(values_only=True)]
            for name in wb.sheetnames:
                if "readme" in name.lower() or "说明" in name:
                    for r in wb[name].iter_rows(values_only=True):
                        if not r or r[0] is None:
                            continue
                        k = str(r[0]).strip().lower()
                        v = _cell(r[1]) if len(r) > 1 else None
                        if k == "framework" and v:
                            fw = str(v)
                        elif k == "uscc" and v:
                            uscc = str(v)
        finally:
            wb.close()
        if not data:
            raise JiqunError(f"{p} 的第一个工作表是空的", f"the first sheet of {p} is empty")
        answers = _rows_to_answers([str(h or "") for h in data[0]], data[1:], str(p))
    else:
        raise JiqunError(
            f"答卷文件须为 .json、.xlsx 或 .csv：{p}",
            f"the answer file must be .json, .xlsx or .csv: {p}",
        )
    return AnswerFile(
        framework_id(fw) if fw else None,
        str(uscc).strip() if uscc else None,
        dict(answers),
        str(p),
    )


def detect_framework(answers: dict[str, Any]) -> str:
    """Guess the framework from the answer keys (MIIT unless every key is a GB/T sub-domain).

    Example
    -------
    >>> detect_framework({"sales": 2, "data": 3}), detect_framework({"network": ["A"]})
    ('gbt39116', 'miit2024')
    """
    g = load_framework("gbt39116")
    m = load_framework("miit2024")
    keys = [k for k in answers if k.lower() not in ("scenes", "场景")]
    if (
        keys
        and all(g.resolve_key(k) is not None for k in keys)
        and not all(m.resolve_key(k) is not None for k in keys)
    ):
        return "gbt39116"
    return "miit2024"
