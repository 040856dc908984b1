#!/bin/sh
# layers.sh: fail when a library module includes a header of a higher layer or of a
# peer group (INTERNALS.md, "Source map"). Layers, lowest first:
#   0 util   1 mail net   2 auth (the login servers' checkpassword caller)   3 queue local smtp pop3 remote
#   4 send (qmail-send's own parts) qmqp (the QMQP/QMTP servers' shared part) deliver (a delivery as a function) rcpt (the RCPT-time recipient check)
# (programs in src/*.c sit above all)
# A group not named here is an error, so a new group must be placed in the map.
rank () {
  case $1 in
    util) echo 0 ;;
    mail|net) echo 1 ;;
    auth) echo 2 ;;
    queue|local|smtp|pop3|remote) echo 3 ;;
    send|qmqp|deliver|rcpt) echo 4 ;;
    *) echo x ;;
  esac
}
bad=0
for f in src/lib/*/*.[ch] ; do
  g=${f#src/lib/} ; g=${g%%/*}
  rg=$(rank "$g")
  if [ "$rg" = x ] ; then echo "layers: $f: group $g has no layer in scripts/layers.sh" ; bad=1 ; continue ; fi
  for h in $(sed -n 's|^[ 	]*#[ 	]*include[ 	]*"\([a-z0-9_]*\)/[^"]*".*|\1|p' "$f") ; do
    [ "$h" = "$g" ] && continue
    rh=$(rank "$h")
    if [ "$rh" = x ] || [ "$rh" -ge "$rg" ] ; then
      echo "layers: $f ($g, layer $rg) includes $h/ (layer $rh): only lower layers may be included"
      bad=1
    fi
  done
  if grep -n '^[ 	]*#[ 	]*include[ 	]*"[^/"]*\.h"' "$f" | grep -v '"tcdb.h"' ; then
    echo "layers: $f: a project header without its group" ; bad=1
  fi
done
if [ "$bad" = 0 ] ; then echo "layers: 1 passed, 0 failed" ; else echo "layers: 0 passed, 1 failed" ; fi
exit $bad
