"""make install: qmail's owners and modes, DESTDIR, and a second install that keeps
the queue. Uses the build of this test run (h.build), so nothing is rebuilt."""

import os
import pwd
import grp
import shutil
import stat
import subprocess

from nqtest import eq, SPLIT


def install(h, destdir):
    r = subprocess.run(['make', '-s', '--no-print-directory', 'O=' + h.build,
                        'QHOME=' + h.path, 'DESTDIR=' + destdir, 'install'],
                       cwd=h.src, capture_output=True)
    eq(r.returncode, 0, 'make install: %r' % r.stderr[-2000:])
    return destdir + h.path


def owner_mode(path):
    st = os.lstat(path)
    return (pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name, stat.S_IMODE(st.st_mode))


def test_install_owners_and_modes_with_destdir(h):
    dest = os.path.join(h.path, 'tmp', 'dest')
    try:
        root = install(h, dest)
        eq(owner_mode(root + '/bin/qmail-queue'), ('qmailq', 'qmail', 0o4711), 'qmail-queue')
        for p in os.listdir(root + '/bin'):
            if p != 'qmail-queue':
                eq(owner_mode(root + '/bin/' + p)[2] & 0o6000, 0, p + ' is not set-uid or set-gid')
        eq(owner_mode(root + '/bin/qmail-send'), ('root', 'qmail', 0o755), 'qmail-send')
        q = root + '/queue'
        eq(owner_mode(q), ('qmailq', 'qmail', 0o750), 'queue')
        eq(owner_mode(q + '/pid'), ('qmailq', 'qmail', 0o700), 'pid')
        eq(owner_mode(q + '/bounce'), ('qmails', 'qmail', 0o700), 'bounce')
        for d, o, m in (('mess', 'qmailq', 0o750), ('todo', 'qmailq', 0o750), ('intd', 'qmailq', 0o700),
                        ('info', 'qmails', 0o700), ('local', 'qmails', 0o700), ('remote', 'qmails', 0o700)):
            eq(owner_mode(q + '/' + d), (o, 'qmail', m), d)
            eq(sorted(os.listdir(q + '/' + d), key=int), [str(i) for i in range(SPLIT)], d + ' buckets')
            eq(owner_mode('%s/%s/%d' % (q, d, SPLIT - 1)), (o, 'qmail', m), d + ' bucket')
        assert stat.S_ISFIFO(os.lstat(q + '/lock/trigger').st_mode)
        eq(owner_mode(q + '/lock/trigger'), ('qmails', 'qmail', 0o622), 'trigger')
        eq(owner_mode(q + '/lock/sendmutex'), ('qmails', 'qmail', 0o600), 'sendmutex')
        eq(owner_mode(root + '/alias'), ('alias', 'qmail', 0o2755), 'alias home')
        assert os.path.exists(root + '/man/man8/qmail-queue.8')
        assert os.path.exists(root + '/services/qmail-send/run')
        # a second install keeps what is queued
        keep = q + '/mess/3/3'
        with open(keep, 'w') as f:
            f.write('queued')
        install(h, dest)
        eq(open(keep).read(), 'queued', 'queue content after a second install')
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def readable_copy(src, dst):
    """A world-readable copy (mtimes kept, so make rebuilds nothing): the checkout and
    the build may sit under a directory only root can enter."""
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns('.git', 'build*'))
    for root, dirs, files in os.walk(dst):
        os.chmod(root, 0o755)
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o444)


def test_install_as_user_needs_no_root(h):
    """A DESTDIR install by an ordinary user (a packager) gets the modes alone, from a
    build tree the user may only read."""
    top = os.path.join(h.path, 'tmp', 'usertree')
    dest = os.path.join(h.path, 'tmp', 'userdest')
    readable_copy(h.src, top + '/src')
    readable_copy(h.build, top + '/build')
    os.chmod(top, 0o755)
    os.makedirs(dest)
    os.chown(dest, pwd.getpwnam('nobody').pw_uid, -1)
    try:
        r = h.run(['make', '-s', '--no-print-directory', 'O=' + top + '/build', 'QHOME=' + h.path,
                   'DESTDIR=' + dest, 'install'], user='nobody', cwd=top + '/src',
                  env={'HOME': '/tmp'})
        eq(r.returncode, 0, 'make install as nobody: %r' % r.stderr[-2000:])
        root = dest + h.path
        eq(stat.S_IMODE(os.lstat(root + '/bin/qmail-queue').st_mode), 0o4711)
        eq(os.lstat(root + '/bin/qmail-queue').st_uid, pwd.getpwnam('nobody').pw_uid)
    finally:
        shutil.rmtree(dest, ignore_errors=True)
        shutil.rmtree(top, ignore_errors=True)
