"""Load benchmark of the whole web UI and API: 50 locust users with think time, one session per
role, over the pages (each with the HTMX sections it loads) and the API endpoints; optionally
while enterprise imports commit every N seconds.

What it does:

1. uses a demo database (``--data-dir DIR --skip-build`` reuses one, ``--copy-from FILE`` copies
   one, otherwise ``jiqun demo --no-serve`` builds one) and resets its demo accounts;
2. starts ``jiqun serve`` (``--workers``; its own process group, stopped at the end), logs each
   role in once — a session cookie through ``POST /login`` and a bearer token through
   ``POST /api/v1/auth/token`` — and hands them to the locust users of that role (weights:
   anonymous 3, government 2, cluster 2, enterprise 2, admin 1);
3. each user, after a think time of ``--wait`` (1–3 s), opens a page its role sees (the list of
   :mod:`bench_pages`; a cluster dashboard for a random national cluster, a region page for a
   random member region), then fetches every ``hx-trigger="load"`` section the page's HTML names,
   like a browser (with htmx's ``HX-Request`` header: a section that fails is answered 200 with
   the UI's ``error-page`` block, which counts as an error); or calls an API endpoint. Every request is one locust sample; each page with
   its sections is also one ``PAGE`` sample (the wall time from the first byte asked to the last
   section received: the page *completely loaded* for that user);
4. with ``--imports-every N`` a thread uploads and commits, N seconds after the previous import
   ended (the first N seconds after the load starts),
   an enterprises CSV (``--import-rows`` existing firms with their revenue changed by a few per
   cent) through ``POST /api/v1/imports`` and ``POST /api/v1/imports/{id}/commit`` as
   ``demo_admin`` (or ``jiqun import`` with ``--import-via cli``); it reports each commit's time,
   the slowest page and the errors while imports committed (from the commit's start to
   ``--import-window`` seconds after it ended);
5. prints p50 / p95 / p99 / max and errors per request name from every request's log, the
   verdict against the targets (all requests p95 ≤ 500 ms and 0 errors; with imports no page
   slower than 2 s and 0 errors) and writes them to ``--json``.

Nothing depends on how the server computes a page (the sections are read from the HTML), so the
same command measures today's code and code that reads precomputed results.

    uv run python benchmarks/bench_load.py --copy-from $DEMO \\
        --data-dir /tmp/jiqun-load --duration 3m --json benchmarks/results/load.json
    uv run python benchmarks/bench_load.py --data-dir /tmp/jiqun-load --skip-build \\
        --duration 3m --imports-every 20 --json benchmarks/results/load-imports.json
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pages import PAGES, USERS, reset_accounts, start_server
from bench_platform import build_demo, copy_database, free_port, stop_server

BIN = Path(sys.executable).parent
TARGET_P95_MS = 500.0
TARGET_IMPORT_MAX_MS = 2000.0
WEIGHTS = {"anonymous": 3, "government": 2, "cluster": 2, "enterprise": 2, "admin": 1}

#: (name, path, roles, token needed). Paths with ``{cluster}`` / ``{region}`` take a random one.
API = [
    ("GET /api/v1/clusters", "/api/v1/clusters", "all", False),
    ("GET /api/v1/clusters/{id}", "/api/v1/clusters/{cluster}", "all", False),
    ("GET /api/v1/overview", "/api/v1/overview", "all", False),
    ("GET /api/v1/regions/{code}", "/api/v1/regions/{region}", "all", False),
    ("GET /api/v1/published?by=region", "/api/v1/published?by=region", "all", False),
    ("GET /api/v1/innovation", "/api/v1/innovation", "all", False),
    ("GET /api/v1/enterprises?limit=50", "/api/v1/enterprises?limit=50", "signed-in", True),
    ("GET /api/v1/evaluation/clusters", "/api/v1/evaluation/clusters", "signed-in", True),
]

LOCUSTFILE = r"""
import json, random, re, threading, time

from locust import HttpUser, between, constant, events, task

