#!/usr/bin/env bash
# fetch.sh DIR: fetch the inputs of gendemo into DIR when they are absent,
# then print the gendemo command line that uses them.
#
#   DIR/simple-icons/package/icons/*.svg   simple-icons (CC0), from npm
#   DIR/opencvdoc/usr/share/doc/opencv-doc/examples/data   Debian's opencv-doc
#   /usr/share/fonts/truetype/{dejavu,liberation}   fonts-dejavu-core, fonts-liberation
set -euo pipefail

dir=${1:?usage: fetch.sh DIR}
# The version the committed testdata/demo was built from; marks change
# between releases.
simple_icons_version=${SIMPLE_ICONS_VERSION:-16.37.0}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

icons="$dir/simple-icons/package/icons"
if [ ! -f "$icons/nike.svg" ]; then
	mkdir -p "$dir/simple-icons"
	(cd "$dir/simple-icons" && npm pack --silent "simple-icons@$simple_icons_version" >/dev/null)
	tar -xzf "$dir/simple-icons/simple-icons-$simple_icons_version.tgz" -C "$dir/simple-icons"
fi

photos="$dir/opencvdoc/usr/share/doc/opencv-doc/examples/data"
if [ ! -f "$photos/stuff.jpg" ]; then
	mkdir -p "$dir/opencvdoc"
	(cd "$dir" && apt-get download opencv-doc)
	dpkg-deb -x "$dir"/opencv-doc_*.deb "$dir/opencvdoc"
fi

fonts=/usr/share/fonts/truetype
if [ ! -f "$fonts/dejavu/DejaVuSans-Bold.ttf" ] || [ ! -f "$fonts/liberation/LiberationSans-Bold.ttf" ]; then
	echo "fetch.sh: fonts missing: apt-get install fonts-dejavu-core fonts-liberation" >&2
	exit 1
fi

echo "go run ./scripts/gendemo -icons $icons -photos $photos -fonts $fonts -out testdata/demo"
