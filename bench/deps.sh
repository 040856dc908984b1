#!/bin/sh
# bench/deps.sh: install bench/packages (Postfix, gnuplot) if missing, never starting or
# configuring a system Postfix: debconf "No configuration", and a policy-rc.d that
# refuses every service start for the time of the install.
set -e
cd "$(dirname "$0")"
missing=
for p in $(cat packages) ; do
  dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "bench: installing$missing" >&2
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
prc=/usr/sbin/policy-rc.d
ours=
if [ ! -e $prc ] ; then
  printf '#!/bin/sh\nexit 101\n' > $prc && chmod 755 $prc && ours=1
  trap 'rm -f $prc' EXIT
fi
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $missing >&2
