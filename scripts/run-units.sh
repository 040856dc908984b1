#!/bin/sh
# run-units.sh DIR TEST...: run Check unit tests, print "unit: N passed, N failed"
# (N = Check test cases) and append the counts to DIR/counts.
dir=$1 ; shift
pass=0 fail=0
for t in "$@" ; do
  out=$(CK_DEFAULT_TIMEOUT=20 UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} "$dir/$t" 2>&1) ; rc=$?
  printf '%s\n' "$out" | grep -v '^Running suite' | sed "s|^|$t: |"
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -n 1)
  n=$(printf '%s' "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
  f=$(printf '%s' "$line" | sed -n 's/.*Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2/p')
  if [ -z "$n" ] ; then
    echo "$t: no Check summary (exit $rc): counted as one failure"
    fail=$((fail + 1)) ; continue
  fi
  set -- $f
  bad=$(( ${1:-0} + ${2:-0} ))
  pass=$((pass + n - bad)) ; fail=$((fail + bad))
  [ "$rc" != 0 ] && [ "$bad" = 0 ] && { echo "$t: exit $rc" ; fail=$((fail + 1)) ; }
done
echo "unit: $pass passed, $fail failed"
echo "$pass $fail" >> "$dir/counts"
[ "$fail" = 0 ]
