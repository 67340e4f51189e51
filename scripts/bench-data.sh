#!/usr/bin/env bash
# bench-data.sh fetches the real benchmark inputs into .bench/ when absent:
# brand marks from the npm package simple-icons (CC0) and photos from
# Debian's opencv-doc samples. Nothing here is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=(fonts-dejavu-core fonts-dejavu-extra fonts-liberation librsvg2-bin)
# npm may come with a Node.js from elsewhere; Debian's package would conflict.
command -v npm >/dev/null || extra+=(npm)
scripts/deps.sh "${extra[@]}"
mkdir -p .bench
cd .bench
if [ ! -d simple-icons/icons ]; then
  rm -rf simple-icons && mkdir -p simple-icons
  tgz=$(npm pack simple-icons --silent 2>/dev/null | tail -n1)
  tar -xzf "$tgz" -C simple-icons --strip-components=1
  rm -f "$tgz"
fi
if [ ! -d opencv-data ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download opencv-doc >/dev/null 2>&1) || { apt-get update -qq && (cd "$tmp" && apt-get download opencv-doc); }
  dpkg-deb -x "$tmp"/opencv-doc_*.deb "$tmp/x"
  mv "$tmp/x/usr/share/doc/opencv-doc/examples/data" opencv-data
  rm -rf "$tmp"
fi
echo "bench-data: $(ls simple-icons/icons | wc -l) marks, $(ls opencv-data | wc -l) sample files in .bench/"
