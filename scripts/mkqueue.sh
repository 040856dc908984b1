#!/bin/sh
# mkqueue.sh QUEUE SPLIT CHOWN: create qmail's queue layout with its owners and modes.
# Existing directories keep their contents; owners and modes are set again.
set -e
q=$1 split=$2 own=$3
d () { # d MODE OWNER:GROUP PATH
  mkdir -p "$3"
  [ "$own" = 1 ] && chown "$2" "$3"
  chmod "$1" "$3"
}
d 750 qmailq:qmail "$q"
d 700 qmailq:qmail "$q/pid"
d 700 qmails:qmail "$q/bounce"
d 750 qmailq:qmail "$q/lock"
for dir in mess todo ; do d 750 qmailq:qmail "$q/$dir" ; done
d 700 qmailq:qmail "$q/intd"
for dir in info local remote ; do d 700 qmails:qmail "$q/$dir" ; done
i=0
while [ "$i" -lt "$split" ] ; do
  for dir in mess todo ; do d 750 qmailq:qmail "$q/$dir/$i" ; done
  d 700 qmailq:qmail "$q/intd/$i"
  for dir in info local remote ; do d 700 qmails:qmail "$q/$dir/$i" ; done
  i=$((i + 1))
done
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
