#!/bin/sh
# install.sh BUILD DESTDIR QHOME SPLIT: install nqmail under DESTDIR/QHOME with qmail's
# owners and modes. Owners are set only when run as root (a DESTDIR build as a user
# gets the modes alone). Binaries are replaced by rename, so running daemons keep theirs.
set -e
build=$1 destdir=$2 qhome=$3 split=$4
root=$destdir$qhome
own=0
[ "$(id -u)" = 0 ] && own=1
if [ "$own" = 1 ] && ! getent passwd qmailq >/dev/null ; then
  echo "install: the users of conf-users do not exist: run 'make setup-users' first" >&2
  exit 111
fi
dir () { # dir MODE OWNER PATH
  mkdir -p "$3"
  [ "$own" = 1 ] && chown "$2" "$3"
  chmod "$1" "$3"
}
dir 755 root:qmail "$root"
for d in bin boot control users man man/man1 man/man5 man/man7 man/man8 services ; do
  dir 755 root:qmail "$root/$d"
done
dir 2755 alias:qmail "$root/alias"
for p in "$build"/bin/* ; do
  name=${p##*/}
  cp "$p" "$root/bin/.$name.new"
  case $name in
    qmail-queue) o=qmailq:qmail m=4711 ;;
    *) o=root:qmail m=755 ;;
  esac
  [ "$own" = 1 ] && chown "$o" "$root/bin/.$name.new"
  chmod "$m" "$root/bin/.$name.new"
  mv -f "$root/bin/.$name.new" "$root/bin/$name"
done
for f in man/*.[0-9] ; do
  [ -f "$f" ] || continue
  sec=${f##*.}
  install -m 644 "$f" "$root/man/man$sec/"
done
for f in boot/* ; do
  [ -f "$f" ] || continue
  sed "s|QHOME|$qhome|g" "$f" > "$root/boot/${f##*/}"
  chmod 755 "$root/boot/${f##*/}"
done
# services: copied with the word QHOME replaced by conf-home; supervise/ state is kept
if [ -d services ] ; then
  for s in services/* ; do
    [ -d "$s" ] || continue
    find "$s" -type d | while read -r d ; do mkdir -p "$root/$d" ; done
    find "$s" -type f | while read -r f ; do
      sed "s|QHOME|$qhome|g" "$f" > "$root/$f.new"
      [ -x "$f" ] && chmod 755 "$root/$f.new" || chmod 644 "$root/$f.new"
      mv -f "$root/$f.new" "$root/$f"
    done
  done
fi
for f in control/* ; do
  [ -f "$f" ] || continue
  [ -e "$root/$f" ] || install -m 644 "$f" "$root/$f"
done
sh scripts/mkqueue.sh "$root/queue" "$split" "$own"
