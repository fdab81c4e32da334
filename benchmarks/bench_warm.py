"""Server time of whole pages (the page and every section it loads), in process, warm or after
imports while a refresh is pending — the request-side work, without a browser or a network.

For each demo account given and each page path: the page is requested through FastAPI's
``TestClient`` and then every ``hx-trigger="load"`` section its HTML names (with ``HX-Request``,
one after the other, as ``bench_load.py`` does); the time is from the page request to the last
section's answer.

* default: one first request, then ``--repeat`` more (warm: their median);
* ``--imports K``: marks the present data version's stored results complete (``--setup``, once,
  on a scratch copy), queues a refresh (not run: ``JIQUN_WORKER=0``), warms every page, then K
  times announces a data change (:func:`jiqun.services.cache.bump`, what an import's commit
  does to the data version) and times the first request of every page after it — what a user
  waits for while imports commit during a long refresh.

Run it on a **copy** of a demo data directory (it writes audit rows and, with ``--imports``,
data versions). To compare with older code, put that code's ``src`` first on ``PYTHONPATH``
(``git archive COMMIT src | tar -x -C /tmp/old``; ``PYTHONPATH=/tmp/old/src``).

    JIQUN_DATA_DIR=/tmp/copy uv run python benchmarks/bench_warm.py \\
        --users demo_admin demo_gov --paths /clusters/NC2022-04 / --repeat 5 --json out.json
    JIQUN_DATA_DIR=/tmp/copy uv run python benchmarks/bench_warm.py --setup
    JIQUN_DATA_DIR=/tmp/copy uv run python benchmarks/bench_warm.py --imports 4 --json imp.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("JIQUN_WORKER", "0")
HX = {"HX-Request": "true"}
PATHS = ["/clusters/NC2022-04", "/clusters/NC2021-02", "/", "/regions/320500", "/regions/110000"]
USERS = ["demo_admin", "demo_gov", "demo_cluster", "demo_firm"]


def _passwords(data_dir: str) -> dict[str, str]:
    """The demo accounts' passwords (``demo-accounts.txt``: user, role, scope, password)."""
    text = Path(data_dir, "demo-accounts.txt").read_text(encoding="utf-8")
    return {ln.split("\t")[0]: ln.split("\t")[-1] for ln in text.splitlines() if ln.strip()}


def _login(app: Any, user: str, password: str) -> Any:
    from fastapi.testclient import TestClient

    c = TestClient(app)
    m = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
    data = {"username": user, "password": password, **({"csrf": m.group(1)} if m else {})}
    r = c.post("/login", data=data, follow_redirects=False)
    if r.status_code not in (302, 303):
        raise SystemExit(f"login {user}: {r.status_code}")
    return c


def whole_page(client: Any, path: str) -> tuple[float, int]:
    """(ms from the page request to the last section's answer, number of sections)."""
    t0 = time.perf_counter()
    r = client.get(path)
    if r.status_code != 200:
        raise SystemExit(f"{path}: {r.status_code}")
    sections = re.findall(r'hx-get="([^"]+)"[^>]*hx-trigger="load', r.text)
    for s in sections:
        rs = client.get(s.replace("&amp;", "&"), headers=HX)
        if rs.status_code != 200:
            raise SystemExit(f"{s}: {rs.status_code}")
    return (time.perf_counter() - t0) * 1000, len(sections)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, time the pages, print and write the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", nargs="+", default=USERS)
    ap.add_argument("--paths", nargs="+", default=PATHS)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--imports", type=int, default=0)
    ap.add_argument("--setup", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    from jiqun.services import cache, jobs, results
    from jiqun.store.db import get_engine
    from jiqun.web.app import create_app

    data_dir = os.environ["JIQUN_DATA_DIR"]
    eng = get_engine()
    if a.setup:
        results.end_version(eng, cache.version_text(eng), ok=True)
        print("stored results of", cache.version_text(eng), "marked complete")
        return 0
    app = create_app(eng)
    pw = _passwords(data_dir)
    clients = {u: _login(app, u, pw[u]) for u in a.users}
    rows: dict[str, Any] = {}
    if a.imports:
        jobs.enqueue("refresh", engine=eng)
        for u in a.users:
            for p in a.paths:
                whole_page(clients[u], p)
                whole_page(clients[u], p)
        for _ in range(a.imports):
            cache.bump(eng)
            for u in a.users:
                for p in a.paths:
                    rows.setdefault(f"{u} {p}", []).append(round(whole_page(clients[u], p)[0]))
        every = sorted(x for xs in rows.values() for x in xs)
        for name, xs in rows.items():
            print(
                f"{name:40s} first after an import: median {statistics.median(xs):6.0f} "
                f"max {max(xs):6.0f}"
            )
        summary = {
            "n": len(every),
            "median": statistics.median(every),
            "p95": every[max(0, -(-95 * len(every) // 100) - 1)],
            "max": every[-1],
        }
    else:
        for u in a.users:
            for p in a.paths:
                first, n = whole_page(clients[u], p)
                warm = [whole_page(clients[u], p)[0] for _ in range(a.repeat)]
                rows[f"{u} {p}"] = {
                    "sections": n,
                    "first": round(first),
                    "warm": round(statistics.median(warm)),
                }
                print(
                    f"{u:13s} {p:24s} sections {n} first {first:6.0f} "
                    f"warm {statistics.median(warm):6.0f}",
                    flush=True,
                )
        w = sorted(r["warm"] for r in rows.values())
        summary = {"n": len(w), "warm_median": statistics.median(w), "warm_max": w[-1]}
    print(summary)
    if a.json:
        out = {"code": sys.modules["jiqun"].__file__, "args": vars(a), "summary": summary}
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({**out, "pages": rows}, f, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
