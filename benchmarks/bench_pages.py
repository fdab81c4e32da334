"""Page timings in a real browser: every page of the web UI *completely rendered*, cold and warm,
for each role that sees different pages (Playwright + Debian ``chromium``, no download).

What it does:

1. uses a demo database: ``--data-dir DIR --skip-build`` reuses one, ``--copy-from FILE`` copies
   one (SQLite online backup; the source is only read), otherwise ``jiqun demo --no-serve
   --enterprises N`` builds one in a temporary ``JIQUN_DATA_DIR``; the demo accounts of that
   database are reset (``ensure_demo_accounts``) to learn their passwords;
2. for each role (anonymous, admin, government, cluster, enterprise) starts a fresh
   ``jiqun serve`` (its own process group, stopped at the end), logs in through ``POST /login``
   in a new browser context, opens every page that role can see once (**cold**: the first request
   for that page after the server started), then ``--repeat`` more times (**warm**: the median);
   with ``--one-server`` all roles share one server start (a page is then cold only for the first
   role that opens it);
3. also times three actions a user starts on a page (a scenario run, a partner search and a
   supplier search) from the click to the settled answer;
4. prints a table per role and page, the p95 over pages (cold and warm) against the targets
   (cold ≤ 1.5 s, warm p95 ≤ 300 ms), and writes every measurement to ``--json``.

*Completely rendered* means: the document's ``load`` event has ended **and** every HTMX request
the page made (the ``hx-trigger="load"`` sections, and any they load in turn) has been answered,
swapped and settled, no section still shows its loading placeholder (``--loading``, default
``.placeholder``: a section that polls until a computation is done is not rendered before), and
the page has then been quiet (no request in flight, no ``.htmx-request`` / ``.htmx-settling`` /
``.htmx-swapping`` element) for ``--quiet`` ms. The time reported is the
browser's own clock from navigation start to the later of ``loadEventEnd`` and the last HTMX
settle (recorded after the page's own handlers have drawn the charts), so the quiet wait and
Playwright's polling are not counted. An HTMX request that fails, a document that does not
answer 200, or a section that shows the server's error block (``.error-page``: the UI answers an
HTMX request that fails with a 200 and that block) counts as an error.

The page list, the roles that see each page and the actions are data (``PAGES``, ``ACTIONS``):
nothing here depends on how a page computes its sections, so the same command measures the code
of today and code that reads precomputed results.

    uv run python benchmarks/bench_pages.py --copy-from $DEMO \\
        --data-dir /tmp/jiqun-pages --json benchmarks/_work/pages.json
    uv run python benchmarks/bench_pages.py --data-dir /tmp/jiqun-pages --skip-build \\
        --roles admin anonymous --repeat 2            # again, on the same copy
    uv run python benchmarks/bench_pages.py --url http://127.0.0.1:8000 --password-file F
                                                      # a server you started (warm only)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_platform import build_demo, copy_database, free_port, stop_server

BIN = Path(sys.executable).parent
TARGET_COLD_MS = 1500.0
TARGET_WARM_P95_MS = 300.0
#: A section still showing this is not rendered yet (the "loading" placeholder of the HTMX
#: sections; a section that polls until a computation ends keeps it): wait on (``--loading``).
LOADING = ".placeholder"
ROLES = ("anonymous", "admin", "government", "cluster", "enterprise")
USERS = {
    "admin": "demo_admin",
    "government": "demo_gov",
    "cluster": "demo_cluster",
    "enterprise": "demo_firm",
}
SIGNED_IN = ("admin", "government", "cluster", "enterprise")
EVERYONE = ROLES

#: (name, path, roles that open it). ``{firm}`` is the enterprise demo account's firm and
#: ``{c0}``… the ``--clusters``: by default the cluster account's own (NC2022-04 京津冀生命健康,
#: in the government account's 北京市), one that spans provinces (NC2022-03 成渝电子信息) and one
#: city cluster (NC2021-02 无锡物联网).
PAGES: list[tuple[str, str, tuple[str, ...]]] = [
    ("overview", "/", EVERYONE),
    ("clusters list", "/clusters", EVERYONE),
    ("cluster {c0}", "/clusters/{c0}", EVERYONE),
    ("cluster {c1}", "/clusters/{c1}", ("anonymous", "admin")),
    ("cluster {c2}", "/clusters/{c2}", ("anonymous", "admin")),
    ("regions list", "/regions", EVERYONE),
    ("province 320000", "/regions/320000", ("anonymous", "admin")),
    ("city 320500", "/regions/320500", ("anonymous", "admin", "enterprise")),
    ("municipality 110000", "/regions/110000", ("admin", "government", "cluster")),
    # a district that is a member region of an SME cluster (海淀区, SME2024-01)
    ("district 110108", "/regions/110108", ("anonymous", "admin")),
    ("statistics", "/statistics", EVERYONE),
    ("evaluation", "/evaluation", SIGNED_IN),
    ("innovation", "/innovation", EVERYONE),
    ("policies", "/policies", EVERYONE),
    ("digital", "/digital", SIGNED_IN),
    ("scenarios", "/scenarios", SIGNED_IN),
    ("matching", "/matching", SIGNED_IN),
    ("enterprises", "/enterprises", SIGNED_IN),
    ("enterprise (firm account)", "/enterprises/{firm}", ("admin", "enterprise")),
    ("imports", "/imports", SIGNED_IN),
    ("memberships", "/memberships", ("admin", "enterprise")),
    ("my readers", "/my-readers", ("enterprise",)),
    ("admin", "/admin", ("admin",)),
]

#: (name, page path, [(selector, value)] to fill, submit selector, roles).
ACTIONS: list[tuple[str, str, list[tuple[str, str]], str, tuple[str, ...]]] = [
    (
        "scenario: region 120100 lockdown",
        "/scenarios",
        [
            ("#scenario-form input[name=kind][value=region]", "check"),
            ("#scenario-target", "120100"),
        ],
        "#scenario-run",
        ("admin",),
    ),
    (
        "partner search: 集成电路",
        "/matching",
        [("#partner-form input[name=keywords]", "集成电路")],
        "#partner-form button[type=submit]",
        ("admin", "cluster", "enterprise"),
    ),
    (
        "supplier search: 集成电路 封装测试",
        "/matching",
        [("#supplier-form input[name=text]", "集成电路 封装测试")],
        "#supplier-form button[type=submit]",
        ("admin", "enterprise"),
    ),
]

#: Installed before any page script (Playwright's init scripts are not subject to the page's
#: Content-Security-Policy): counts HTMX requests and stamps the last settle *after* the page's
#: own handlers (app.js draws the charts of a swapped fragment in its afterSettle handler).
PROBE = """
(() => {
  const s = {inflight: 0, started: 0, failed: 0, last: 0, quietSince: 0, failures: []};
  window.__jqBench = s;
  const touch = () => { s.quietSince = performance.now(); };
  document.addEventListener('htmx:beforeRequest', () => { s.inflight++; s.started++; touch(); });
  document.addEventListener('htmx:afterRequest', (e) => {
    s.inflight = Math.max(0, s.inflight - 1);
    if (!e.detail.successful) {
      s.failed++;
      const x = e.detail.xhr;
      s.failures.push((x && x.status) + ' ' + (e.detail.pathInfo && e.detail.pathInfo.requestPath));
    }
    setTimeout(() => { s.last = Math.max(s.last, performance.now()); touch(); }, 0);
  });
  document.addEventListener('htmx:afterSettle', () => {
    setTimeout(() => { s.last = Math.max(s.last, performance.now()); touch(); }, 0);
  });
})();
"""

STATE = """(loading) => {
  const s = window.__jqBench || {inflight: 0, started: 0, failed: 0, last: 0, quietSince: 0, failures: []};
  const nav = performance.getEntriesByType('navigation')[0];
  const busy = document.querySelectorAll('.htmx-request, .htmx-settling, .htmx-swapping').length;
  const waiting = loading ? document.querySelectorAll(loading).length : 0;
  const shown = Array.from(document.querySelectorAll('.error-page[data-status]'))
    .map((e) => e.getAttribute('data-status'));
  return {
    ready: document.readyState === 'complete' && !!nav && nav.loadEventEnd > 0,
    load: nav ? nav.loadEventEnd : 0, ttfb: nav ? nav.responseStart : 0,
    inflight: s.inflight, busy: busy, waiting: waiting, shown: shown, started: s.started, failed: s.failed, failures: s.failures,
    last: s.last, quiet: performance.now() - Math.max(s.quietSince, nav ? nav.loadEventEnd : 0),
    now: performance.now()
  };
}"""


@dataclass
class Sample:
    role: str
    page: str
    path: str
    kind: str  # cold | warm | action
    ms: float | None
    ttfb_ms: float | None = None
    htmx: int = 0
    status: int | None = None
    errors: list[str] = field(default_factory=list)


def chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
    )
    if not found:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    return found


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def wait_settled(page: Any, quiet_ms: float, timeout_s: float) -> dict[str, Any]:
    """Poll the probe until the page is loaded and HTMX has been quiet for ``quiet_ms``."""
    deadline = time.monotonic() + timeout_s
    while True:
        st = page.evaluate(STATE, LOADING)
        # a section whose request failed keeps its placeholder: the failure is the result
        done = st["waiting"] == 0 or st["failed"] > 0
        idle = st["inflight"] == 0 and st["busy"] == 0 and done
        if st["ready"] and idle and st["quiet"] >= quiet_ms:
            return st
        if time.monotonic() > deadline:
            st["timeout"] = True
            return st
        page.wait_for_timeout(25)


def open_page(page: Any, base: str, path: str, quiet_ms: float, timeout_s: float) -> Sample:
    resp = None
    errors: list[str] = []
    try:
        resp = page.goto(base + path, wait_until="load", timeout=timeout_s * 1000)
    except Exception as e:  # a timeout or a crash is a measured error
        errors.append(f"navigation: {type(e).__name__}: {str(e)[:120]}")
    st = wait_settled(page, quiet_ms, timeout_s)
    status = resp.status if resp is not None else None
    if status != 200:
        errors.append(f"document {status}")
    if st.get("timeout"):
        errors.append(
            f"not settled within {timeout_s:.0f} s ({st['waiting']} section(s) still loading)"
        )
    errors += [f"htmx {f}" for f in st["failures"]]
    if status == 200:
        errors += [f"section shows error {code}" for code in st["shown"]]
    ms = max(st["load"], st["last"]) if st["ready"] else None
    final = page.url.removeprefix(base)
    if final.startswith("/login"):
        errors.append("redirected to /login")
    return Sample("", "", path, "", ms, st["ttfb"], st["started"], status, errors)


def run_action(
    page: Any, base: str, action: tuple[Any, ...], quiet_ms: float, timeout_s: float
) -> Sample:
    name, path, fills, submit, _roles = action
    pre = open_page(page, base, path, quiet_ms, timeout_s)
    if pre.errors:
        return Sample("", name, path, "action", None, errors=["page: " + "; ".join(pre.errors)])
    for sel, value in fills:
        if value == "check":
            page.check(sel)
        else:
            page.fill(sel, value)
    t0 = page.evaluate("() => performance.now()")
    page.click(submit)
    page.wait_for_timeout(30)  # the click's request has started (beforeRequest) by then
    st = wait_settled(page, quiet_ms, timeout_s)
    errors = [f"htmx {f}" for f in st["failures"]]
    errors += [f"answer shows error {code}" for code in st["shown"]]
    if st.get("timeout"):
        errors.append(f"not settled within {timeout_s:.0f} s")
    ms = st["last"] - t0 if st["last"] > t0 else None
    if ms is None:
        errors.append("no HTMX answer")
    return Sample("", name, path, "action", ms, None, st["started"] - pre.htmx, None, errors)


def log_in(ctx: Any, base: str, role: str, passwords: dict[str, str]) -> None:
    if role == "anonymous":
        return
    user = USERS[role]
    r = ctx.request.post(
        base + "/login",
        form={"username": user, "password": passwords[user], "next": "/account"},
        max_redirects=0,
    )
    if r.status != 303:
        raise SystemExit(f"login as {user} failed: {r.status} {r.text()[:200]}")


def start_server(port: int, env: dict[str, str], log: Path, workers: int = 1) -> tuple[Any, float]:
    """Start ``jiqun serve``; wait until ``/login`` answers (a cheap page: nothing is computed,
    so the pages measured afterwards are still cold). Returns the process and its start time."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "jiqun"), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped by id at the end
    )
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"server exited early; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                if r.status == 200:
                    return proc, time.perf_counter() - t0
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"server did not come up; see {log}")


