#!/usr/bin/env bash
# System tools some tests need, installed where missing (CI calls this before `make test`):
#   - headless Chromium, to render the HTML report (tests/test_report.py, tests/_chromium.py);
#   - a font with Chinese characters, for the Chinese figures (tests/test_lang.py).
# Debian or Ubuntu, as root. Elsewhere it says what is missing; those tests then skip, unless
# GOVSIM_REQUIRE_BROWSER / GOVSIM_REQUIRE_CJK_FONT are set, as CI sets them.
set -euo pipefail
want=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || command -v google-chrome >/dev/null 2>&1 || want+=(chromium)
if ! (command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -q .); then
  want+=(fonts-wqy-microhei)
fi
if [ ${#want[@]} -eq 0 ]; then
  echo "install_test_tools: chromium and a Chinese font are present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install_test_tools: missing ${want[*]}; install them (Debian: apt-get install" \
       "--no-install-recommends ${want[*]}) or those tests skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null \
  || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null; }
echo "install_test_tools: installed ${want[*]}"