ROLES = json.loads({roles!r})
CLUSTERS = {clusters!r}
REGIONS = {regions!r}
WAIT = {wait!r}
LOG = open({log!r}, "a", buffering=1, encoding="utf-8")
LOCK = threading.Lock()
SECTION = re.compile(r"<[^>]*hx-trigger=\"load\"[^>]*>")
HXGET = re.compile(r"hx-get=\"([^\"]+)\"")
ERROR_BLOCK = re.compile(r"class=\"card error-page\" data-status=\"([0-9]+)\"")


@events.request.add_listener
def _log(request_type, name, response_time, response_length, exception=None, **kw):
    with LOCK:
        LOG.write(f"{{time.time():.3f}}\t{{request_type}}\t{{name}}\t{{response_time:.1f}}\t"
                  f"{{'' if exception is None else str(exception)[:200].replace(chr(9), ' ')}}\n")


def generic(path):
    path = re.sub(r"/clusters/[^/?]+", "/clusters/{{id}}", path)
    path = re.sub(r"/regions/[0-9]{{6}}", "/regions/{{code}}", path)
    return re.sub(r"/enterprises/[0-9A-Z]{{18}}", "/enterprises/{{uscc}}", path)


def fill(path):
    return path.replace("{{cluster}}", random.choice(CLUSTERS)).replace(
        "{{region}}", random.choice(REGIONS))


class Base(HttpUser):
    abstract = True
    wait_time = between(*WAIT) if WAIT[1] > 0 else constant(0)
    network_timeout = 60.0
    connection_timeout = 10.0
    role = ""

    def on_start(self):
        r = ROLES[self.role]
        if r["cookie"]:
            self.client.headers["Cookie"] = r["cookie"]
        self.token = r["token"]
        self.pages = r["pages"]
        self.api = r["api"]

    def get(self, path, name, **kw):
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True,
                             **kw) as resp:
            if resp.status_code != 200:
                resp.failure(f"status {{resp.status_code}} at {{path}}")
            elif kw.get("headers", {{}}).get("HX-Request"):
                # the UI answers a failed section with 200 and its error block, as htmx expects
                m = ERROR_BLOCK.search(resp.text)
                if m:
                    resp.failure(f"section shows error {{m.group(1)}} at {{path}}")
            return resp

    @task(3)
    def page(self):
        path = fill(random.choice(self.pages))
        t0 = time.perf_counter()
        resp = self.get(path, "GET " + generic(path))
        failed = resp.status_code != 200
        if not failed:
            for tag in SECTION.findall(resp.text):
                m = HXGET.search(tag)
                if m:
                    sec = m.group(1).replace("&amp;", "&")
                    # the headers htmx sends: the UI answers a section, not a whole page
                    hx = {{"HX-Request": "true", "HX-Current-URL": self.host + path}}
                    r = self.get(sec, "HTMX " + generic(sec), headers=hx)
                    failed |= r.status_code != 200 or bool(ERROR_BLOCK.search(r.text))
        events.request.fire(
            request_type="PAGE", name="PAGE " + generic(path),
            response_time=(time.perf_counter() - t0) * 1000, response_length=0,
            exception=RuntimeError("page or section failed") if failed else None, context={{}},
        )

    @task(1)
    def api_call(self):
        name, path, token = random.choice(self.api)
        headers = {{"Authorization": f"Bearer {{self.token}}"}} if token else {{}}
        self.get(fill(path), name, headers=headers)

{classes}
"""

CLASS = """
class {cls}(Base):
    role = {role!r}
    weight = {weight}
"""


def post_form(url: str, data: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """POST a form without following redirects; status, headers and body."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a: Any, **k: Any) -> None:
            return None

    req = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        cookies = "; ".join(c.split(";")[0] for c in e.headers.get_all("Set-Cookie") or [])
        return e.code, {"set-cookie": cookies}, e.read()


