# Shared set-up for scripts/demo and scripts/test: make sure uv and the locked environment exist.
# Sourced, not executed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
UV_VERSION="0.13.9"
if ! command -v uv >/dev/null 2>&1; then
  echo "[jiqun] installing uv ${UV_VERSION} from PyPI (安装 uv)" >&2
  python3 -m pip install --user --quiet "uv==${UV_VERSION}" 2>/dev/null \
    || python3 -m pip install --quiet "uv==${UV_VERSION}"
  export PATH="$HOME/.local/bin:$PATH"
fi
# Exactly the versions in uv.lock; fails instead of silently re-resolving.
uv sync --frozen --quiet
