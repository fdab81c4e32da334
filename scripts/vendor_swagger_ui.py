"""Vendor Swagger UI (npm ``swagger-ui-dist``) into ``src/jiqun/web/static/vendor/``.

The API documentation page (``/api/v1/docs``) must work offline and under the site's
Content-Security-Policy, so its script and stylesheet are served from ``/static`` rather than a
CDN. This script fetches the package with ``npm pack`` (the ordinary npm client, from the npm
registry), checks its version, and copies the four files the page needs, unmodified:

* ``swagger-ui-bundle.js`` and ``swagger-ui.css`` — the UI;
* ``LICENSE.swagger-ui`` and ``NOTICE.swagger-ui`` — the package's Apache-2.0 licence and notice;
* ``swagger-ui-bundle.js.LICENSE.txt`` — the licences of the libraries bundled into the script.

Run from the repository root (needs ``npm`` and network access to the registry)::

    uv run python scripts/vendor_swagger_ui.py            # the pinned version
    uv run python scripts/vendor_swagger_ui.py --version 5.36.0

After a version change, update the version in ``NOTICE`` and :data:`VERSION`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "jiqun" / "web" / "static" / "vendor"
VERSION = "5.36.0"

#: file inside the npm package -> file name in static/vendor
FILES = {
    "package/swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "package/swagger-ui.css": "swagger-ui.css",
    "package/LICENSE": "LICENSE.swagger-ui",
    "package/NOTICE": "NOTICE.swagger-ui",
    "package/swagger-ui-bundle.js.LICENSE.txt": "swagger-ui-bundle.js.LICENSE.txt",
}


def vendor(version: str = VERSION, dest: Path = VENDOR) -> list[Path]:
    """Fetch ``swagger-ui-dist@version`` with ``npm pack`` and copy :data:`FILES` to ``dest``.

    Parameters
    ----------
    version:
        Exact npm version to fetch.
    dest:
        Target folder (default: the web UI's ``static/vendor``).

    Returns
    -------
    list[pathlib.Path]
        The files written.

    Raises
    ------
    RuntimeError
        When ``npm pack`` fails or the package is not the requested version.

    Example
    -------
    >>> vendor("5.36.0")  # doctest: +SKIP
    [PosixPath('.../swagger-ui-bundle.js'), ...]
    """
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            ["npm", "pack", f"swagger-ui-dist@{version}", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm pack failed: {done.stderr.strip()}")
        tgz = Path(tmp) / f"swagger-ui-dist-{version}.tgz"
        with tarfile.open(tgz) as tar:
            meta = json.load(tar.extractfile("package/package.json"))  # type: ignore[arg-type]
            if meta.get("version") != version or meta.get("license") != "Apache-2.0":
                raise RuntimeError(
                    f"unexpected package: {meta.get('version')} {meta.get('license')}"
                )
            written = []
            for member, name in FILES.items():
                data = tar.extractfile(member)
                if data is None:
                    raise RuntimeError(f"{member} missing from the package")
                out = dest / name
                out.write_bytes(data.read())
                written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=VERSION)
    args = parser.parse_args(argv)
    for path in vendor(args.version):
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
