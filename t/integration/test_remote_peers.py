"""Real peers for remote delivery, in a network namespace (t/lib/remotens.py):
a second nqmail (its own conf-home, queue and qmail-smtpd on 127.0.0.3:25), with
mail both ways and the bodies byte-exact in the other side's Maildir; and Debian's
Postfix as a receiving peer (a private instance: `postfix -c DIR` with its own
main.cf, master.cf, queue and data directories, never /etc/postfix). Postfix is in
t/peers-packages, not conf-packages: make check installs it through scripts/peers.sh,
which never configures, starts or leaves enabled a system Postfix."""

import hashlib
import re
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import nqtest  # noqa: E402
from nqtest import eq, wait_for, TestFailure, TEST_ME, uid_of, gid_of  # noqa: E402
import remotens as rn  # noqa: E402
import postfixconf  # noqa: E402

PEER = 'peer.test'
# dot lines, 8-bit bytes, trailing blanks, a long line, no final newline
BODY = (b'Subject: peer\n\n.\n..\n.dot\nX.\n\xc3\xa9t\xc3\xa9 8bit\ntrailing  \n' +
        b'y' * 990 + b'\nlast line without newline')


def peer_home(h):
    """A second nqmail built and installed with its own QHOME (the programs have
    conf-home compiled in), next to the build run.py made."""
    build = (h.build or os.path.join(h.src, 'build')).rstrip('/') + '-peer'
    tag = hashlib.sha1(build.encode()).hexdigest()[:10]
    qhome = '/tmp/nqit-%s/home' % tag
    os.makedirs(os.path.dirname(qhome), exist_ok=True)
    os.chmod(os.path.dirname(qhome), 0o755)
    shutil.rmtree(qhome, ignore_errors=True)
    r = subprocess.run(['make', '-s', '--no-print-directory', '-j2', 'O=' + build, 'QHOME=' + qhome, 'install'],
                       cwd=h.src, capture_output=True)
    if r.returncode:
        raise TestFailure('peer build failed: %r' % r.stderr[-2000:])
    p = nqtest.Home(qhome, h.src, build)
    p.reset()
    p.control('me', PEER + '\n')
    p.control('locals', PEER + '\n')
    p.control('rcpthosts', PEER + '\n')
    return p


def smtpd_on(home, addr):
    """tcpserver + qmail-smtpd of home on addr:25, as run.sh starts it."""
    cdb = os.path.join(home.path, 'tcp.smtp.cdb')
    subprocess.run(['tcprules', cdb, cdb + '.tmp'], input=b':allow\n', check=True)
    p = home.spawn(['tcpserver', '-u', str(uid_of('qmaild')), '-g', str(gid_of('nofiles')), '-R', '-H',
                    '-l', addr, '-x', cdb, addr, '25', home.bin('qmail-smtpd')],
                   log=os.path.join(home.logdir, 'smtpd'))
    wait_for(lambda: subprocess.run(['ss', '-ltnH', 'src', addr + ':25'], capture_output=True).stdout, 10,
             'qmail-smtpd on %s:25' % addr)
    return p


def body(msg):
    return msg[msg.index(b'\n\n') + 2:]


def _nqmail_peer(h):
    p = peer_home(h)
    try:
        ann = h.add_user('ann')
        joe = p.add_user('joe')
        h.control('smtproutes', PEER + ':[127.0.0.3]\n')
        p.control('smtproutes', TEST_ME + ':[127.0.0.2]\n')
        h.control('rcpthosts', TEST_ME + '\n')
        smtpd_on(h, '127.0.0.2')
        smtpd_on(p, '127.0.0.3')
        h.start_send()
        p.start_send()
        r = h.run([h.bin('sendmail'), '-f', 'ann@' + TEST_ME, 'joe@' + PEER], input=BODY)
        eq(r.returncode, 0, 'sendmail: %r' % r.stderr)
        (m,) = wait_for(lambda: p.maildir(joe), 60, 'the message in the peer\'s Maildir')
        eq(body(m), body(BODY) + b'\n', 'there: body byte-exact (the queue ends it with a newline)')
        r = p.run([p.bin('sendmail'), '-f', 'joe@' + PEER, 'ann@' + TEST_ME], input=BODY)
        eq(r.returncode, 0, 'peer sendmail: %r' % r.stderr)
        (m,) = wait_for(lambda: h.maildir(ann), 60, 'the answer in ann\'s Maildir')
        eq(body(m), body(BODY) + b'\n', 'back: body byte-exact')
        if b'Received: from ' not in m:
            raise TestFailure(m[:500])
        wait_for(h.queue_empty, 30, 'the queue to empty')
        wait_for(p.queue_empty, 30, 'the peer\'s queue to empty')
    finally:
        p.kill_all()


