"""Imports through the API: upload → validation report → commit, scopes, and upload safety."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest

HEADER = "统一社会信用代码,企业名称,所在地区代码,行业代码,成立日期,从业人员,营业收入（万元）"
_CS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(prefix8: str, org8: str) -> str:
    """A credit code with valid GB 11714 and GB 32100 check characters."""
    v = [int(c) if c.isdigit() else ord(c) - 55 for c in org8]
    r = 11 - sum(a * w for a, w in zip(v, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    body = prefix8 + org8 + {10: "X", 11: "0"}.get(r, str(r))
    s = sum(_CS.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + _CS[(31 - s % 31) % 31]


NEW = [make_uscc("91320200", f"MA1T{i:04d}") for i in range(1, 7)]


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def upload(
    world: Any, who: str, content: bytes, name: str = "firms.csv", kind: str = "enterprises"
) -> Any:
    return world.client().post(
        "/api/v1/imports",
        files={"file": (name, content, "application/octet-stream")},
        data={"kind": kind},
        headers=world.auth(who),
    )


def xlsx_bytes(extra: dict[str, bytes] | None = None, content_type: bytes | None = None) -> bytes:
    """A valid enterprises workbook, optionally with extra zip parts or a changed content type."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append([NEW[5], "无锡示例表格导入有限公司", "320211", "3973", "2019-01-02", 10, 100])
    buf = io.BytesIO()
    wb.save(buf)
    if not extra and content_type is None:
        return buf.getvalue()
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml" and content_type is not None:
                data = data.replace(b"</Types>", content_type + b"</Types>")
            z.writestr(item, data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def test_upload_validate_report_commit(world: Any, error_body: Any) -> None:
    content = csv_bytes(
        f"{NEW[0]},无锡示例一号有限公司,320211,3973,2019-01-02,10,100",
        f"{NEW[1]},无锡示例二号有限公司,320211,9999,2019-01-02,10,100",  # bad industry code
        f"{NEW[2]},无锡示例三号有限公司,320211,3973,2019-01-02,10,100",
    )
    r = upload(world, "admin", content)
    assert r.status_code == 201, r.text[:500]
    rep = r.json()
    assert (rep["rows"], rep["error_rows"], rep["valid_rows"]) == (3, 1, 2)
    assert rep["status"] == "validated" and rep["kind"] == "enterprises"
    bad = [p for p in rep["problems"] if p["severity"] == "error"]
    assert bad and bad[0]["row"] == 3 and bad[0]["value"] == "9999"
    assert bad[0]["column"] and bad[0]["rule"] and bad[0]["message_zh"] and bad[0]["message_en"]
    sid = rep["id"]
    assert rep["links"]["commit"] == f"/api/v1/imports/{sid}/commit"
    c = world.client()
    # the error report, as CSV and XLSX
    csv = c.get(
        f"/api/v1/imports/{sid}/report", params={"format": "csv"}, headers=world.auth("admin")
    )
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "9999" in text and "行号 row" in text.splitlines()[0]
    xlsx = c.get(f"/api/v1/imports/{sid}/report", headers=world.auth("admin"))
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["问题 problems", "被拒行 rejected rows", "说明 summary"]
    # status and list
    st = c.get(f"/api/v1/imports/{sid}", headers=world.auth("admin")).json()
    assert st["status"] == "validated" and st["error_rows"] == 1
    lst = c.get("/api/v1/imports", headers=world.auth("admin")).json()
    assert sid in [x["id"] for x in lst["items"]]
    # all-or-nothing: refused, nothing written
    n0 = world.count("SELECT COUNT(*) FROM enterprises")
    err = error_body(c.post(f"/api/v1/imports/{sid}/commit", headers=world.auth("admin")), 422)
    assert err["problems"] and err["problems"][0]["row"] == 3
    assert "skip_invalid" in err["message_en"]
    assert world.count("SELECT COUNT(*) FROM enterprises") == n0
    # skip_invalid: the two valid rows
    ok = c.post(
        f"/api/v1/imports/{sid}/commit", params={"skip_invalid": True}, headers=world.auth("admin")
    )
    assert ok.status_code == 200, ok.text
    out = ok.json()
    assert (out["status"], out["inserted"], out["rejected"]) == ("committed", 2, 1)
    assert out["mode"] == "skip_invalid" and out["import_id"]
    assert world.count("SELECT COUNT(*) FROM enterprises") == n0 + 2
    assert (
        world.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'import_commit' AND outcome = 'ok' "
            "AND resource = :r",
            r=f"upload:{sid}",
        )
        == 1
    )
    assert (
        world.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'import_commit' AND outcome = 'rejected'"
        )
        >= 1
    )
    # once only
    error_body(c.post(f"/api/v1/imports/{sid}/commit", headers=world.auth("admin")), 409)