def log_in(base: str, role: str, passwords: dict[str, str]) -> tuple[str, str]:
    """The session cookie (``name=value``) and a bearer token of the role's demo account."""
    user = USERS[role]
    status, headers, _ = post_form(
        f"{base}/login", {"username": user, "password": passwords[user], "next": "/account"}
    )
    if status != 303 or not headers.get("set-cookie"):
        raise SystemExit(f"web login as {user} failed: {status}")
    status, _, body = post_form(
        f"{base}/api/v1/auth/token", {"username": user, "password": passwords[user]}
    )
    if status != 200:
        raise SystemExit(f"token for {user} failed: {status}")
    return headers["set-cookie"], json.loads(body)["access_token"]


def clusters_and_regions(db: Path) -> tuple[list[str], list[str]]:
    """Every cluster id and every member region code, read from the database file (read-only)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        clusters = [r[0] for r in con.execute("SELECT cluster_id FROM clusters ORDER BY 1")]
        regions = [
            r[0] for r in con.execute("SELECT DISTINCT region_code FROM cluster_regions ORDER BY 1")
        ]
    finally:
        con.close()
    return clusters, regions


def import_rows(db: Path, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` existing firms (a fixed random sample) with the columns of the enterprises import."""
    from bench_import import HEADERS

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        cols = list(HEADERS)
        total = con.execute("SELECT COUNT(*) FROM enterprises").fetchone()[0]
        step = max(1, total // n)
        offset = random.Random(seed).randrange(step)
        rows = con.execute(
            f"SELECT {', '.join(cols)} FROM enterprises ORDER BY uscc LIMIT ? OFFSET ?",
            (n * step, offset),
        ).fetchall()
    finally:
        con.close()
    return [dict(zip(cols, r, strict=True)) for r in rows[::step][:n]]


def import_csv(rows: list[dict[str, Any]], rng: random.Random) -> bytes:
    """The rows as an enterprises CSV (Chinese headers), revenue changed by −5 … +5 %."""
    from bench_import import HEADERS

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS.values())
    for r in rows:
        out = []
        for c in HEADERS:
            v = r[c]
            if c == "revenue" and v is not None:
                v = round(float(v) * rng.uniform(0.95, 1.05), 2)
            out.append("" if v is None else v)
        w.writerow(out)
    return buf.getvalue().encode("utf-8")


class Importer(threading.Thread):
    """Every ``every`` seconds: upload and commit an enterprises CSV; records each commit."""

    def __init__(
        self,
        base: str,
        token: str,
        rows: list[dict[str, Any]],
        every: float,
        via: str,
        env: dict[str, str],
        work: Path,
    ) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.rows, self.every, self.via = base, token, rows, every, via
        self.env, self.work = env, work
        self.stop = threading.Event()
        self.events: list[dict[str, Any]] = []

    def one(self, i: int, rng: random.Random) -> dict[str, Any]:
        import requests

        body = import_csv(self.rows, rng)
        t0 = time.time()
        ev: dict[str, Any] = {"start": t0, "rows": len(self.rows), "via": self.via}
        try:
            if self.via == "cli":
                path = self.work / f"bench-{i}.csv"
                path.write_bytes(body)
                r = subprocess.run(
                    [str(BIN / "jiqun"), "import", "enterprises", str(path)],
                    env=self.env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                ev["ok"] = r.returncode == 0
                if not ev["ok"]:
                    ev["error"] = (r.stderr or r.stdout)[-300:]
            else:
                auth = {"Authorization": f"Bearer {self.token}"}
                up = requests.post(
                    f"{self.base}/api/v1/imports",
                    headers=auth,
                    files={"file": (f"bench-{i}.csv", body, "text/csv")},
                    data={"kind": "enterprises"},
                    timeout=120,
                )
                ev["upload_s"] = time.time() - t0
                rep = up.json()
                if up.status_code != 201 or rep.get("error_rows"):
                    ev["ok"], ev["error"] = False, f"upload {up.status_code}: {str(rep)[:300]}"
                else:
                    sid = rep.get("id") or rep.get("staged_id")
                    c = requests.post(
                        f"{self.base}/api/v1/imports/{sid}/commit", headers=auth, timeout=120
                    )
                    ev["ok"] = c.status_code == 200
                    if not ev["ok"]:
                        ev["error"] = f"commit {c.status_code}: {c.text[:300]}"
        except Exception as e:  # a failed import is a measured result, not a crash
            ev["ok"], ev["error"] = False, f"{type(e).__name__}: {e}"
        ev["end"] = time.time()
        ev["seconds"] = ev["end"] - t0
        return ev

    def run(self) -> None:
        rng = random.Random(7)
        i = 0
        while not self.stop.wait(self.every):
            ev = self.one(i, rng)
            self.events.append(ev)
            print(
                f"  import {i}: {ev['rows']} rows via {self.via} in {ev['seconds']:.1f} s"
                + ("" if ev["ok"] else f" FAILED {ev.get('error')}"),
                flush=True,
            )
            i += 1


def server_imports(db: Path) -> list[dict[str, Any]]:
    """The benchmark's imports as the server recorded them (``imports`` table): the time from
    the start of the write to its commit, whatever the client waited for its answer."""
    import datetime as dt

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT source_file, status, rows_written, started_at, finished_at FROM imports "
            "WHERE source_file LIKE '%bench-%' ORDER BY id"
        ).fetchall()
    finally:
        con.close()
    out = []
    for f, status, n, a, b in rows:
        secs = (
            (dt.datetime.fromisoformat(b) - dt.datetime.fromisoformat(a)).total_seconds()
            if b
            else None
        )
        out.append({"file": Path(f).name, "status": status, "rows_written": n, "write_s": secs})
    return out


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    v = sorted(values)
    return v[max(0, math.ceil(q / 100 * len(v)) - 1)] if v else float("nan")


