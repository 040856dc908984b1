#!/bin/sh
# run.sh HOME ADDR PORT [POP3PORT [BUILD]]: start the installed nqmail in HOME under s6
# (qmail-send, qmail-smtpd on ADDR:PORT, qmail-pop3d on ADDR:POP3PORT) and wait until all
# are up. Without POP3PORT (or with an empty one), control/pop3port (or 110) stays. Run as
# root by `make run`, after install and setup-home. Running it again when all is up
# changes nothing. The directories it makes go through BUILD/tools/nq-install (default:
# build), like install's.
# TLS services: qmail-submission (587), qmail-smtps (465) on ADDR and qmail-pop3s (995) on
# ADDR, with ports from the environment (SUBMISSION_PORT, SMTPS_PORT, POP3S_PORT; else
# control/submissionport, smtpsport, pop3sport; else the defaults). Without
# control/servercert.pem a self-signed certificate for control/me is made.
# QMQP and QMTP: qmail-qmqpd (628) and qmail-qmtpd (209) on ADDR, ports from the environment
# (QMQP_PORT, QMTP_PORT; else control/qmqpport, qmtpport; else the defaults). Never a relay:
# a missing control/tcp.qmqp is written to give QMQPCLIENT to 127.0.0.1 alone and refuse
# everyone else; a missing control/tcp.qmtp allows all without RELAYCLIENT (rcpthosts decide).
set -e
home=$1 addr=$2 port=$3 pop3port=${4:-} build=${5:-$(dirname "$0")/../build}
here=$(dirname "$0")
scan=$home/service-scan
pidfile=$scan/.s6-svscan.pid
services="qmail-send qmail-smtpd qmail-pop3d qmail-submission qmail-smtps qmail-pop3s"
nsservices="qmail-qmqpd qmail-qmtpd"
services="$services $nsservices"
PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export PATH

die () { echo "run: fatal: $*" >&2 ; exit 111 ; }
usage () { echo "run: usage: run.sh HOME ADDR PORT [POP3PORT [BUILD]] ($*)" >&2 ; exit 100 ; }

