#!/bin/sh
# bench/deps.sh: install the test peers (t/peers-packages: Postfix) and bench/packages
# (gnuplot) if missing, the way make check does (scripts/peers.sh: no system Postfix is
# configured, started or left enabled).
cd "$(dirname "$0")/.." && exec sh scripts/peers.sh t/peers-packages bench/packages