def test_second_nqmail_both_ways(h):
    rn.ns_run(h, __file__, '_nqmail_peer')


def _postfix(h):
    d = os.path.join(h.path, 'tmp', 'postfix')
    os.makedirs(os.path.join(d, 'vmail'))
    os.makedirs(os.path.join(d, 'queue'))            # postfix check makes its subdirectories
    os.makedirs(os.path.join(d, 'data'))
    os.chown(os.path.join(d, 'data'), uid_of('postfix'), gid_of('postfix'))
    os.chown(os.path.join(d, 'vmail'), uid_of('nobody'), gid_of('nogroup'))
    postfixconf.write(d, postfixconf.main_cf(d, 'mx.pf.test', 'pf.test', d + '/vmail', 'static:box/',
                                             uid_of('nobody'), gid_of('nogroup'),
                                             local_recipient_maps='', inet_interfaces='all',
                                             mynetworks='127.0.0.0/8',
                                             smtpd_relay_restrictions='permit_mynetworks, reject_unauth_destination',
                                             smtputf8_enable='no'),
                      postfixconf.master_cf('127.0.0.4:25', extra=('smtp', 'relay')))
    os.chmod(d, 0o755)
    r = subprocess.run(['postfix', '-c', d, 'start'], capture_output=True, timeout=60)
    try:
        if r.returncode:
            raise TestFailure('postfix start: %r' % (r.stdout + r.stderr))
        wait_for(lambda: subprocess.run(['ss', '-ltnH', 'src', '127.0.0.4:25'], capture_output=True).stdout, 20,
                 'Postfix on 127.0.0.4:25')
        h.control('smtproutes', 'pf.test:[127.0.0.4]\n')
        h.start_send()
        r = h.run([h.bin('sendmail'), '-f', 'ann@' + TEST_ME, 'u1@pf.test', 'u2@pf.test'], input=BODY)
        eq(r.returncode, 0, 'sendmail: %r' % r.stderr)
        box = os.path.join(d, 'vmail', 'box') + '/'
        got = wait_for(lambda: len(h.maildir(box)) == 2 and h.maildir(box), 60, 'two copies in Postfix\'s Maildir')
        for m in got:
            eq(body(m), body(BODY) + b'\n', 'body byte-exact through Postfix')
        wait_for(h.queue_empty, 30, 'the queue to empty')
        log = open(os.path.join(d, 'maillog'), 'rb').read().decode(errors='replace')
        if len(re.findall(r'smtpd\[\d+\]: connect from', log)) != 1:
            raise TestFailure('one SMTP connection for two recipients expected:\n' + log)
    finally:
        subprocess.run(['postfix', '-c', d, 'stop'], capture_output=True, timeout=60)
        pidf = os.path.join(d, 'queue', 'pid', 'master.pid')
        wait_for(lambda: not os.path.exists(pidf) or not os.path.exists('/proc/%s' % open(pidf).read().strip()),
                 20, 'Postfix to stop')


def test_postfix_receives(h):
    if not shutil.which('postfix'):
        raise TestFailure('postfix is not installed: make check installs it (scripts/peers.sh t/peers-packages)')
    rn.ns_run(h, __file__, '_postfix')


if __name__ == '__main__':
    rn.ns_main(sys.modules[__name__])
