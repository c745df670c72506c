#!/bin/sh
# Installs Chromium from Debian's own packages, for the test that renders
# `nodeloop view` output in a headless browser (cmd/nodeloop/view_test.go).
#
# Run as root on Debian 12. It runs `apt-get update` only when the package lists do
# not know chromium yet, and downloads nothing but Debian packages. Running it again
# changes nothing once /usr/bin/chromium is there.
set -eu

if [ -x /usr/bin/chromium ]; then
	echo "scripts/setup-chromium.sh: /usr/bin/chromium is already installed"
	/usr/bin/chromium --version 2>/dev/null || true
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "scripts/setup-chromium.sh: run as root (it installs Debian packages with apt-get)" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "scripts/setup-chromium.sh: apt-get not found; this script is for Debian 12" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# known: true when the package lists offer a candidate version of chromium.
known() {
	apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'
}
if ! known; then
	apt-get update
fi
apt-get install -y chromium

/usr/bin/chromium --version 2>/dev/null || true
