#!/bin/sh
# Brings Node.js 20's own tests of the surface the js package implements (timers,
# nextTick, microtasks, process exit and beforeExit, unhandled rejections,
# EventEmitter) out of Node's source, for js/nodetests_test.go, which runs them
# unchanged. They are not part of the repository: Node's licence and their size keep
# them out, so they live in a cache directory:
#
#   $NODELOOP_NODE_TESTS, or else ${XDG_CACHE_HOME:-$HOME/.cache}/nodeloop/node-tests/v20.19.2
#
# The source is Debian's archive of Node 20.19.2, checked against its pinned
# sha256. Only test/parallel's selected files are extracted, as
# DIR/test/parallel/test-*.js. Running it again changes nothing once they are there;
# a change of the selection below extracts again, from the archive kept in DIR.
set -eu

version=20.19.2
archive=nodejs_${version}+dfsg.orig.tar.xz
url=http://deb.debian.org/debian/pool/main/n/nodejs/$archive
sha256=5e5559381ad031d245a8efa403458abbb73755f74c3e6380f185a4dd342b7949

# The selected tests, as globs of test/parallel's file names. The Go test's table,
# js/testdata/nodetests.txt, has one line for each file they match.
selection='
test-timers*.js
test-next-tick*.js
test-microtask-queue-*.js
test-queue-microtask*.js
test-process-exit*.js
test-process-beforeexit*.js
test-process-next-tick.js
test-process-hrtime*.js
test-process-uptime.js
test-promise-unhandled-*.js
test-promises-*.js
test-event-emitter-*.js
'

dir=${NODELOOP_NODE_TESTS:-${XDG_CACHE_HOME:-$HOME/.cache}/nodeloop/node-tests/v$version}
stamp=$dir/selection

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(printf '%s' "$selection")" ]; then
	echo "setup-node-tests.sh: Node $version's tests are in $dir already"
	exit 0
fi

mkdir -p "$dir"
sum() { sha256sum "$1" | cut -d ' ' -f 1; }
if [ ! -f "$dir/$archive" ] || [ "$(sum "$dir/$archive")" != "$sha256" ]; then
	echo "setup-node-tests.sh: downloading $url"
	curl -fsSL --retry 3 -o "$dir/$archive.part" "$url"
	got=$(sum "$dir/$archive.part")
	if [ "$got" != "$sha256" ]; then
		rm -f "$dir/$archive.part"
		echo "setup-node-tests.sh: $archive has sha256 $got, want $sha256" >&2
		exit 1
	fi
	mv "$dir/$archive.part" "$dir/$archive"
fi

rm -rf "$dir/test"
set -f # the globs are tar's, not the shell's
patterns=""
for g in $selection; do
	patterns="$patterns node-v$version/test/parallel/$g"
done
# shellcheck disable=SC2086 # the list is meant to split into words
tar -xJf "$dir/$archive" -C "$dir" --strip-components=1 --wildcards $patterns
set +f
printf '%s' "$selection" >"$stamp"
echo "setup-node-tests.sh: $(ls "$dir/test/parallel" | wc -l) of Node $version's tests in $dir/test/parallel"
