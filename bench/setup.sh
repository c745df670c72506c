#!/bin/sh
# Installs what the side-by-side peer benchmarks need on Debian 12, from Debian's own
# packages: a C compiler, pkg-config and libuv's headers for the C peers, and Node.js
# for the JavaScript peers (kept as is when a `node` is already on PATH).
#
# Run as root. Running it again changes nothing once everything is there.
set -eu

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/setup.sh: run as root (it installs Debian packages with apt-get)" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "bench/setup.sh: apt-get not found; this script is for Debian 12" >&2
	exit 1
fi

# installed PKG: true when dpkg has PKG fully installed.
installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

want=""
for pkg in gcc pkg-config libuv1-dev; do
	installed "$pkg" || want="$want $pkg"
done
if ! command -v node >/dev/null 2>&1; then
	want="$want nodejs"
fi

if [ -z "$want" ]; then
	echo "bench/setup.sh: nothing to install"
else
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	# shellcheck disable=SC2086 # the list is meant to split into words
	apt-get install -y --no-install-recommends $want
fi

gcc --version | head -n 1
echo "libuv $(pkg-config --modversion libuv)"
node_version=$(node --version)
echo "node $node_version"
case "$node_version" in
v20.*) ;;
*) echo "bench/setup.sh: note: the Node.js peers are meant for Node.js 20; this node is $node_version, and every result names its version" >&2 ;;
esac
