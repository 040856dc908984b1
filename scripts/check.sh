#!/bin/sh
# check.sh BUILD: everything `make check` runs, ending with the total "N passed, N failed".
b=$1
make=${MAKE:-make}
sh scripts/deps.sh conf-packages || exit 111
sh scripts/peers.sh t/peers-packages || exit 111
$make --no-print-directory setup-users || exit 111
rm -f "$b/t/counts" "$b-asan/t/counts" "$b-it/counts" "$b/layers.counts" "$b-asan/fuzz/counts"
mkdir -p "$b/t" "$b-asan/t" "$b-it" "$b-asan/fuzz"
rc=0
$make --no-print-directory O="$b" all || rc=1
echo "== layering of src/lib, file and function sizes"
if sh scripts/layers.sh ; then echo "1 0" > "$b/layers.counts" ; else echo "0 1" > "$b/layers.counts" ; rc=1 ; fi
if sh scripts/sizes.sh ; then echo "1 0" >> "$b/layers.counts" ; else echo "0 1" >> "$b/layers.counts" ; rc=1 ; fi
echo "== unit tests"
$make --no-print-directory O="$b" check-unit || rc=1
echo "== unit tests under ASan+UBSan"
$make --no-print-directory O="$b-asan" SAN=1 check-unit || rc=1
echo "== fuzz corpora and past crashes under ASan+UBSan"
$make --no-print-directory O="$b-asan" SAN=1 check-fuzz || rc=1
echo "== integration tests"
/usr/bin/python3 t/integration/run.py --src . --build "$b-it" --counts "$b-it/counts" || rc=1
pass=0 fail=0
for f in "$b/layers.counts" "$b/t/counts" "$b-asan/t/counts" "$b-asan/fuzz/counts" "$b-it/counts" ; do
  if [ -f "$f" ] ; then
    while read -r p q ; do pass=$((pass + p)) ; fail=$((fail + q)) ; done < "$f"
  else
    fail=$((fail + 1))
  fi
done
[ "$rc" = 0 ] || [ "$fail" != 0 ] || fail=1
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
