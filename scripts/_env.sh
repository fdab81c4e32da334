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
# Word reports draw their charts with a CJK font from Debian (Apache-2.0; not a GPL font).
# 报告图表所用中文字体（Debian 软件包 fonts-droid-fallback，Apache-2.0）。
if [ ! -e /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] \
  && [ ! -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] \
  && command -v apt-get >/dev/null 2>&1; then
  echo "[jiqun] installing Debian package fonts-droid-fallback (报告图表中文字体)" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  { $SUDO apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-droid-fallback >/dev/null; } \
    || echo "[jiqun] could not install fonts-droid-fallback: Word reports will not draw charts" >&2
fi
