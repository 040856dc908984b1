#!/bin/sh
# sizes.sh: fail when a program file (src/*.c) is over 600 lines or a function in
# src/ is over 100 lines (a function: from a line that starts with "{" to the next
# line that starts with "}", the house style of every file here).
bad=0
for f in src/*.c ; do
  n=$(wc -l < "$f")
  [ "$n" -le 600 ] || { echo "sizes: $f has $n lines (at most 600 for a program)" ; bad=1 ; }
done
for f in src/*.c src/lib/*/*.c ; do
  awk -v f="$f" '
    /^\{/ && !start { start = NR ; name = prev ; next }
    /^\}/ && start { if (NR - start + 1 > 100) { printf "sizes: %s: %s is %d lines (at most 100)\n", f, name, NR - start + 1 ; bad = 1 } ; start = 0 }
    { prev = $0 }
    END { exit bad }' "$f" || bad=1
done
if [ "$bad" = 0 ] ; then echo "sizes: 1 passed, 0 failed" ; else echo "sizes: 0 passed, 1 failed" ; fi
exit $bad
