#!/bin/sh
# run.sh BUILD SECONDS TARGET...: `make fuzz`. Build every target with clang's
# libFuzzer under ASan+UBSan in BUILD, run each for SECONDS (FUZZ_JOBS at once,
# default 1, at nice 19), merge the new inputs that add coverage into
# t/fuzz/TARGET/corpus, leave crashes in t/fuzz/TARGET/crashes (make check then
# replays them), and run the SMTP/POP3 session fuzzer for SECONDS (unless
# FUZZ_SESSION=0). Exit 1 if anything crashed.
# run.sh --one BUILD SECONDS TARGET: one target (run by xargs -P); its output
# goes to FUZZ_TMP/TARGET.out and is printed whole when it ends.
if [ "$1" = --one ] ; then
  b=$2 secs=$3 t=$4 d=t/fuzz/$4 tmp=$FUZZ_TMP rc=0
  mkdir -p "$d/corpus" "$d/crashes" "$tmp/$t" || exit 1
  dict= ; [ -f "$d/dict" ] && dict="-dict=$d/dict"
  {
    echo "== fuzz $t for ${secs}s (started $(date +%T))"
    if ! nice -n 19 "$b/fuzz/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -max_len=8192 \
         -artifact_prefix="$d/crashes/" -print_final_stats=1 $dict "$tmp/$t" "$d/corpus" > "$tmp/$t.log" 2>&1 ; then
      rc=1 ; echo "fuzz $t: CRASH, see $d/crashes/" ; grep -E 'ERROR|oracle failed|runtime error|SUMMARY' "$tmp/$t.log" | head -n 5
    fi
    grep -E '^stat::(number_of_executed_units|new_units_added)' "$tmp/$t.log" | tr '\n' ' ' ; echo
    # keep only the new inputs that add coverage (minimised merge into the corpus)
    nice -n 19 "$b/fuzz/$t" -merge=1 -timeout=10 -rss_limit_mb=1024 "$d/corpus" "$tmp/$t" > "$tmp/$t.merge" 2>&1 || \
      { echo "fuzz $t: merge failed" ; tail -n 5 "$tmp/$t.merge" ; rc=1 ; }
    echo "fuzz $t: exit $rc, corpus $(ls "$d/corpus" | wc -l) files (ended $(date +%T))"
  } > "$tmp/$t.out" 2>&1
  echo "$rc" > "$tmp/$t.rc"
  cat "$tmp/$t.out"   # one write of a small file: the targets' summaries do not interleave
  exit 0
fi
b=$1 secs=$2 ; shift 2
jobs=${FUZZ_JOBS:-1}
case $jobs in ''|*[!0-9]*|0) echo "fuzz: FUZZ_JOBS must be a number >= 1" >&2 ; exit 100 ;; esac
make=${MAKE:-make}
cc=$(command -v clang || command -v clang-14) || { echo "fuzz: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2 ; exit 111 ; }
san='-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer'
nice -n 19 $make --no-print-directory -j2 O="$b" CC="$cc" SAN=1 FUZZ_MAIN= \
  CFLAGS="-O1 -g $san -fsanitize=fuzzer-no-link" LDFLAGS="$san -fsanitize=fuzzer" fuzz-bins || exit 111
FUZZ_TMP=$(mktemp -d) || exit 111
export FUZZ_TMP
trap 'rm -rf "$FUZZ_TMP"' EXIT
echo "== $# targets, ${secs}s each, $jobs at once"
printf '%s\n' "$@" | xargs -P "$jobs" -n 1 sh "$0" --one "$b" "$secs"
rc=0
for t in "$@" ; do
  r=$(cat "$FUZZ_TMP/$t.rc" 2>/dev/null) || r=missing
  [ "$r" = 0 ] || { rc=1 ; echo "fuzz $t: FAILED ($r)" ; }
done
if [ "${FUZZ_SESSION:-1}" != 0 ] ; then
  echo "== SMTP and POP3 session fuzzer for ${secs}s"
  nice -n 19 /usr/bin/python3 t/fuzz/session.py --src . --build "$b-it" --seconds "$secs" || rc=1
fi
[ "$rc" = 0 ] && echo "fuzz: no crash" || echo "fuzz: crashes or failures above"
exit $rc
