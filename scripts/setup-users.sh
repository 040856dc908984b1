#!/bin/sh
# setup-users.sh QHOME: create the groups of conf-groups and the users of conf-users
# that are missing (system accounts, no login shell). Needs root.
set -e
qhome=$1
set -- $(cat conf-users) $(cat conf-groups)
alias=$1 qmaild=$2 qmaill=$3 qmailp=$5 qmailq=$6 qmailr=$7 qmails=$8 gq=$9 gn=${10}
need=
for g in "$gq" "$gn" ; do getent group "$g" >/dev/null || need=1 ; done
for u in "$alias" "$qmaild" "$qmaill" "$qmailp" "$qmailq" "$qmailr" "$qmails" ; do
  getent passwd "$u" >/dev/null || need=1
done
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ] ; then echo "setup-users: need root to create users and groups" >&2 ; exit 111 ; fi
for g in "$gq" "$gn" ; do getent group "$g" >/dev/null || groupadd --system "$g" ; done
mk () { # mk USER GROUP HOME
  getent passwd "$1" >/dev/null && return 0
  useradd --system --gid "$2" --home-dir "$3" --no-create-home --shell /usr/sbin/nologin "$1"
}
mk "$alias" "$gn" "$qhome/alias"
mk "$qmaild" "$gn" "$qhome"
mk "$qmaill" "$gn" "$qhome"
mk "$qmailp" "$gn" "$qhome"
mk "$qmailq" "$gq" "$qhome"
mk "$qmailr" "$gq" "$qhome"
mk "$qmails" "$gq" "$qhome"
