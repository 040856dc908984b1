#!/bin/sh
# stop.sh HOME: stop what run.sh started: s6-svscanctl -t brings down every service and
# its logger (which flushes), then s6-svscan exits. Waits for all of it, with a deadline.
set -e
home=$1
scan=$home/service-scan
pidfile=$scan/.s6-svscan.pid
PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export PATH

[ $# -eq 1 ] || { echo "stop: usage: stop.sh HOME" >&2 ; exit 100 ; }
[ -d "$scan" ] || { echo "stop: $scan does not exist: nothing to stop" ; exit 0 ; }

# the pid of the s6-svscan we started, if it is still that program on that directory
pid=
if [ -f "$pidfile" ] ; then
  p=$(cat "$pidfile")
  if [ -n "$p" ] && tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q "^s6-svscan $scan " ; then
    pid=$p
  fi
fi

if ! s6-svscanctl -t "$scan" 2>/dev/null ; then
  echo "stop: no s6-svscan runs on $scan: nothing to stop"
  rm -f "$pidfile"
  exit 0
fi
echo "stop: stopping nqmail in $home"

deadline=$(( $(date +%s) + 60 ))
waitfor () { # waitfor WHAT COMMAND...: until COMMAND fails, or the deadline
  what=$1 ; shift
  while "$@" ; do
    if [ "$(date +%s)" -ge "$deadline" ] ; then
      echo "stop: fatal: $what still running after 60 seconds" >&2
      exit 111
    fi
    sleep 0.1
  done
}
alive () { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null ; }
supervised () { # a supervisor of any service (or its logger) still runs
  for d in "$scan"/*/ "$scan"/*/log/ ; do
    s6-svok "$d" 2>/dev/null && return 0
  done
  return 1
}
waitfor "s6-svscan (pid $pid)" alive
waitfor "a supervisor (see s6-svstat $scan/*)" supervised
rm -f "$pidfile"
echo "stop: stopped"
