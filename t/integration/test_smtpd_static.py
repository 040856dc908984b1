"""qmail-smtpd is static-pie by default; when nsswitch.conf's passwd line names sources
beyond /etc/passwd (or systemd while homed runs) it execs its dynamic twin qmail-smtpd-nss.
The machine's /etc/nsswitch.conf and /run/systemd are never touched: each server runs in a
private mount namespace (unshare -m) with fakes bind-mounted over them, seen by nothing else."""

import os
import struct

from nqtest import eq, wait_for, tcprules, uid_of, gid_of, TEST_ME
from pop3test import SystemUser
from test_smtpd import Client, log_has
from test_smtpd_rcpt import newrcpt

PT_INTERP = 3
FILES_ONLY = '# comment\npasswd:\tfiles systemd [NOTFOUND=return]\ngroup: files ldap\nhosts: files dns\n'


def has_interp(path):
    """True when the ELF file asks for a dynamic loader (a PT_INTERP program header)."""
    with open(path, 'rb') as f:
        data = f.read(1 << 16)
    assert data[:4] == b'\x7fELF' and data[4] == 2, path + ' is not a 64-bit ELF file'
    eq(struct.unpack_from('<H', data, 0x10)[0], 3, path + ' is position independent (ET_DYN: ASLR kept)')
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    return any(struct.unpack_from('<I', data, phoff + i * phentsize)[0] == PT_INTERP for i in range(phnum))


def serve(h, nsswitch, homed=False, twin=True, listen=False):
    """qmail-smtpd (under tcpserver as qmaild, or its own -L listener) in a mount namespace
    where /etc/nsswitch.conf reads nsswitch and, with homed, systemd-homed's socket exists;
    twin=False puts /dev/null over bin/qmail-smtpd-nss (its exec fails). Returns the port."""
    fake = os.path.join(h.path, 'tmp', 'nsswitch.conf')
    with open(fake, 'w') as f:
        f.write(nsswitch)
    os.chmod(fake, 0o644)
    script = 'set -e\nmount --bind "$1" /etc/nsswitch.conf\n'
    if homed:
        script += ('mount -t tmpfs tmpfs /run/systemd\nmkdir /run/systemd/userdb\n'
                   ': > /run/systemd/userdb/io.systemd.Home\n')
    if not twin:
        script += 'mount --bind /dev/null "%s"\n' % h.bin('qmail-smtpd-nss')
    script += 'shift\nexec "$@"\n'
    cdb = tcprules(os.path.join(h.path, 'tcp.smtp'), ':allow\n')
    if listen:
        prog = [h.bin('qmail-smtpd'), '-L', '-l', TEST_ME, '-x', cdb]
    else:
        prog = ['tcpserver', '-v', '-R', '-H', '-l', TEST_ME, '-u', str(uid_of('qmaild')),
                '-g', str(gid_of('nofiles')), '-x', cdb]
    tail = [] if listen else [h.bin('qmail-smtpd')]
    return h._serve(lambda port: ['unshare', '-m', 'sh', '-c', script, 'sh', fake] + prog
                    + ['127.0.0.1', str(port)] + tail, 'smtpd', None, '127.0.0.1')


def greeted(port):
    c = Client(port)
    code, lines = c.reply()
    eq(code, 220, 'greeting %r' % lines)
    return c


def serving(h, name):
    """The pids running bin/name, once there is one."""
    return wait_for(lambda: h.pids_under(name), 5, 'a process running ' + name)


def no_static(h, what):
    """Until none runs bin/qmail-smtpd: the server's probe connection (_serve) may be
    caught between tcpserver's exec and its own exec of the twin; ours stays open."""
    wait_for(lambda: not h.pids_under('qmail-smtpd'), 5, 'no static qmail-smtpd: ' + what)


def rcpt_check(h, c, su):
    c.expect(b'EHLO client.test', 250)
    c.expect(b'MAIL FROM:<x@example.org>', 250)
    eq(c.cmd(('RCPT TO:<%s@%s>' % (su.name, TEST_ME)).encode())[0], 250, 'a user of /etc/passwd')
    eq(c.cmd(('RCPT TO:<%s-nope@%s>' % (su.name, TEST_ME)).encode())[0], 550, 'an extension it lacks')
    eq(c.cmd(('RCPT TO:<nosuchname@%s>' % TEST_ME).encode())[0], 550, 'nobody')
    c.expect(b'QUIT', 221)


def test_installed_qmail_smtpd_is_static_and_its_twin_dynamic(h):
    assert not has_interp(h.bin('qmail-smtpd')), 'qmail-smtpd asks for a dynamic loader'
    assert has_interp(h.bin('qmail-smtpd-nss')), 'qmail-smtpd-nss is not dynamic'


def test_files_only_stays_static_and_checks_passwd_users(h):
    su = SystemUser(h)
    try:
        h.control('rcptcheck', None)   # the default: on
        newrcpt(h)
        c = greeted(serve(h, FILES_ONLY))
        serving(h, 'qmail-smtpd')
        eq(h.pids_under('qmail-smtpd-nss'), [], 'the twin with files and systemd but no homed')
        rcpt_check(h, c, su)
        c.close()
    finally:
        su.remove()


def test_ldap_execs_the_nss_twin(h):
    su = SystemUser(h)
    try:
        h.control('rcptcheck', None)
        newrcpt(h)
        c = greeted(serve(h, 'passwd: files ldap\n'))
        serving(h, 'qmail-smtpd-nss')
        no_static(h, 'ldap')
        rcpt_check(h, c, su)   # the twin's getpwnam: files, then a missing libnss_ldap skipped
        c.close()
    finally:
        su.remove()


def test_homed_or_compat_execs_the_twin(h):
    for conf, homed in ((FILES_ONLY, True), ('passwd: compat\n', False), ('passwd: files sss # x\n', False)):
        c = greeted(serve(h, conf, homed=homed))
        serving(h, 'qmail-smtpd-nss')
        no_static(h, conf)
        c.close()
        h.server.kill()
        h.server.wait()


def test_listener_execs_the_twin_once(h):
    port = serve(h, 'passwd: files [NOTFOUND=return] winbind\n', listen=True)
    (listener,) = serving(h, 'qmail-smtpd-nss')
    c = greeted(port)
    c.expect(b'QUIT', 221)
    c.close()
    no_static(h, 'the listener or its children')
    eq(os.readlink('/proc/%d/exe' % listener), h.bin('qmail-smtpd-nss'), 'the listener itself is the twin')


def test_failed_exec_of_the_twin_is_a_temporary_error(h):
    port = serve(h, 'passwd: files ldap\n', twin=False)
    c = Client(port)
    code, lines = c.reply()
    eq(code, 421, 'greeting %r' % lines)
    eq(lines, [b'421 4.3.0 unable to start qmail-smtpd-nss, try again later'])
    assert c.eof()
    c.close()
    wait_for(lambda: log_has(h, r'qmail-smtpd: fatal: nsswitch.conf lists passwd sources beyond /etc/passwd, '
                             r'and exec of \S+/bin/qmail-smtpd-nss failed: '), 5, 'the reason in the log')
