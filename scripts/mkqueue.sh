#!/bin/sh
# mkqueue.sh QUEUE SPLIT CHOWN: create qmail's queue layout with its owners and modes.
# Existing directories keep their contents; owners and modes are set again.
set -e
q=$1 split=$2 own=$3
buckets () { # buckets DIR...: DIR and DIR/0 .. DIR/SPLIT-1
  for dir in "$@" ; do
    echo "$q/$dir"
    i=0
    while [ "$i" -lt "$split" ] ; do echo "$q/$dir/$i" ; i=$((i + 1)) ; done
  done
}
set_dirs () { # set_dirs MODE OWNER DIR...
  m=$1 o=$2 ; shift 2
  mkdir -p "$@"
  [ "$own" = 1 ] && chown "$o" "$@"
  chmod "$m" "$@"
}
set_dirs 750 qmailq:qmail "$q" "$q/lock"
set_dirs 700 qmailq:qmail "$q/pid"
set_dirs 700 qmails:qmail "$q/bounce"
set_dirs 750 qmailq:qmail $(buckets mess todo)
set_dirs 700 qmailq:qmail $(buckets intd)
set_dirs 700 qmails:qmail $(buckets info local remote)
[ -p "$q/lock/trigger" ] || mkfifo "$q/lock/trigger"
[ -f "$q/lock/sendmutex" ] || : > "$q/lock/sendmutex"
[ -f "$q/lock/tcpto" ] || dd if=/dev/zero of="$q/lock/tcpto" bs=2048 count=1 2>/dev/null
if [ "$own" = 1 ] ; then
  chown qmails:qmail "$q/lock/trigger" "$q/lock/sendmutex"
  chown qmailr:qmail "$q/lock/tcpto"
fi
chmod 622 "$q/lock/trigger"
chmod 600 "$q/lock/sendmutex"
chmod 644 "$q/lock/tcpto"
