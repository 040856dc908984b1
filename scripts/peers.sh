#!/bin/sh
# peers.sh LIST...: install the packages named in the LISTs (t/peers-packages: test peers
# such as Postfix; bench/packages) if missing, never configuring or starting a system
# MTA: debconf "No configuration", a policy-rc.d that refuses every service start for
# the time of the install, and afterwards the system Postfix disabled and stopped if
# anything started or enabled it. Tests run private instances (`postfix -c DIR`).
set -e
missing=
for l in "$@" ; do
  for p in $(grep -v '^#' "$l") ; do
    dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
  done
done
[ -z "$missing" ] && exit 0
echo "peers: installing$missing" >&2
if [ "$(id -u)" != 0 ] ; then echo "peers: need root to apt-get install$missing" >&2 ; exit 111 ; fi
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
prc=/usr/sbin/policy-rc.d
if [ ! -e $prc ] ; then
  printf '#!/bin/sh\nexit 101\n' > $prc && chmod 755 $prc
  trap 'rm -f $prc' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing >&2 \
  || { apt-get update -q >/dev/null && apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing >&2 ; }
# the package enables its unit even when policy-rc.d refuses the start: undo that
if [ -x /usr/sbin/postfix ] ; then
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] ; then
    systemctl disable --now postfix.service >/dev/null 2>&1 || :
  fi
  command -v update-rc.d >/dev/null 2>&1 && update-rc.d postfix disable >/dev/null 2>&1 || :
  # the system instance only (/etc/postfix), never a test's private one
  if /usr/sbin/postfix status >/dev/null 2>&1 ; then /usr/sbin/postfix stop >&2 || : ; fi
  if /usr/sbin/postfix status >/dev/null 2>&1 ; then echo "peers: a system Postfix is still running" >&2 ; exit 111 ; fi
fi
exit 0