[ $# -ge 3 ] && [ $# -le 5 ] || usage "3 to 5 arguments"
case $home in /*) ;; *) usage "HOME must be an absolute path" ;; esac
case $port in ''|*[!0-9]*) usage "PORT must be a number" ;; esac
[ "$port" -ge 1 ] && [ "$port" -le 65535 ] || usage "PORT must be 1 to 65535"
case $addr in ''|*[!0-9A-Fa-f.:]*) usage "ADDR must be an IPv4 or IPv6 address (such as 127.0.0.1 or ::1)" ;; esac
if [ -z "$pop3port" ] ; then pop3port=$(head -n 1 "$home/control/pop3port" 2>/dev/null || echo 110) ; fi
case $pop3port in ''|*[!0-9]*) usage "POP3PORT must be a number" ;; esac
[ "$pop3port" -ge 1 ] && [ "$pop3port" -le 65535 ] && [ "$pop3port" != "$port" ] || usage "POP3PORT must be 1 to 65535 and not PORT"
[ "$(id -u)" = 0 ] || die "must run as root (s6-setuidgid, tcpserver -U)"
inst=$build/tools/nq-install
[ -x "$inst" ] || die "$inst is missing: run make first"
# the user names of conf-users (auto.sh compiles the same into the programs)
set -- $(cat "$here/../conf-users") $(cat "$here/../conf-groups")
smtpuser=$2 loguser=$3 uroot=$4 gq=$9
for f in bin/qmail-start bin/qmail-smtpd bin/qmail-popup boot/maildir services/qmail-send/run services/qmail-smtpd/run services/qmail-pop3d/run \
         services/qmail-submission/run services/qmail-smtps/run services/qmail-pop3s/run ; do
  [ -e "$home/$f" ] || die "$home/$f is missing: install first (make setup QHOME=$home)"
done
for f in bin/qmail-qmqpd bin/qmail-qmtpd services/qmail-qmqpd/run services/qmail-qmtpd/run ; do
  [ -e "$home/$f" ] || die "$home/$f is missing: install first (make setup QHOME=$home)"
done
[ -s "$home/control/me" ] || die "$home/control/me is missing: run make setup-home QHOME=$home"
getent passwd "$loguser" >/dev/null && getent passwd "$smtpuser" >/dev/null \
  || die "users $loguser and $smtpuser do not exist: run make setup-users"
# conf-home and control/ are checked as install checks them: nothing below is written
# into a directory that others could change
"$inst" "$home" dir 755 "$uroot:$gq" . dir 755 "$uroot:$gq" control || die "$home is not safe to run from (see above)"

# supervised: prints the pid of service $1 if its supervisor runs and it is up
supervised () {
  s6-svok "$scan/$1" 2>/dev/null || return 0
  s6-svstat -o up,pid "$scan/$1" 2>/dev/null | awk '$1 == "true" { print $2 }'
}

# port_free SERVICE PORT HINT: PORT must be free, unless its listener is our own SERVICE.
port_free () {
  ours=$(supervised "$1")
  holders=$(ss -Hltnp "sport = :$2" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u)
  if [ -z "$holders" ] && ss -Hltn "sport = :$2" 2>/dev/null | grep -q . ; then
    die "port $2 ($1) is already taken (ss -ltn shows a listener, not its program): choose another, e.g. make run $3"
  fi
  for p in $holders ; do
    [ "$p" = "$ours" ] && continue
    die "port $2 is taken by $(cat "/proc/$p/comm" 2>/dev/null || echo unknown) (pid $p), wanted for $1; ss -ltnp 'sport = :$2' shows it. Stop it, or choose another port: make run $3"
  done
}
port_free qmail-smtpd "$port" SMTP_PORT=2525
port_free qmail-pop3d "$pop3port" POP3_PORT=1110

# The TLS services' ports: numbers, all different, free unless the listener is our own.
tlsport () { # tlsport VAR CONTROLFILE DEFAULT: the port from $VAR, control/FILE or DEFAULT
  eval "v=\${$1:-}"
  if [ -z "$v" ] ; then v=$(head -n 1 "$home/control/$2" 2>/dev/null || echo "$3") ; fi
  case $v in ''|*[!0-9]*) usage "$1 must be a number" ;; esac
  [ "$v" -ge 1 ] && [ "$v" -le 65535 ] || usage "$1 must be 1 to 65535"
  echo "$v"
}
subport=$(tlsport SUBMISSION_PORT submissionport 587) || exit 100
smtpsport=$(tlsport SMTPS_PORT smtpsport 465) || exit 100
pop3sport=$(tlsport POP3S_PORT pop3sport 995) || exit 100
[ "$(printf '%s\n' "$port" "$pop3port" "$subport" "$smtpsport" "$pop3sport" | sort -u | wc -l)" = 5 ] \
  || usage "the ports of SMTP, POP3, submission, smtps and pop3s must all differ"
port_free qmail-submission "$subport" SUBMISSION_PORT=1587
port_free qmail-smtps "$smtpsport" SMTPS_PORT=1465
port_free qmail-pop3s "$pop3sport" POP3S_PORT=1995

# The QMQP and QMTP ports likewise: numbers, different from all the others, free unless ours.
qmqpport=$(tlsport QMQP_PORT qmqpport 628) || exit 100
qmtpport=$(tlsport QMTP_PORT qmtpport 209) || exit 100
[ "$(printf '%s\n' "$port" "$pop3port" "$subport" "$smtpsport" "$pop3sport" "$qmqpport" "$qmtpport" | sort -u | wc -l)" = 7 ] \
  || usage "the ports of SMTP, POP3, submission, smtps, pop3s, QMQP and QMTP must all differ"
port_free qmail-qmqpd "$qmqpport" QMQP_PORT=1628
port_free qmail-qmtpd "$qmtpport" QMTP_PORT=1209

# control files for the qmail-smtpd service; changing them restarts it below
c=$home/control
put () { # put FILE VALUE: write control/FILE if its content differs; 0 if written
  [ -f "$c/$1" ] && [ "$(cat "$c/$1")" = "$2" ] && return 1
  echo "$2" > "$c/.$1.tmp" && chmod 644 "$c/.$1.tmp" && mv -f "$c/.$1.tmp" "$c/$1"
}
# rules NAME DEFAULT: control/tcp.NAME (DEFAULT, printf %b, when missing) compiled to its cdb
rules () {
  if [ ! -e "$c/tcp.$1" ] ; then
    printf '%b' "$2" > "$c/tcp.$1"
    chmod 644 "$c/tcp.$1"
  fi
  timeout 30 tcprules "$c/tcp.$1.cdb" "$c/.tcp.$1.tmp" < "$c/tcp.$1" \
    || die "tcprules failed on $c/tcp.$1 (see its message above; ucspi-tcp-ipv6's tcprules never ends on some malformed lines: stopped after 30 s)"
  chmod 644 "$c/tcp.$1.cdb"
}
changed=
if put smtpaddr "$addr" ; then changed=1 ; fi
if put smtpport "$port" ; then changed=1 ; fi
rules smtp '127.:allow,RELAYCLIENT=""\n::1:allow,RELAYCLIENT=""\n:allow\n'
pop3changed=
if put pop3addr "$addr" ; then pop3changed=1 ; fi
if put pop3port "$pop3port" ; then pop3changed=1 ; fi
rules pop3 ':allow\n'
tlschanged=
if put submissionport "$subport" ; then tlschanged="$tlschanged qmail-submission" ; fi
if put smtpsport "$smtpsport" ; then tlschanged="$tlschanged qmail-smtps" ; fi
if put pop3sport "$pop3sport" ; then tlschanged="$tlschanged qmail-pop3s" ; fi
if [ -n "$changed" ] ; then tlschanged="$tlschanged qmail-submission qmail-smtps" ; fi
if [ -n "$pop3changed" ] ; then tlschanged="$tlschanged qmail-pop3s" ; fi
# QMQP and QMTP: their addresses, ports and rules (never an open relay: see the top)
for sp in "qmail-qmqpd qmqp $qmqpport" "qmail-qmtpd qmtp $qmtpport" ; do
  set -- $sp
  if put "$2addr" "$addr" ; then tlschanged="$tlschanged $1" ; fi
  if put "$2port" "$3" ; then tlschanged="$tlschanged $1" ; fi
done
[ -e "$c/tcp.qmqp" ] || echo "run: writing $c/tcp.qmqp: only 127.0.0.1 may send by QMQP (add your mini-qmail clients; see INSTALL, 12)"
rules qmqp '127.0.0.1:allow,QMQPCLIENT=""\n:deny\n'
rules qmtp ':allow\n'
# a self-signed certificate when there is none: root's only (the servers read it before
# they drop root)
madecert=
if [ ! -e "$c/servercert.pem" ] ; then
  cn=$(head -n 1 "$c/me")
  t=$(mktemp -d)
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 -subj "/CN=$cn" \
    -addext "subjectAltName=DNS:$cn" -keyout "$t/key" -out "$t/cert" 2>"$t/err" \
    || { cat "$t/err" >&2 ; rm -rf "$t" ; die "openssl could not make a certificate" ; }
  cat "$t/cert" "$t/key" > "$c/.servercert.tmp" && rm -rf "$t"
  chmod 600 "$c/.servercert.tmp" && mv -f "$c/.servercert.tmp" "$c/servercert.pem"
  madecert=1
  echo "run: made a self-signed certificate for $cn in $c/servercert.pem (clients will not trust it; see README, TLS)"
fi

# log directories, written by s6-log as qmaill; the scan directory
set -- dir 755 "$uroot:" log
for s in $services ; do set -- "$@" dir 750 "$loguser:" "log/$s" ; done
"$inst" "$home" "$@" dir 755 "$uroot:" service-scan || die "cannot make the log and scan directories (see above)"

# scan directory: one symlink a service (left alone if already right)
for s in $services ; do
  [ "$(readlink "$scan/$s" 2>/dev/null)" = "../services/$s" ] && continue
  rm -f "$scan/$s"
  ln -s "../services/$s" "$scan/$s"
done

# s6-svscan: if one already reads the control fifo, -a makes it rescan
if s6-svscanctl -a "$scan" 2>/dev/null ; then
  echo "run: s6-svscan already runs on $scan"
  if [ -n "$changed" ] && s6-svok "$scan/qmail-smtpd" 2>/dev/null ; then
    echo "run: control/smtpaddr or smtpport changed: restarting qmail-smtpd"
    s6-svc -r "$scan/qmail-smtpd"
  fi
  if [ -n "$pop3changed" ] && s6-svok "$scan/qmail-pop3d" 2>/dev/null ; then
    echo "run: control/pop3addr or pop3port changed: restarting qmail-pop3d"
    s6-svc -r "$scan/qmail-pop3d"
  fi
  for s in $(printf '%s\n' $tlschanged | sort -u) ; do
    s6-svok "$scan/$s" 2>/dev/null || continue
    echo "run: the address or port of $s changed: restarting it"
    s6-svc -r "$scan/$s"
  done
else
  echo "run: starting s6-svscan on $scan (its own messages go to $home/log/s6-svscan.log)"
  env - PATH="$PATH" setsid nohup s6-svscan "$scan" >> "$home/log/s6-svscan.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
fi

# wait, with a deadline, for both supervisors, both services up, qmail-send staying up
# (a crashing qmail-send is restarted every second) and the port listening
deadline=$(( $(date +%s) + 20 ))
late () { [ "$(date +%s)" -ge "$deadline" ] ; }
report () {
  echo "run: fatal: $*" >&2
  for s in $services ; do
    echo "run: $s: $(s6-svstat "$scan/$s" 2>&1)" >&2
    [ -f "$home/log/$s/current" ] && tail -n 5 "$home/log/$s/current" | sed "s/^/run: $s log: /" >&2
  done
  [ -f "$home/log/s6-svscan.log" ] && tail -n 5 "$home/log/s6-svscan.log" | sed 's/^/run: s6-svscan: /' >&2
  exit 111
}
for s in $services ; do
  # s6-svok is true before s6-supervise writes its status file, which s6-svwait needs
  until s6-svok "$scan/$s" 2>/dev/null && s6-svstat "$scan/$s" >/dev/null 2>&1 ; do
    late && report "no supervisor for $s in 20 seconds"
    sleep 0.1
  done
done
s6-svwait -u -t 20000 "$scan/qmail-send" "$scan/qmail-smtpd" "$scan/qmail-pop3d" "$scan/qmail-submission" "$scan/qmail-smtps" "$scan/qmail-pop3s" || report "services not up in 20 seconds"
s6-svwait -u -t 20000 "$scan/qmail-qmqpd" "$scan/qmail-qmtpd" || report "services not up in 20 seconds"
until [ "$(s6-svstat -o up,updownfor "$scan/qmail-send" | awk '{ print ($1 == "true" && $2 >= 1) }')" = 1 ] ; do
  late && report "qmail-send does not stay up"
  sleep 0.1
done
# wait_listening SERVICE PORT: until SERVICE's own process listens on PORT, or report
wait_listening () {
  until [ -n "$(supervised "$1")" ] && ss -Hltnp "sport = :$2" | grep -q "pid=$(supervised "$1")," ; do
    late && report "$1 does not listen on $addr:$2"
    sleep 0.1
  done
}
wait_listening qmail-smtpd "$port"
wait_listening qmail-pop3d "$pop3port"
wait_listening qmail-submission "$subport"
wait_listening qmail-smtps "$smtpsport"
wait_listening qmail-pop3s "$pop3sport"
wait_listening qmail-qmqpd "$qmqpport"
wait_listening qmail-qmtpd "$qmtpport"

me=$(head -n 1 "$c/me")
cat <<EOF
run: nqmail is up in $home: qmail-send, qmail-smtpd on $addr:$port, qmail-pop3d on $addr:$pop3port.

Send a first message, by SMTP:
  swaks --server $addr --port $port --to root@$me --from you@example.com
or with the sendmail program:
  printf 'Subject: hello\\n\\nfirst message\\n' | $home/bin/sendmail root
It lands in $home/alias/Maildir/new/ (root's mail goes to the alias user).
Logs: $home/log/qmail-send/current and $home/log/qmail-smtpd/current
Status: s6-svstat $scan/qmail-send; s6-svstat $scan/qmail-smtpd
POP3: a system user with a password reads ~/Maildir: nc $addr $pop3port, then USER name, PASS secret
TLS: submission (STARTTLS, AUTH) on $addr:$subport, smtps on $addr:$smtpsport, pop3s on $addr:$pop3sport;
  STARTTLS on $addr:$port and STLS on $addr:$pop3port, with $c/servercert.pem
  swaks --server $addr --port $subport --tls --auth LOGIN --auth-user NAME --to someone@example.com
Stop:   make stop QHOME=$home
EOF
echo "QMQP (qmail-qmqpd) on $addr:$qmqpport for the clients in $c/tcp.qmqp; QMTP (qmail-qmtpd) on $addr:$qmtpport"
