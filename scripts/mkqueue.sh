#!/bin/sh
# mkqueue.sh NQ-INSTALL ROOT SPLIT: create qmail's queue layout in ROOT/queue with its owners
# and modes, through nq-install (scripts/nq-install.c). Existing directories keep their
# contents; one with another owner or more write permission than install gives is refused.
set -e
inst=$1 root=$2 split=$3
here=$(dirname "$0")
case $split in ''|*[!0-9]*) echo "mkqueue: SPLIT must be a number: $split" >&2 ; exit 100 ;; esac
set -- $(cat "$here/../conf-users") $(cat "$here/../conf-groups")
q=$6:$9 s=$8:$9 rr=$7:$9
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/empty"
dd if=/dev/zero of="$tmp/tcpto" bs=2048 count=1 2>/dev/null
buckets () { # buckets MODE OWNER DIR: the nq-install arguments for DIR and DIR/0 .. DIR/SPLIT-1
  echo "dir $1 $2 queue/$3"
  i=0
  while [ "$i" -lt "$split" ] ; do echo "dir $1 $2 queue/$3/$i" ; i=$((i + 1)) ; done
}
# the owner names and the bucket paths have no blanks: word splitting is safe here
"$inst" "$root" dir 750 "$q" queue dir 750 "$q" queue/lock dir 700 "$q" queue/pid \
  dir 700 "$s" queue/bounce \
  $(buckets 750 "$q" mess) $(buckets 750 "$q" todo) $(buckets 700 "$q" intd) \
  $(buckets 700 "$s" info) $(buckets 700 "$s" local) $(buckets 700 "$s" remote) \
  fifo 622 "$s" queue/lock/trigger \
  keep 600 "$s" queue/lock/sendmutex "$tmp/empty" \
  keep 644 "$rr" queue/lock/tcpto "$tmp/tcpto"
