"""LMTP to Dovecot: qmail-remote hands the recipients of a control/lmtproutes domain
to Debian's dovecot-lmtpd (a private instance: dovecot -c FILE under this Home, never
/etc/dovecot) over its unix socket or TCP, one transaction per message and a reply per
recipient; the mailbox is read back with doveadm. Unknown users and a full quota get
Dovecot's own verdict (550 -> permanent; 552 permanent, or 452 temporary with
quota_full_tempfail)."""

import os
import pwd
import shutil
import signal
import subprocess

from nqtest import eq, wait_for, free_port

CONF = '''base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/log
protocols = lmtp
listen = 127.0.0.1
ssl = no
default_login_user = nobody
default_internal_user = nobody
default_internal_group = nogroup
auth_username_format = %n
mail_location = maildir:{d}/mail/%n
passdb {{
  driver = passwd-file
  args = {d}/users
}}
userdb {{
  driver = passwd-file
  args = {d}/users
  default_fields = uid=nobody gid=nogroup home={d}/mail/%n
}}
service lmtp {{
  unix_listener {d}/lmtp {{
    mode = 0666
  }}
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
}}
mail_plugins = quota
plugin {{
  quota = maildir:User quota
  quota_rule = *:storage=2K
}}
quota_full_tempfail = {tempfail}
'''


class Dovecot:
    def __init__(self, h, tempfail=False):
        self.d = os.path.join(h.path, 'dovecot')
        shutil.rmtree(self.d, ignore_errors=True)
        for sub in ('', 'run', 'state', 'mail'):
            os.makedirs(os.path.join(self.d, sub), exist_ok=True)
        os.chmod(self.d, 0o755)
        nobody = pwd.getpwnam('nobody')
        os.chown(os.path.join(self.d, 'mail'), nobody.pw_uid, nobody.pw_gid)
        self.port = free_port()
        self.conf = os.path.join(self.d, 'dovecot.conf')
        with open(self.conf, 'w') as f:
            f.write(CONF.format(d=self.d, port=self.port, tempfail='yes' if tempfail else 'no'))
        with open(os.path.join(self.d, 'users'), 'w') as f:
            f.write('joe:{PLAIN}pw::::::\nkim:{PLAIN}pw::::::\n')
        subprocess.run(['dovecot', '-c', self.conf], check=True, timeout=30)
        self.socket = os.path.join(self.d, 'lmtp')
        wait_for(lambda: os.path.exists(self.socket), 30, 'the LMTP socket')

    def stop(self):
        pidf = os.path.join(self.d, 'run', 'master.pid')
        try:
            pid = int(open(pidf).read())
            os.kill(pid, signal.SIGTERM)
            wait_for(lambda: not os.path.exists('/proc/%d' % pid), 30, 'dovecot to stop')
        except (OSError, ValueError):
            pass

    def mails(self, user):
        r = subprocess.run(['doveadm', '-c', self.conf, 'fetch', '-u', user, 'text', 'all'],
                           capture_output=True, timeout=30)
        eq(r.returncode, 0, 'doveadm fetch: %r' % r.stderr)
        return r.stdout


def remote(h, domain, rcpts, msg):
    p = os.path.join(h.path, 'tmp', 'msg')
    with open(p, 'wb') as f:
        f.write(msg)
    with open(p, 'rb') as f:
        r = subprocess.run([h.bin('qmail-remote'), domain, 'ann@a.test'] + rcpts, stdin=f,
                           capture_output=True, env=h.env(), cwd=h.path, timeout=60)
    eq(r.returncode, 0, 'qmail-remote: %r' % r.stderr)
    return r.stdout.split(b'\0')[:-1]


def with_dovecot(h, fn, **kw):
    dv = Dovecot(h, **kw)
    try:
        fn(dv)
    finally:
        dv.stop()


MSG = b'Subject: to the store\n\nhello dovecot\n.dot line\n'


def test_lmtp_unix_socket_per_recipient(h):
    def run(dv):
        h.control('lmtproutes', 'store.test:%s\n' % dv.socket)
        out = remote(h, 'store.test', ['joe@store.test', 'nosuch@store.test', 'kim@store.test'], MSG)
        eq(out[0], b'r')
        assert out[1].startswith(b'h') and b'550 5.1.1' in out[1], out
        eq(out[2], b'r')
        assert out[3].startswith(b'K'), out
        for u in ('joe', 'kim'):
            got = dv.mails(u)
            assert b'hello dovecot\n.dot line\n' in got and b'Subject: to the store' in got, got
            eq(got.count(b'hello dovecot'), 1, 'one copy for ' + u)
    with_dovecot(h, run)


def test_lmtp_tcp_and_quota_permanent(h):
    def run(dv):
        h.control('lmtproutes', 'store.test:127.0.0.1:%d\n' % dv.port)
        out = remote(h, 'store.test', ['joe@store.test'], MSG)
        eq(out, [b'r', out[1]])
        assert out[1].startswith(b'K')
        big = b'Subject: big\n\n' + b'z' * 5000 + b'\n'
        out = remote(h, 'store.test', ['joe@store.test', 'kim@store.test'], big)
        assert out[0].startswith(b'h') and b'552' in out[0], out     # over quota: Dovecot says permanent
        assert out[1].startswith(b'h'), out
        assert out[2].startswith(b'D'), out
        assert b'zzzz' not in dv.mails('joe')
    with_dovecot(h, run)


def test_lmtp_quota_tempfail(h):
    def run(dv):
        h.control('lmtproutes', 'store.test:%s\n' % dv.socket)
        big = b'Subject: big\n\n' + b'z' * 5000 + b'\n'
        out = remote(h, 'store.test', ['joe@store.test'], big)
        assert out[0].startswith(b's') and b'452' in out[0], out     # quota_full_tempfail: temporary
        assert out[1].startswith(b'Z'), out
    with_dovecot(h, run, tempfail=True)


def test_lmtp_store_down_is_temporary(h):
    h.control('lmtproutes', 'store.test:%s\n' % os.path.join(h.path, 'no-such-socket'))
    out = remote(h, 'store.test', ['joe@store.test'], MSG)
    eq(len(out), 1)
    assert out[0].startswith(b'Z'), out
    h.control('lmtproutes', 'store.test:not an address\n')
    out = remote(h, 'store.test', ['joe@store.test'], MSG)
    assert out[0].startswith(b'Z') and b'lmtproutes' in out[0], out