def test_government_imports_only_its_scope(world: Any, error_body: Any) -> None:
    f = world.firms
    content = csv_bytes(
        f"{NEW[3]},无锡示例四号有限公司,320211,3973,2019-01-02,10,100",
        f"{NEW[4]},深圳示例有限公司,440305,3973,2019-01-02,10,100",  # another region
        f"{f['B']},北京示例锂电科技有限公司,320211,3841,2010-03-02,420,38000",  # moving B in
    )
    rep = upload(world, "gov", content).json()
    scope = [p for p in rep["problems"] if p["rule"] == "access.scope"]
    assert sorted(p["row"] for p in scope) == [3, 4]
    assert rep["outside_scope_rows"] == 2 and rep["error_rows"] == 2
    c = world.client()
    # another account cannot see or commit the upload; the admin can see it
    error_body(c.get(f"/api/v1/imports/{rep['id']}", headers=world.auth("gov_other")), 404)
    error_body(c.post(f"/api/v1/imports/{rep['id']}/commit", headers=world.auth("gov_other")), 404)
    error_body(c.get(f"/api/v1/imports/{rep['id']}/report"), 401)
    assert c.get(f"/api/v1/imports/{rep['id']}", headers=world.auth("admin")).status_code == 200
    n0 = world.count("SELECT COUNT(*) FROM enterprises")
    err = error_body(c.post(f"/api/v1/imports/{rep['id']}/commit", headers=world.auth("gov")), 422)
    assert err["problems"]
    ok = c.post(
        f"/api/v1/imports/{rep['id']}/commit",
        params={"skip_invalid": "true"},
        headers=world.auth("gov"),
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["inserted"] == 1
    assert world.count("SELECT COUNT(*) FROM enterprises") == n0 + 1
    assert (
        world.count(
            "SELECT COUNT(*) FROM enterprises WHERE uscc = :u AND region_code = '440300'", u=f["B"]
        )
        == 1
    )  # B was not moved
    # kinds a government may not import at all
    err = error_body(upload(world, "gov", b"x", kind="clusters"), 403, "forbidden")
    assert "clusters" in err["message_en"]


def test_cluster_imports_its_members_only(world: Any, error_body: Any) -> None:
    f = world.firms
    rows = "\n".join(
        [
            "集群编号,统一社会信用代码,角色",
            f"{world.cluster},{f['E']},member",  # in a member city: allowed
            f"{world.cluster},{f['B']},member",  # Shenzhen firm: outside the cluster's area
            f"{world.other_cluster},{f['C']},member",  # another cluster
        ]
    ).encode()
    rep = upload(world, "cluster", rows, "members.csv", "cluster-members").json()
    scope = sorted((p["row"], p["column"]) for p in rep["problems"] if p["rule"] == "access.scope")
    assert [r for r, _c in scope] == [3, 4]
    ok = world.client().post(
        f"/api/v1/imports/{rep['id']}/commit",
        params={"skip_invalid": True},
        headers=world.auth("cluster"),
    )
    assert ok.status_code == 200 and ok.json()["inserted"] == 1
    assert world.count("SELECT COUNT(*) FROM cluster_members WHERE uscc = :u", u=f["E"]) == 1
    error_body(upload(world, "cluster", rows, "m.csv", "enterprises"), 403)


def test_enterprise_and_public_cannot_import(world: Any, error_body: Any) -> None:
    error_body(upload(world, "firm", csv_bytes()), 403)
    error_body(upload(world, "public", csv_bytes()), 401)
    error_body(world.client().get("/api/v1/imports"), 401)
    assert world.client().get("/api/v1/imports", headers=world.auth("firm")).json()["items"] == []


def test_xlsx_upload_and_template(world: Any) -> None:
    r = upload(world, "admin", xlsx_bytes(), "firms.xlsx")
    assert r.status_code == 201, r.text[:300]
    assert r.json()["rows"] == 1 and r.json()["error_rows"] == 0
    t = world.client().get("/api/v1/imports/templates/enterprises")
    assert t.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(t.content))
    assert "说明 notes" in wb.sheetnames


