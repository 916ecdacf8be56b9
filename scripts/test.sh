#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs the whole test suite:
# system packages for the PDF tests, a virtual environment with clinic and its test
# tools, then ruff (lint and format), mypy and pytest. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# LibreOffice, the fonts of the five scripts and pdftotext, for the PDF tests. Without
# root or apt-get they cannot be installed: those tests then skip and say why.
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
for font in fonts-tlwg-laksaman fonts-sil-padauk fonts-khmeros fonts-lao fonts-noto-core; do
  dpkg -s "$font" >/dev/null 2>&1 || need+=("$font")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${need[@]}" >/dev/null || echo "warning: could not install ${need[*]}; PDF tests will skip"
  else
    echo "warning: not root, cannot install ${need[*]}; PDF tests will skip"
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

.venv/bin/ruff check clinic tests bench templates scripts
.venv/bin/ruff format --check clinic tests bench templates scripts
.venv/bin/mypy
.venv/bin/python -m pytest -q "$@"
