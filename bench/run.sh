#!/bin/sh
# bench/run.sh BUILD [QUICK]: make bench. Installs bench/packages (Postfix, gnuplot) if
# missing, builds nqmail for the bench's own conf-home and the load generator, then runs
# bench/bench.py (never part of make check). QUICK=1: the default workload, 2 pairs.
set -e
cd "$(dirname "$0")/.."
build=${1:-build-bench}
sh bench/deps.sh
make -s --no-print-directory -j2 O="$build" QHOME=/tmp/nqbench/mnt/nqmail all
${CC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -pthread -o "$build/bench-loadgen" bench/loadgen.c
if [ -n "$2" ] && [ "$2" != 0 ] ; then quick=--quick ; else quick= ; fi
exec /usr/bin/python3 bench/bench.py --build "$build" $quick ${BENCH_ARGS:-}
