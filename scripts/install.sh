#!/bin/sh
# install.sh BUILD DESTDIR QHOME SPLIT [UNITDIR]: install nqmail under DESTDIR/QHOME with
# qmail's owners and modes. Owners are set only when run as root (a DESTDIR build as a user
# gets the modes alone). Every file goes through BUILD/tools/nq-install: it is made afresh
# (an O_EXCL temporary renamed into place, so running daemons keep their programs), nothing
# is followed or written through, and a conf-home that others could change, or whose parts
# have an owner or mode install would not give them, is refused with the reason (issue 6).
# UNITDIR, if set, gets boot/nqmail.service (systemd; installed, not enabled).
set -e
build=$1 destdir=$2 qhome=$3 split=$4 unitdir=$5
root=$destdir$qhome
here=$(dirname "$0")
inst=$build/tools/nq-install
case $qhome in /*) ;; *) echo "install: QHOME must be an absolute path: $qhome" >&2 ; exit 100 ;; esac
[ -x "$inst" ] || { echo "install: $inst is missing: run make first" >&2 ; exit 111 ; }
set -- $(cat "$here/../conf-users") $(cat "$here/../conf-groups")
ualias=$1 uqmaild=$2 uqmaill=$3 uroot=$4 uqmailq=$6 gq=$9
if [ "$(id -u)" = 0 ] && ! getent passwd "$uqmailq" >/dev/null ; then
  echo "install: the users of conf-users do not exist: run 'make setup-users' first" >&2
  exit 111
fi
r=$uroot:$gq

# the directories first, top down: each is made or checked before anything goes into it
set -- dir 755 "$r" .
for d in bin boot control users man services doc doc/control ; do set -- "$@" dir 755 "$r" "$d" ; done
set -- "$@" dir 2755 "$ualias:$gq" alias
for p in "$build"/bin/* ; do
  name=${p##*/}
  case $name in
    qmail-queue) set -- "$@" file 4711 "$uqmailq:$gq" "bin/$name" "$p" ;;
    *) set -- "$@" file 755 "$r" "bin/$name" "$p" ;;
  esac
done
for f in "$here"/../man/*.[0-9] ; do
  [ -f "$f" ] || continue
  sec=${f##*.}
  set -- "$@" dir 755 "$r" "man/man$sec" file 644 "$r" "man/man$sec/${f##*/}" "$f"
done
for f in "$here"/../control/examples/* ; do  # documentation, not read: control/README
  if [ -f "$f" ] ; then set -- "$@" file 644 "$r" "doc/control/${f##*/}" "$f" ; fi
done
for f in "$here"/../boot/* ; do
  [ -f "$f" ] || continue
  m=644 ; if [ -x "$f" ] ; then m=755 ; fi
  set -- "$@" sub "$m" "$r" "boot/${f##*/}" "$f"
done
# services: the words QHOME, QMAILD and QMAILL replaced; supervise/ state is left alone
for s in "$here"/../services/* ; do
  [ -d "$s" ] || continue
  top=${s%/*}
  for d in $(cd "$top" && find "${s##*/}" -type d) ; do set -- "$@" dir 755 "$r" "services/$d" ; done
  for f in $(cd "$top" && find "${s##*/}" -type f) ; do
    m=644 ; if [ -x "$top/$f" ] ; then m=755 ; fi
    set -- "$@" sub "$m" "$r" "services/$f" "$top/$f"
  done
done
"$inst" -r "QHOME=$qhome" -r "QMAILD=$uqmaild" -r "QMAILL=$uqmaill" "$root" "$@"

if [ -n "$unitdir" ] && [ -f "$here/../boot/nqmail.service" ] ; then
  # outside conf-home: the same checks, with UNITDIR as the directory install owns
  "$inst" -r "QHOME=$qhome" "$destdir$unitdir" dir 755 "$uroot:" . sub 644 "$uroot:" nqmail.service "$here/../boot/nqmail.service"
  echo "install: $destdir$unitdir/nqmail.service installed, not enabled: systemctl enable --now nqmail"
fi
sh "$here/mkqueue.sh" "$inst" "$root" "$split"