def pages_for(role: str, fmt: dict[str, str], only: list[str] | None) -> list[tuple[str, str]]:
    out = []
    for name, path, roles in PAGES:
        if role not in roles:
            continue
        if "{firm}" in path and not fmt.get("firm"):
            continue
        n, p = name.format(**fmt), path.format(**fmt)
        if only and not any(o in n or o in p for o in only):
            continue
        out.append((n, p))
    return out


def p95(values: list[float]) -> float | None:
    """Nearest-rank 95th percentile (no interpolation: with few pages it is one measured page)."""
    v = sorted(values)
    if not v:
        return None
    import math

    return v[max(0, math.ceil(0.95 * len(v)) - 1)]


def fmt_ms(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def measure_role(
    browser: Any,
    base: str,
    role: str,
    args: argparse.Namespace,
    fmt: dict[str, str],
    passwords: dict[str, str],
) -> list[Sample]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    ctx.add_init_script(PROBE)
    page = ctx.new_page()
    page.set_default_timeout(args.timeout * 1000)
    out: list[Sample] = []
    try:
        log_in(ctx, base, role, passwords)
        todo = pages_for(role, fmt, args.only)
        for kind in ["cold"] + ["warm"] * args.repeat:
            if kind == "cold" and args.url:
                continue
            for name, path in todo:
                s = open_page(page, base, path, args.quiet, args.timeout)
                s.role, s.page, s.kind = role, name, kind
                out.append(s)
                if kind == "cold":
                    print(
                        f"  {role:<11} {name:<26} cold {fmt_ms(s.ms):>8} ms"
                        + (f"  ERR {s.errors}" if s.errors else ""),
                        flush=True,
                    )
        if not args.no_actions:
            for action in ACTIONS:
                if role not in action[4]:
                    continue
                for i in range(1 + args.action_repeat):
                    s = run_action(page, base, action, args.quiet, args.timeout)
                    s.role = role
                    s.kind = "action-first" if i == 0 else "action"
                    out.append(s)
    finally:
        ctx.close()
    return out


def summarise(samples: list[Sample]) -> dict[str, Any]:
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for s in samples:
        key = (s.role, s.page, s.path)
        r = rows.setdefault(
            key,
            {
                "role": s.role,
                "page": s.page,
                "path": s.path,
                "cold": None,
                "warm": [],
                "first": None,
                "repeat": [],
                "htmx": s.htmx,
                "errors": [],
            },
        )
        if s.kind == "cold":
            r["cold"] = s.ms
        elif s.kind == "warm" and s.ms is not None:
            r["warm"].append(s.ms)
        elif s.kind == "action-first":
            r["first"] = s.ms
        elif s.kind == "action" and s.ms is not None:
            r["repeat"].append(s.ms)
        r["errors"] += s.errors
    table = []
    for r in rows.values():
        r["warm_median"] = statistics.median(r.pop("warm")) if r["warm"] else None
        r["repeat_median"] = statistics.median(r.pop("repeat")) if r["repeat"] else None
        table.append(r)
    pages = [r for r in table if r["first"] is None and r["repeat_median"] is None]
    actions = [r for r in table if r not in pages]
    cold = [r["cold"] for r in pages if r["cold"] is not None]
    warm = [r["warm_median"] for r in pages if r["warm_median"] is not None]
    errors = sum(len(r["errors"]) for r in table)
    return {
        "pages": pages,
        "actions": actions,
        "cold_max_ms": max(cold) if cold else None,
        "cold_p95_ms": p95(cold),
        "warm_p95_ms": p95(warm),
        "cold_over_target": sum(1 for v in cold if v > TARGET_COLD_MS),
        "errors": errors,
    }


def print_report(summary: dict[str, Any]) -> bool:
    head = f"{'role':<11} {'page':<28} {'path':<26} {'cold':>8} {'warm':>7} {'htmx':>4}  errors"
    print("\n" + head + "\n" + "-" * len(head))
    for r in summary["pages"]:
        print(
            f"{r['role']:<11} {r['page']:<28} {r['path']:<26} {fmt_ms(r['cold']):>8} "
            f"{fmt_ms(r['warm_median']):>7} {r['htmx']:>4}  {'; '.join(r['errors'][:2])}"
        )
    if summary["actions"]:
        head = f"{'role':<11} {'action':<40} {'first':>8} {'repeat':>7}  errors"
        print("\n" + head + "\n" + "-" * len(head))
        for r in summary["actions"]:
            print(
                f"{r['role']:<11} {r['page']:<40} {fmt_ms(r['first']):>8} "
                f"{fmt_ms(r['repeat_median']):>7}  {'; '.join(r['errors'][:2])}"
            )
    print("(milliseconds until completely rendered; warm and repeat = median of the repeats)")
    ok_cold = summary["cold_max_ms"] is not None and summary["cold_max_ms"] <= TARGET_COLD_MS
    ok_warm = summary["warm_p95_ms"] is not None and summary["warm_p95_ms"] <= TARGET_WARM_P95_MS
    print(
        f"cold: max {fmt_ms(summary['cold_max_ms'])} ms, p95 {fmt_ms(summary['cold_p95_ms'])} ms,"
        f" {summary['cold_over_target']} page(s) over {TARGET_COLD_MS:.0f} ms"
        f" -> {'met' if ok_cold else 'NOT met' if summary['cold_max_ms'] else 'not measured'}"
    )
    print(
        f"warm: p95 over pages {fmt_ms(summary['warm_p95_ms'])} ms (target ≤"
        f" {TARGET_WARM_P95_MS:.0f}) -> {'met' if ok_warm else 'NOT met'}"
    )
    print(f"errors: {summary['errors']}")
    return ok_cold and ok_warm and summary["errors"] == 0


def reset_accounts(data_dir: Path) -> tuple[dict[str, str], str]:
    """Reset the demo accounts of this database; their passwords and the enterprise's firm."""
    from jiqun.services.accounts import ensure_demo_accounts
    from jiqun.store.db import make_engine

    eng = make_engine(f"sqlite:///{data_dir / 'jiqun.sqlite3'}")
    try:
        accounts = ensure_demo_accounts(eng)
    finally:
        eng.dispose()
    firm = next((a["scope"] for a in accounts if a["role"] == "enterprise"), "")
    return {a["username"]: a["password"] for a in accounts}, firm


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--enterprises", type=int, default=200_000)
    ap.add_argument("--data-dir", type=Path, help="use this JIQUN_DATA_DIR (default: a temp dir)")
    ap.add_argument("--skip-build", action="store_true", help="the data dir already has a demo")
    ap.add_argument("--copy-from", type=Path, help="copy this demo database (SQLite) first")
    ap.add_argument(
        "--url",
        help="measure this running server instead (warm only; needs "
        "--password-file with 'user<TAB>role<TAB>scope<TAB>password' lines)",
    )
    ap.add_argument("--password-file", type=Path, help="demo-accounts.txt of that server")
    ap.add_argument("--roles", nargs="+", choices=ROLES, default=list(ROLES))
    ap.add_argument("--only", nargs="+", help="only pages whose name or path contains one of these")
    ap.add_argument(
        "--clusters",
        nargs=3,
        default=["NC2022-04", "NC2022-03", "NC2021-02"],
        metavar="ID",
        help="the three cluster dashboards",
    )
    ap.add_argument("--repeat", type=int, default=3, help="warm repeats per page (median)")
    ap.add_argument("--action-repeat", type=int, default=1, help="repeats per action (median)")
    ap.add_argument("--quiet", type=float, default=150.0, help="ms without HTMX activity = done")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per page at most")
    ap.add_argument(
        "--one-server",
        action="store_true",
        help="one server start for all roles (default: a fresh start per role)",
    )
    ap.add_argument("--no-actions", action="store_true", help="pages only")
    ap.add_argument(
        "--pre",
        help="shell command run in the data dir's environment before the "
        "first server start (e.g. a job that precomputes results)",
    )
    ap.add_argument(
        "--after-start",
        type=float,
        default=0.0,
        help="seconds to wait after each server start before the first page",
    )
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument(
        "--workers", type=int, default=1, help="server processes (jiqun serve --workers)"
    )
    ap.add_argument("--json", type=Path, help="write every measurement and the summary here")
    ap.add_argument(
        "--loading",
        default=LOADING,
        help="CSS selector of a section not yet rendered ('' = do not wait on any)",
    )
    args = ap.parse_args()
    globals()["LOADING"] = args.loading

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="jiqun-pages-"))
    fmt = {f"c{i}": c for i, c in enumerate(args.clusters)}
    env = dict(os.environ)
    if args.url:
        base = args.url.rstrip("/")
        lines = (
            args.password_file.read_text(encoding="utf-8").splitlines()
            if args.password_file
            else []
        )
        parts = [ln.split("\t") for ln in lines if ln.count("\t") >= 3]
        passwords = {p[0]: p[3] for p in parts}
        fmt["firm"] = next((p[2] for p in parts if p[1] == "enterprise"), "")
        data_dir = None
    else:
        data_dir = args.data_dir or tmp / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        env["JIQUN_DATA_DIR"] = str(data_dir)
        env.pop("JIQUN_DATABASE_URL", None)
        os.environ["JIQUN_DATA_DIR"] = str(data_dir)
        os.environ.pop("JIQUN_DATABASE_URL", None)
        if args.copy_from:
            print(f"copied {args.copy_from} in {copy_database(args.copy_from, data_dir):.1f} s")
        elif not args.skip_build:
            secs = build_demo(data_dir, args.enterprises, env)
            print(f"demo database with {args.enterprises:,} enterprises built in {secs:.1f} s")
        passwords, fmt["firm"] = reset_accounts(data_dir)
        if args.pre:
            t0 = time.perf_counter()
            subprocess.run(args.pre, shell=True, env=env, check=True)
            print(f"--pre finished in {time.perf_counter() - t0:.1f} s")
        port = free_port(args.port)
        base = f"http://127.0.0.1:{port}"
    print(
        f"{platform.node()}: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
        f"data {data_dir or base}"
    )

    samples: list[Sample] = []
    starts: list[float] = []
    proc = None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            for role in args.roles:
                if not args.url and (proc is None or not args.one_server):
                    if proc is not None:
                        stop_server(proc)
                    proc, secs = start_server(port, env, tmp / "server.log", args.workers)
                    starts.append(secs)
                    print(f"server started in {secs:.1f} s (for {role})", flush=True)
                    if args.after_start:
                        time.sleep(args.after_start)
                samples += measure_role(browser, base, role, args, fmt, passwords)
        finally:
            if proc is not None:
                stop_server(proc)
            browser.close()
    summary = summarise(samples)
    ok = print_report(summary)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "machine": {
                        "node": platform.node(),
                        "cores": os.cpu_count(),
                        "python": platform.python_version(),
                    },
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "server_start_s": starts,
                    "summary": summary,
                    "samples": [asdict(s) for s in samples],
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        print(f"wrote {args.json}")
    log = tmp / "server.log"
    if log.exists():
        text = log.read_text(encoding="utf-8", errors="replace")
        n500 = text.count('" 500')
        if n500 or "Traceback" in text:
            print(
                f"server log: {n500} responses 500, tracebacks: {text.count('Traceback')} "
                f"(kept {log})"
            )
            ok = False
        elif not args.data_dir:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"verdict: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
