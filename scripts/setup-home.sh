#!/bin/sh
# setup-home.sh ROOT SPLIT [BUILD]: what a new installation needs besides the programs:
# control/me (from the host name), locals and rcpthosts, the shipped defaults of
# control/defaults/ (control/README), the alias user's Maildir and its .qmail-root, .qmail-postmaster,
# .qmail-mailer-daemon, and the queue. Never overwrites; what it keeps must have the owner
# and mode it would have made (a users/cdb or a .qmail that others could have planted picks
# delivery users), or it is refused with the reason. Files go through BUILD/tools/nq-install.
set -e
root=$1 split=$2 build=${3:-build}
here=$(dirname "$0")
inst=$build/tools/nq-install
[ -x "$inst" ] || { echo "setup-home: $inst is missing: run make first" >&2 ; exit 111 ; }
set -- $(cat "$here/../conf-users") $(cat "$here/../conf-groups")
ualias=$1 uqmaild=$2 uroot=$4 gq=$9
r=$uroot:$gq
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$inst" "$root" dir 755 "$r" . dir 755 "$r" control dir 755 "$r" users dir 2755 "$ualias:$gq" alias
# qmail-smtpd's per-address session slots (control/maxperip), writable by qmaild only
"$inst" "$root" dir 700 "$uqmaild:$gq" smtpd
# what is there already, and that the programs trust, must be root's and not writable by others
set --
for f in "$root"/control/* "$root"/users/* ; do
  [ -e "$f" ] || [ -L "$f" ] || continue
  d=${f%/*} ; set -- "$@" check 644 "$r" "${d##*/}/${f##*/}"
done
for f in "$root"/alias/.qmail* ; do
  [ -e "$f" ] || [ -L "$f" ] || continue
  set -- "$@" check 644 "$r" "alias/${f##*/}"
done
[ $# = 0 ] || "$inst" "$root" "$@"

me=$(hostname -f 2>/dev/null || hostname)
[ -n "$me" ] || me=localhost
echo "$me" > "$tmp/me"
if [ -s "$root/control/me" ] ; then me=$(head -n 1 "$root/control/me") ; fi
printf '%s\nlocalhost\n' "$me" > "$tmp/locals"
echo './Maildir/' > "$tmp/dotqmail"
op=keep ; if [ ! -s "$root/control/me" ] ; then op='file' ; fi  # an empty me is written again
set -- "$op" 644 "$r" control/me "$tmp/me" \
  keep 644 "$r" control/locals "$tmp/locals" keep 644 "$r" control/rcpthosts "$tmp/locals"
for f in "$here"/../control/defaults/* ; do  # the shipped defaults, unless the admin has their own
  if [ -f "$f" ] ; then set -- "$@" keep 644 "$r" "control/${f##*/}" "$f" ; fi
done
for n in root postmaster mailer-daemon ; do set -- "$@" keep 644 "$r" "alias/.qmail-$n" "$tmp/dotqmail" ; done
for d in Maildir Maildir/tmp Maildir/new Maildir/cur ; do set -- "$@" dir 700 "$ualias:$gq" "alias/$d" ; done
"$inst" "$root" "$@"
sh "$here/mkqueue.sh" "$inst" "$root" "$split"
