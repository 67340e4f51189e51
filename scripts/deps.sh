#!/usr/bin/env bash
# deps.sh installs what counterlens needs on Debian/Ubuntu, and only what is
# missing: OpenCV and tesseract for cgo, redis-server for the store and tests.
# Usage: scripts/deps.sh [extra apt packages…]
set -euo pipefail

pkgs=(gcc g++ pkg-config libopencv-dev libtesseract-dev tesseract-ocr-eng redis-server "$@")
# the lexicon's other languages, which vision/ocr's language test reads
pkgs+=(tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-spa tesseract-ocr-ita tesseract-ocr-pol tesseract-ocr-ces tesseract-ocr-nld)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Go: the module needs go >= 1.21, which fetches the pinned toolchain from
# the Go module proxy by itself (GOTOOLCHAIN=auto).
if ! command -v go >/dev/null; then
  for d in /usr/local/go/bin /usr/lib/go/bin; do [ -x "$d/go" ] && export PATH="$d:$PATH"; done
fi
if ! command -v go >/dev/null; then
  echo "deps: no Go toolchain; install Go 1.21 or newer (https://go.dev/doc/install) and retry" >&2
  exit 1
fi
