#!/bin/sh
# deps.sh LIST: install the Debian packages named in LIST that are missing.
set -e
missing=
# installed PKG: PKG, or a package that provides it, is installed (ucspi-tcp-ipv6
# provides ucspi-tcp: a list that still names ucspi-tcp keeps ucspi-tcp-ipv6)
installed () {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed' && return 0
  dpkg-query -W -f='${Status}|${Provides}\n' 2>/dev/null | grep 'ok installed|' | cut -d'|' -f2 \
    | tr ',' '\n' | sed 's/(.*//; s/[[:space:]]//g' | grep -qx "$1"
}
for p in $(grep -v '^#' "$1") ; do
  installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ] ; then echo "deps: need root to apt-get install$missing" >&2 ; exit 111 ; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q $missing >/dev/null
