#!/bin/sh
# run.sh BUILD SECONDS TARGET...: `make fuzz`. Build every target with clang's
# libFuzzer under ASan+UBSan in BUILD, run each for SECONDS (one at a time,
# niced), merge the new inputs that add coverage into t/fuzz/TARGET/corpus,
# leave crashes in t/fuzz/TARGET/crashes (make check then replays them), and
# run the SMTP/POP3 session fuzzer for SECONDS. Exit 1 if anything crashed.
b=$1 secs=$2 ; shift 2
make=${MAKE:-make}
cc=$(command -v clang || command -v clang-14) || { echo "fuzz: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2 ; exit 111 ; }
san='-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer'
$make --no-print-directory -j2 O="$b" CC="$cc" SAN=1 FUZZ_MAIN= \
  CFLAGS="-O1 -g $san -fsanitize=fuzzer-no-link" LDFLAGS="$san -fsanitize=fuzzer" fuzz-bins || exit 111
tmp=$(mktemp -d) || exit 111
trap 'rm -rf "$tmp"' EXIT
rc=0
for t in "$@" ; do
  d=t/fuzz/$t
  mkdir -p "$d/corpus" "$d/crashes" "$tmp/$t"
  dict= ; [ -f "$d/dict" ] && dict="-dict=$d/dict"
  echo "== fuzz $t for ${secs}s"
  if ! nice -n 10 "$b/fuzz/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -max_len=8192 \
       -artifact_prefix="$d/crashes/" -print_final_stats=1 $dict "$tmp/$t" "$d/corpus" > "$tmp/$t.log" 2>&1 ; then
    rc=1 ; echo "fuzz $t: CRASH, see $d/crashes/" ; grep -E 'ERROR|oracle failed|runtime error|SUMMARY' "$tmp/$t.log" | head -n 5
  fi
  grep -E '^stat::(number_of_executed_units|new_units_added)' "$tmp/$t.log" | tr '\n' ' ' ; echo
  # keep only the new inputs that add coverage (minimised merge into the corpus)
  nice -n 10 "$b/fuzz/$t" -merge=1 -timeout=10 -rss_limit_mb=1024 "$d/corpus" "$tmp/$t" > "$tmp/$t.merge" 2>&1 || \
    { echo "fuzz $t: merge failed" ; tail -n 5 "$tmp/$t.merge" ; rc=1 ; }
  echo "fuzz $t: corpus $(ls "$d/corpus" | wc -l) files"
done
echo "== SMTP and POP3 session fuzzer for ${secs}s"
/usr/bin/python3 t/fuzz/session.py --src . --build "$b-it" --seconds "$secs" || rc=1
[ "$rc" = 0 ] && echo "fuzz: no crash" || echo "fuzz: crashes or failures above"
exit $rc
