#!/bin/sh
# record.sh re-records testdata/NAME.out, the output of `node NAME.js`, for every
# scenario (or for the names given as arguments). Each script runs RUNS times (20
# by default) on an idle machine and RUNS times more while a CPU hog keeps every
# core busy; if any run prints something else than the first, nothing is written
# and the script fails, naming the scenario: such a scenario depends on timing and
# does not belong in the corpus.
set -u

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/testdata" || exit 2

if ! command -v node >/dev/null 2>&1; then
	echo "record.sh: node is not installed: install Node.js 20 to re-record testdata/*.out" >&2
	exit 2
fi
version=$(node --version)
case $version in
v20.*) ;;
*) echo "record.sh: warning: the corpus is Node.js 20's behaviour; this is node $version" >&2 ;;
esac

runs=${RUNS:-20}
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
tmp=$(mktemp -d)
hogs=""

stop_hogs() {
	for pid in $hogs; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	hogs=""
}
cleanup() {
	stop_hogs
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(for f in *.js; do echo "${f%.js}"; done)
fi

# run_all LABEL runs every scenario $runs times and checks each run against the
# first run of the idle pass.
run_all() {
	label=$1
	for name in $names; do
		if [ ! -f "$name.js" ]; then
			echo "record.sh: no scenario testdata/$name.js" >&2
			exit 2
		fi
		i=0
		while [ "$i" -lt "$runs" ]; do
			i=$((i + 1))
			if ! node "$name.js" >"$tmp/run" 2>/dev/null; then
				echo "record.sh: $name ($label, run $i): node exited with an error" >&2
				exit 1
			fi
			if [ ! -f "$tmp/$name.out" ]; then
				cp "$tmp/run" "$tmp/$name.out"
			elif ! cmp -s "$tmp/run" "$tmp/$name.out"; then
				echo "record.sh: $name ($label, run $i) printed something else than its first run:" >&2
				diff "$tmp/$name.out" "$tmp/run" >&2
				exit 1
			fi
		done
		echo "$name: $runs runs $label agree"
	done
}

run_all idle

n=0
while [ "$n" -lt "$cores" ]; do
	n=$((n + 1))
	yes >/dev/null &
	hogs="$hogs $!"
done
run_all "under a CPU hog on $cores cores"
stop_hogs

for name in $names; do
	cp "$tmp/$name.out" "$name.out"
done
echo "record.sh: recorded $(echo $names | wc -w) scenarios with node $version"
