#!/usr/bin/env bash
# Tools the tests drive that PyPI cannot give: Debian's Chromium at /usr/bin/chromium for the browser
# tests (Playwright's own browser download is not reachable here) and R (Rscript) for the test that runs
# the R loader shipped in every export bundle. Install what is missing when we may; otherwise the tests
# that need them say why they skip (and fail in CI, where nothing may pass silently).
set -u
as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo "$@"; else return 1; fi
}
install() {  # install PACKAGES... [--no-install-recommends]
  command -v apt-get >/dev/null 2>&1 || return 1
  echo "[edc] installing Debian's $* for the tests"
  as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if [ ! -x /usr/bin/chromium ]; then
  install chromium fonts-wqy-microhei || echo "[edc] could not install chromium: browser tests will be skipped" >&2
fi
if ! command -v Rscript >/dev/null 2>&1; then
  install --no-install-recommends r-base-core || echo "[edc] could not install R: the R-loader test will be skipped" >&2
fi
exit 0
