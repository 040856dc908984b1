#!/bin/sh
# replay.sh DIR TARGET...: run each fuzz target's replayer (DIR/TARGET, built by
# make check-fuzz) over t/fuzz/TARGET/corpus and t/fuzz/TARGET/crashes (past
# crashes, fixed, kept as regression cases). One target is one test: print
# "fuzz: N passed, N failed" and append the counts to DIR/counts.
dir=$1 ; shift
pass=0 fail=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
for t in "$@" ; do
  out=$(timeout 300 "$dir/$t" "t/fuzz/$t/corpus" "t/fuzz/$t/crashes" 2>&1) ; rc=$?
  if [ "$rc" = 0 ] && [ -d "t/fuzz/$t/corpus" ] ; then
    pass=$((pass + 1)) ; echo "fuzz $t: ok, $out"
  else
    fail=$((fail + 1)) ; printf 'fuzz %s: FAILED (exit %s)\n%s\n' "$t" "$rc" "$out" | tail -n 40
    [ -d "t/fuzz/$t/corpus" ] || echo "fuzz $t: no corpus in t/fuzz/$t/corpus"
  fi
done
echo "fuzz: $pass passed, $fail failed"
echo "$pass $fail" >> "$dir/counts"
[ "$fail" = 0 ]
