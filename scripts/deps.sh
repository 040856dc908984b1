#!/bin/sh
# deps.sh LIST: install the Debian packages named in LIST that are missing.
set -e
missing=
for p in $(grep -v '^#' "$1") ; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ] ; then echo "deps: need root to apt-get install$missing" >&2 ; exit 111 ; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q $missing >/dev/null
