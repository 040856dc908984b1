#!/bin/sh
# setup-home.sh ROOT SPLIT: what a new installation needs besides the programs:
# control/me (from the host name), locals and rcpthosts, the alias user's Maildir
# and its .qmail-root, .qmail-postmaster, .qmail-mailer-daemon. Never overwrites.
set -e
root=$1 split=$2
own=0
[ "$(id -u)" = 0 ] && own=1
me=$(hostname -f 2>/dev/null || hostname)
[ -n "$me" ] || me=localhost
c=$root/control
mkdir -p "$c"
[ -s "$c/me" ] || echo "$me" > "$c/me"
me=$(head -n 1 "$c/me")
[ -e "$c/locals" ] || printf '%s\nlocalhost\n' "$me" > "$c/locals"
[ -e "$c/rcpthosts" ] || printf '%s\nlocalhost\n' "$me" > "$c/rcpthosts"
chmod 644 "$c"/*
a=$root/alias
mkdir -p "$a"
for n in root postmaster mailer-daemon ; do
  [ -e "$a/.qmail-$n" ] || echo './Maildir/' > "$a/.qmail-$n"
  chmod 644 "$a/.qmail-$n"
done
for d in "$a/Maildir" "$a/Maildir/tmp" "$a/Maildir/new" "$a/Maildir/cur" ; do
  mkdir -p "$d" ; chmod 700 "$d"
done
if [ "$own" = 1 ] ; then
  chown -R alias:qmail "$a/Maildir"
  chown root:qmail "$a"/.qmail-*
fi
# qmail-smtpd's per-address session slots (control/maxperip), writable by qmaild only
mkdir -p "$root/smtpd" ; chmod 700 "$root/smtpd"
[ "$own" = 1 ] && chown qmaild "$root/smtpd"
sh "$(dirname "$0")/mkqueue.sh" "$root/queue" "$split" "$own"
