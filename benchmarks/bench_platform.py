"""Load benchmark of the platform's dashboard endpoints (50 concurrent clients for
2 minutes, p95 ≤ 200 ms, zero errors) with locust, headless.

What it does:

1. builds the demo database in a temporary ``JIQUN_DATA_DIR`` (``jiqun demo --no-serve
   --enterprises N``; or ``--data-dir DIR --skip-build`` to reuse one — its demo account
   passwords are reset);
2. starts ``jiqun serve --port 8765`` in a subprocess (its own process group, stopped at the end);
3. resets the demo accounts (``ensure_demo_accounts``) and gets a bearer token for ``demo_gov``
   through ``POST /api/v1/auth/token``;
4. writes a locustfile and runs ``locust --headless -u 50 -r 10 -t 2m`` over
   ``GET /api/v1/clusters``, ``/api/v1/clusters/{id}``, ``/api/v1/overview``,
   ``/api/v1/enterprises?limit=50`` (with the token) and ``/api/v1/published?by=region`` (skipped,
   and said so, when the server does not have that route);
5. prints p50 / p95 / p99 and error counts per endpoint from locust's CSV, and the verdict.

``--profile`` then calls each endpoint in-process (FastAPI TestClient on the same database) under
cProfile and prints where the time goes.

    uv run python benchmarks/bench_platform.py                      # full run (≈ 3–4 min)
    uv run python benchmarks/bench_platform.py --duration 30s --enterprises 20000   # quick look
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET_P95_MS = 200.0

LOCUSTFILE = """
import random
from locust import HttpUser, between, constant, task

TOKEN = {token!r}
CLUSTERS = {clusters!r}
PUBLISHED = {published!r}
WAIT = {wait!r}


class Dashboard(HttpUser):
    wait_time = between(*WAIT) if WAIT[1] > 0 else constant(0)

    @task
    def clusters(self):
        self.client.get("/api/v1/clusters", name="/api/v1/clusters")

    @task
    def cluster(self):
        cid = random.choice(CLUSTERS)
        self.client.get(f"/api/v1/clusters/{{cid}}", name="/api/v1/clusters/{{id}}")

    @task
    def overview(self):
        self.client.get("/api/v1/overview", name="/api/v1/overview")

    @task
    def enterprises(self):
        self.client.get(
            "/api/v1/enterprises?limit=50",
            headers={{"Authorization": f"Bearer {{TOKEN}}"}},
            name="/api/v1/enterprises?limit=50",
        )

    if PUBLISHED:

        @task
        def published(self):
            self.client.get("/api/v1/published?by=region", name="/api/v1/published?by=region")
"""


def _get(url: str, token: str | None = None, timeout: float = 30) -> tuple[int, bytes]:
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def build_demo(data_dir: Path, enterprises: int, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [str(BIN / "jiqun"), "demo", "--no-serve", "--enterprises", str(enterprises)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def free_port(preferred: int) -> int:
    """``preferred`` when nothing listens there, else a free port chosen by the OS (another
    server on the preferred port would silently answer the benchmark)."""
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            pass
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_database(src: Path, data_dir: Path) -> float:
    """A consistent copy of an existing demo database (SQLite online backup)."""
    import sqlite3

    t0 = time.perf_counter()
    with (
        sqlite3.connect(f"file:{src}?mode=ro", uri=True) as a,
        sqlite3.connect(data_dir / "jiqun.sqlite3") as b,
    ):
        a.backup(b)
    return time.perf_counter() - t0


#: ``--what-if``: the server with the edits proposed to the lead applied by monkeypatching at
#: start-up, so that their effect is measured without editing api.py or access.py.
#: ``overview-cache``: api.py's ``/overview`` answered through ``jiqun.services.cache.cached``.
#: ``proposed``: that, plus api.py's ``_clusters_frame`` cached the same way, plus a government
#: scope written as a code range (``region_code >= '110000' AND region_code < '120000'``, which
#: SQLite and PostgreSQL answer from ix_enterprises_region_code) instead of ``LIKE '11%'``.
WHAT_IF_FACTORY = """
import jiqun.services.overview as ov
from jiqun.services.cache import cached

_plain = ov.national_overview


def national_overview(engine=None, year=None, tier="national"):
    from jiqun.store.db import get_engine

    engine = engine or get_engine()
    return cached(engine, ("overview", year, tier), lambda: _plain(engine, year=year, tier=tier))


