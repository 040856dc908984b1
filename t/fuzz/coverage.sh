#!/bin/sh
# coverage.sh BUILD TARGET...: clang source-based coverage of the fuzzed code:
# build the replayers with -fprofile-instr-generate -fcoverage-mapping in BUILD,
# replay every corpus, print llvm-cov's report for the files each target fuzzes
# (src/lib/GROUP/NAME.c of its #include lines) and the total line coverage.
b=$1 ; shift
make=${MAKE:-make}
cc=$(command -v clang || command -v clang-14) || { echo "coverage: clang is missing" >&2 ; exit 111 ; }
prof=$(command -v llvm-profdata || command -v llvm-profdata-14) || { echo "coverage: llvm-profdata is missing" >&2 ; exit 111 ; }
cov=$(command -v llvm-cov || command -v llvm-cov-14) || { echo "coverage: llvm-cov is missing" >&2 ; exit 111 ; }
$make --no-print-directory -j2 O="$b" CC="$cc" SAN=1 CFLAGS='-O0 -g -fprofile-instr-generate -fcoverage-mapping' \
  LDFLAGS='-fprofile-instr-generate' fuzz-bins >/dev/null || exit 111
rm -rf "$b/prof" && mkdir -p "$b/prof"
files= objs=
for t in "$@" ; do
  LLVM_PROFILE_FILE="$b/prof/$t.profraw" "$b/fuzz/$t" "t/fuzz/$t/corpus" "t/fuzz/$t/crashes" >/dev/null || exit 1
  if [ -z "$objs" ] ; then objs="$b/fuzz/$t" ; else objs="$objs -object $b/fuzz/$t" ; fi
  for h in $(sed -n 's/^#include "\([a-z0-9]*\/[a-z0-9_]*\)\.h"$/\1/p' "t/fuzz/$t.c") ; do
    [ -f "src/lib/$h.c" ] && files="$files src/lib/$h.c"
  done
done
files=$(printf '%s\n' $files | sort -u)
"$prof" merge -sparse -o "$b/prof/all.profdata" "$b"/prof/*.profraw || exit 1
"$cov" report $objs -instr-profile="$b/prof/all.profdata" $files