def read_log(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 5:
            t, kind, name, ms, err = parts
            out.append({"t": float(t), "type": kind, "name": name, "ms": float(ms), "err": err})
    return out


def stats(reqs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by: dict[str, list[dict[str, Any]]] = {}
    for r in reqs:
        by.setdefault(r["name"], []).append(r)
    rows = []
    for name in sorted(by, key=lambda n: (n.split(" ")[0] != "PAGE", n)):
        rs = by[name]
        ms = [r["ms"] for r in rs]
        rows.append(
            {
                "name": name,
                "requests": len(rs),
                "errors": sum(1 for r in rs if r["err"]),
                "p50": pct(ms, 50),
                "p95": pct(ms, 95),
                "p99": pct(ms, 99),
                "max": max(ms),
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]], title: str) -> None:
    head = f"{title:<46} {'requests':>8} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
    print("\n" + head + "\n" + "-" * len(head))
    for r in rows:
        print(
            f"{r['name'][:46]:<46} {r['requests']:>8} {r['errors']:>6} {r['p50']:>7.0f} "
            f"{r['p95']:>7.0f} {r['p99']:>7.0f} {r['max']:>7.0f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--enterprises", type=int, default=200_000)
    ap.add_argument("--data-dir", type=Path, help="use this JIQUN_DATA_DIR (default: a temp dir)")
    ap.add_argument("--skip-build", action="store_true", help="the data dir already has a demo")
    ap.add_argument("--copy-from", type=Path, help="copy this demo database (SQLite) first")
    ap.add_argument("--port", type=int, default=8767)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--spawn-rate", type=float, default=5)
    ap.add_argument("--duration", default="3m")
    ap.add_argument("--wait", default="1,3", help="think time, 'min,max' seconds")
    ap.add_argument("--imports-every", type=float, default=0.0, help="seconds; 0 = no imports")
    ap.add_argument("--import-rows", type=int, default=200)
    ap.add_argument("--import-via", choices=["api", "cli"], default="api")
    ap.add_argument(
        "--import-window",
        type=float,
        default=10.0,
        help="seconds after a commit still counted as 'during the import'",
    )
    ap.add_argument("--after-start", type=float, default=0.0, help="seconds to wait after start")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="jiqun-load-"))
    data_dir = args.data_dir or tmp / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "JIQUN_DATA_DIR": str(data_dir)}
    env.pop("JIQUN_DATABASE_URL", None)
    os.environ["JIQUN_DATA_DIR"] = str(data_dir)
    os.environ.pop("JIQUN_DATABASE_URL", None)
    if args.copy_from:
        print(f"copied {args.copy_from} in {copy_database(args.copy_from, data_dir):.1f} s")
    elif not args.skip_build:
        secs = build_demo(data_dir, args.enterprises, env)
        print(f"demo database with {args.enterprises:,} enterprises built in {secs:.1f} s")
    db = data_dir / "jiqun.sqlite3"
    passwords, firm = reset_accounts(data_dir)
    clusters, regions = clusters_and_regions(db)
    rows = import_rows(db, args.import_rows, 11) if args.imports_every else []
    wait = tuple(float(x) for x in args.wait.split(","))
    port = free_port(args.port)
    base = f"http://127.0.0.1:{port}"
    print(
        f"{platform.node()}: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
        f"{len(clusters)} clusters, {len(regions)} member regions; data {data_dir}"
    )
    proc, secs = start_server(port, env, tmp / "server.log", args.workers)
    print(f"server started in {secs:.1f} s")
    importer = None
    try:
        if args.after_start:
            time.sleep(args.after_start)
        roles: dict[str, Any] = {}
        for role in WEIGHTS:
            cookie, token = log_in(base, role, passwords) if role in USERS else ("", "")
            pages = []
            for _name, path, seen_by in PAGES:
                if role not in seen_by or ("{firm}" in path and not firm):
                    continue
                # a random cluster dashboard and a random member region instead of fixed ones
                p = path.replace("{c0}", "{cluster}").replace("{c1}", "{cluster}")
                p = p.replace("{c2}", "{cluster}").replace("{firm}", firm)
                if p.startswith("/regions/") and p != "/regions":
                    p = "/regions/{region}"
                if p not in pages:
                    pages.append(p)
            api = [
                (n, p, tok)
                for n, p, who, tok in API
                if who == "all" or (who == "signed-in" and role in USERS)
            ]
            roles[role] = {"cookie": cookie, "token": token, "pages": pages, "api": api}
        log = tmp / "requests.tsv"
        classes = "".join(CLASS.format(cls=f"U_{r}", role=r, weight=w) for r, w in WEIGHTS.items())
        (tmp / "locustfile.py").write_text(
            textwrap.dedent(
                LOCUSTFILE.format(
                    roles=json.dumps(roles),
                    clusters=clusters,
                    regions=regions,
                    wait=wait,
                    log=str(log),
                    classes=classes,
                )
            ),
            encoding="utf-8",
        )
        cmd = [
            str(BIN / "locust"),
            "-f",
            str(tmp / "locustfile.py"),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            args.duration,
            "--host",
            base,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        if args.imports_every:
            admin_token = roles["admin"]["token"]
            importer = Importer(
                base, admin_token, rows, args.imports_every, args.import_via, env, tmp
            )
            importer.start()
        print(
            f"running locust: {args.users} users, think {args.wait} s, {args.duration}"
            + (f", imports every {args.imports_every:g} s" if args.imports_every else ""),
            flush=True,
        )
        load0 = os.getloadavg()[0]
        t_start = time.time()
        subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t_end = time.time()
        if importer:
            importer.stop.set()
            importer.join(timeout=300)
        print(f"load average before / after: {load0:.2f} / {os.getloadavg()[0]:.2f}")
    finally:
        stop_server(proc)

    reqs = read_log(log)
    table = stats(reqs)
    http = [r for r in reqs if r["type"] != "PAGE"]
    pages = [r for r in reqs if r["type"] == "PAGE"]
    overall = {
        "requests": len(http),
        "errors": sum(1 for r in http if r["err"]),
        "p50": pct([r["ms"] for r in http], 50),
        "p95": pct([r["ms"] for r in http], 95),
        "p99": pct([r["ms"] for r in http], 99),
        "max": max((r["ms"] for r in http), default=float("nan")),
        "page_p95": pct([r["ms"] for r in pages], 95),
        "page_max": max((r["ms"] for r in pages), default=float("nan")),
        "seconds": t_end - t_start,
    }
    print_table(table, "request (ms; PAGE = page with its sections)")
    print(
        f"\nALL HTTP requests: {overall['requests']} ({overall['requests'] / overall['seconds']:.1f}"
        f"/s), errors {overall['errors']}, p50 {overall['p50']:.0f} p95 {overall['p95']:.0f} "
        f"p99 {overall['p99']:.0f} max {overall['max']:.0f} ms; complete pages p95 "
        f"{overall['page_p95']:.0f} max {overall['page_max']:.0f} ms"
    )
    ok = overall["p95"] <= TARGET_P95_MS and overall["errors"] == 0
    result: dict[str, Any] = {"overall": overall, "table": table}
    if importer:
        evs = importer.events
        windows = [(e["start"], e["end"] + args.import_window) for e in evs]

        def during(r: dict[str, Any]) -> bool:
            # a request is logged when it ends; it overlaps a window if it ended after the
            # window opened and started before the window closed
            t1, t0 = r["t"], r["t"] - r["ms"] / 1000
            return any(t1 >= a and t0 <= b for a, b in windows)

        dur = [r for r in reqs if during(r)]
        dpages = [r for r in dur if r["type"] == "PAGE"]
        slow = max(dpages, key=lambda r: r["ms"], default=None)
        imp = {
            "imports": len(evs),
            "failed": sum(1 for e in evs if not e["ok"]),
            "commit_seconds": [round(e["seconds"], 2) for e in evs],
            "requests_during": len([r for r in dur if r["type"] != "PAGE"]),
            "errors_during": sum(1 for r in dur if r["err"] and r["type"] != "PAGE"),
            "slowest_page_during": slow and {"name": slow["name"], "ms": slow["ms"]},
            "p95_during": pct([r["ms"] for r in dur if r["type"] != "PAGE"], 95),
            "events": evs,
            "server": server_imports(db),
        }
        result["imports"] = imp
        print(
            f"imports: {imp['imports']} commits of {args.import_rows} rows every "
            f"{args.imports_every:g} s via {args.import_via} ({imp['failed']} failed), each "
            f"{', '.join(f'{s:.1f}' for s in imp['commit_seconds'])} s"
        )
        srv = imp["server"]
        writes = ", ".join(f"{x['write_s']:.1f}" for x in srv if x["write_s"] is not None)
        committed = sum(1 for x in srv if x["status"] == "committed")
        print(
            f"server side: {len(srv)} import(s) recorded, {committed} committed, write {writes} s"
        )
        print(
            f"during imports (commit start … end + {args.import_window:g} s): "
            f"{imp['requests_during']} requests, {imp['errors_during']} errors, p95 "
            f"{imp['p95_during']:.0f} ms; slowest complete page "
            + (f"{slow['name']} {slow['ms']:.0f} ms" if slow else "none")
        )
        ok = (
            ok
            and imp["errors_during"] == 0
            and imp["failed"] == 0
            and (slow is None or slow["ms"] <= TARGET_IMPORT_MAX_MS)
        )
    errs: dict[str, int] = {}
    for r in reqs:
        if r["err"] and r["type"] != "PAGE":
            errs[f"{r['name']}: {r['err']}"] = errs.get(f"{r['name']}: {r['err']}", 0) + 1
    for k, n in sorted(errs.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  error ×{n}: {k}")
    print(
        f"verdict: {'met' if ok else 'NOT met'} (all requests p95 ≤ {TARGET_P95_MS:.0f} ms, 0 errors"
        + (f"; during imports every page ≤ {TARGET_IMPORT_MAX_MS:.0f} ms" if importer else "")
        + f"; {args.users} users, think {wait[0]:g}–{wait[1]:g} s, {args.workers} worker(s))"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        result["machine"] = {"node": platform.node(), "cores": os.cpu_count()}
        result["args"] = {k: str(v) for k, v in vars(args).items()}
        args.json.write_text(
            json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
        print(f"wrote {args.json}")
    if not args.data_dir:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept {tmp} (server.log, requests.tsv, locustfile.py)")


if __name__ == "__main__":
    main()