ov.national_overview = national_overview

if {proposed!r}:
    import jiqun.services.access as access
    import jiqun.web.api as api

    _frame = api._clusters_frame
    api._clusters_frame = lambda engine: cached(engine, ("clusters-frame",), lambda: _frame(engine))
    _own = access._own_sql

    def _own_sql(principal):
        if principal.role == "government" and principal.scope:
            pfx = access.region_prefix(principal.scope)
            lo = pfx.ljust(6, "0")
            hi = str(int(pfx) + 1).ljust(6, "0")
            return ("e.region_code >= :_lo AND e.region_code < :_hi", {{"_lo": lo, "_hi": hi}})
        return _own(principal)

    access._own_sql = _own_sql

from jiqun.web.app import create_app

app = create_app()
"""


def start_server(
    port: int, workers: int, env: dict[str, str], log: Path, what_if: str | None = None
) -> subprocess.Popen:
    fh = log.open("wb")
    cmd = [str(BIN / "jiqun"), "serve", "--port", str(port), "--workers", str(workers)]
    if what_if:
        code = WHAT_IF_FACTORY.format(proposed=what_if == "proposed")
        (log.parent / "whatif_app.py").write_text(code, encoding="utf-8")
        cmd = [str(BIN / "uvicorn"), "whatif_app:app", "--port", str(port)]
        cmd += ["--workers", str(workers), "--log-level", "warning", "--app-dir", str(log.parent)]
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=fh,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped by id at the end
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        if proc.poll() is not None:
            raise SystemExit(f"server exited early; see {log}")
        try:
            if _get(f"{base}/api/v1/clusters?limit=1", timeout=5)[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(proc)
    raise SystemExit(f"server did not come up; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def demo_token(base: str, data_dir: Path) -> str:
    """Reset the demo accounts in this database and log ``demo_gov`` in through the API."""
    from jiqun.services.accounts import ensure_demo_accounts
    from jiqun.store.db import make_engine

    eng = make_engine(f"sqlite:///{data_dir / 'jiqun.sqlite3'}")
    accounts = {a["username"]: a for a in ensure_demo_accounts(eng)}
    eng.dispose()
    body = urllib.parse.urlencode(
        {"username": "demo_gov", "password": accounts["demo_gov"]["password"]}
    ).encode()
    req = urllib.request.Request(f"{base}/api/v1/auth/token", data=body, method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())["access_token"]


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def report(rows: list[dict[str, str]], skipped: list[str]) -> bool:
    head = f"{'endpoint':<32} {'requests':>8} {'errors':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}"
    print(head)
    print("-" * len(head))
    ok = True
    for r in rows:
        name = r["Name"] if r["Type"] else "ALL (aggregated)"
        p50, p95, p99 = (float(r[k] or 0) for k in ("50%", "95%", "99%"))
        print(
            f"{name:<32} {int(r['Request Count']):>8} {int(r['Failure Count']):>6} "
            f"{p50:>6.0f} {p95:>6.0f} {p99:>6.0f} {float(r['Max Response Time']):>7.0f}"
        )
        if p95 > TARGET_P95_MS or int(r["Failure Count"]):
            ok = False
    print("(milliseconds)")
    for s in skipped:
        print(f"skipped: {s}")
    return ok


def profile(base_dir: Path, token_user: str, clusters: list[str], published: bool) -> None:
    """Each endpoint in-process under cProfile (after one warm-up call)."""
    import cProfile
    import pstats

    from fastapi.testclient import TestClient

    from jiqun.services.accounts import ensure_demo_accounts
    from jiqun.store.db import make_engine
    from jiqun.web.app import create_app

    eng = make_engine(f"sqlite:///{base_dir / 'jiqun.sqlite3'}")
    pw = {a["username"]: a["password"] for a in ensure_demo_accounts(eng)}
    client = TestClient(create_app(eng))
    tok = client.post(
        "/api/v1/auth/token", data={"username": token_user, "password": pw[token_user]}
    ).json()["access_token"]
    paths = [
        "/api/v1/clusters",
        f"/api/v1/clusters/{clusters[0]}",
        "/api/v1/overview",
        "/api/v1/enterprises?limit=50",
    ]
    if published:
        paths.append("/api/v1/published?by=region")
    for path in paths:
        client.get(path, headers={"Authorization": f"Bearer {tok}"})
        pr = cProfile.Profile()
        t0 = time.perf_counter()
        pr.enable()
        for _ in range(5):
            client.get(path, headers={"Authorization": f"Bearer {tok}"})
        pr.disable()
        print(f"\n=== {path}: {(time.perf_counter() - t0) / 5 * 1000:.0f} ms per call (warm)")
        pstats.Stats(pr).sort_stats("cumulative").print_stats(r"jiqun", 12)
    eng.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--enterprises", type=int, default=200_000)
    ap.add_argument("--data-dir", type=Path, help="use this JIQUN_DATA_DIR (default: a temp dir)")
    ap.add_argument("--skip-build", action="store_true", help="the data dir already has a demo")
    ap.add_argument(
        "--copy-from", type=Path, help="copy this demo database (SQLite file) instead of building"
    )
    ap.add_argument(
        "--what-if",
        choices=["overview-cache", "proposed"],
        help="measure a proposed change without making it (see WHAT_IF_FACTORY)",
    )
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--spawn-rate", type=float, default=10)
    ap.add_argument("--duration", default="2m")
    ap.add_argument(
        "--wait",
        default="1,3",
        help="think time per simulated user, 'min,max' seconds (0,0 = back-to-back requests)",
    )
    ap.add_argument("--profile", action="store_true", help="cProfile each endpoint afterwards")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="jiqun-bench-"))
    data_dir = args.data_dir or tmp / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "JIQUN_DATA_DIR": str(data_dir)}
    env.pop("JIQUN_DATABASE_URL", None)
    os.environ.update({"JIQUN_DATA_DIR": str(data_dir)})
    os.environ.pop("JIQUN_DATABASE_URL", None)
    wait = tuple(float(x) for x in args.wait.split(","))
    print(f"data dir {data_dir}; load average {os.getloadavg()[0]:.2f}; nproc {os.cpu_count()}")
    if args.copy_from:
        secs = copy_database(args.copy_from, data_dir)
        print(f"copied {args.copy_from} in {secs:.1f} s")
    elif not args.skip_build:
        secs = build_demo(data_dir, args.enterprises, env)
        print(f"demo database with {args.enterprises:,} enterprises built in {secs:.1f} s")
    port = free_port(args.port)
    if port != args.port:
        print(f"port {args.port} is in use by another process; using {port}")
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port, args.workers, env, tmp / "server.log", args.what_if)
    skipped: list[str] = []
    try:
        token = demo_token(base, data_dir)
        _status, body = _get(f"{base}/api/v1/clusters?limit=1000")
        clusters = [c["cluster_id"] for c in json.loads(body)["items"]]
        published = _get(f"{base}/api/v1/published?by=region")[0] == 200
        if not published:
            skipped.append("/api/v1/published?by=region (no such route on this server yet)")
        # one warm-up call per endpoint (first-use caches), not measured
        for path in ("/api/v1/clusters", f"/api/v1/clusters/{clusters[0]}", "/api/v1/overview"):
            _get(base + path)
        _get(f"{base}/api/v1/enterprises?limit=50", token)
        locustfile = tmp / "locustfile.py"
        locustfile.write_text(
            textwrap.dedent(
                LOCUSTFILE.format(token=token, clusters=clusters, published=published, wait=wait)
            ),
            encoding="utf-8",
        )
        prefix = tmp / "locust"
        cmd = [
            str(BIN / "locust"),
            "-f",
            str(locustfile),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            args.duration,
            "--host",
            base,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        print("running:", " ".join(cmd[:2]), "<locustfile>", " ".join(cmd[3:]))
        load0 = os.getloadavg()[0]
        subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"load average before / after: {load0:.2f} / {os.getloadavg()[0]:.2f}")
        ok = report(read_stats(prefix), skipped)
        fails = Path(f"{prefix}_failures.csv")
        if fails.exists() and fails.read_text(encoding="utf-8").count("\n") > 1:
            print(fails.read_text(encoding="utf-8"))
        print(
            f"verdict: {'met' if ok else 'NOT met'} (p95 ≤ {TARGET_P95_MS:.0f} ms and zero errors "
            f"per endpoint; {args.users} users, think time {wait[0]:g}–{wait[1]:g} s"
            + (f"; what-if {args.what_if}" if args.what_if else "")
            + ")"
        )
    finally:
        stop_server(proc)
    if args.profile:
        profile(data_dir, "demo_gov", clusters, published)
    if not args.keep and not args.data_dir:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept {tmp}")


if __name__ == "__main__":
    main()