@pytest.mark.parametrize(
    ("name", "content", "status", "needle"),
    [
        ("firms.xlsm", b"PK\x03\x04", 400, ".xlsm"),
        ("firms.txt", b"a,b\n", 400, "only .csv and .xlsx"),
        ("firms.xls", b"\xd0\xcf\x11\xe0", 400, "only .csv and .xlsx"),
        ("firms", b"a,b\n", 400, "only .csv and .xlsx"),
        ("firms.xlsx", b"not a zip at all", 400, "not a valid .xlsx"),
        ("firms.csv", b"", 400, "empty"),
        ("../../etc/firms.py", b"print(1)", 400, "only .csv and .xlsx"),
    ],
)
def test_unsafe_or_unsupported_files_refused(
    world: Any, error_body: Any, name: str, content: bytes, status: int, needle: str
) -> None:
    err = error_body(upload(world, "admin", content, name), status)
    assert needle in err["message_en"]


def test_macros_refused(world: Any, error_body: Any) -> None:
    err = error_body(
        upload(world, "admin", xlsx_bytes({"xl/vbaProject.bin": b"\x00" * 64}), "a.xlsx"), 400
    )
    assert "macros" in err["message_en"] and "宏" in err["message_zh"]
    err = error_body(
        upload(world, "admin", xlsx_bytes({"xl/macrosheets/sheet1.xml": b"<x/>"}), "b.xlsx"), 400
    )
    assert "macros" in err["message_en"]
    ct = b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
    err = error_body(upload(world, "admin", xlsx_bytes(content_type=ct), "c.xlsx"), 400)
    assert "macro-enabled" in err["message_en"]


def test_zip_bombs_refused(world: Any, error_body: Any) -> None:
    ratio_bomb = xlsx_bytes({"xl/media/zeros.bin": b"\x00" * (8 << 20)})
    assert len(ratio_bomb) < 100_000
    err = error_body(upload(world, "admin", ratio_bomb, "r.xlsx"), 400)
    assert "zip bomb" in err["message_en"]
    big = io.BytesIO()
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        with z.open("xl/media/zeros.bin", "w", force_zip64=True) as f:
            chunk = b"\x00" * (1 << 20)
            for _ in range(201):
                f.write(chunk)
    err = error_body(upload(world, "admin", big.getvalue(), "big.xlsx"), 400)
    assert "200 MB" in err["message_en"]
    # a tiny sheet whose used range is huge (A1 and XFD1048576)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.active["XFD1048576"] = "y"
    buf = io.BytesIO()
    wb.save(buf)
    err = error_body(upload(world, "admin", buf.getvalue(), "wide.xlsx"), 400)
    assert "too large a range" in err["message_en"]


def test_too_large_and_unreadable(world: Any, error_body: Any) -> None:
    big = b"a" * (50 * 1024 * 1024 + 10)
    error_body(upload(world, "admin", big, "big.csv"), 413, "too_large")
    err = error_body(upload(world, "admin", "名称\n某公司\n".encode(), "x.csv"), 400)
    assert err.get("problems")  # missing required columns, row-level detail
    error_body(upload(world, "admin", b"x", "x.csv", kind="bogus"), 422)
    error_body(world.client().get("/api/v1/imports/zzz", headers=world.auth("admin")), 422)
    error_body(world.client().get("/api/v1/imports/" + "0" * 32, headers=world.auth("admin")), 404)
