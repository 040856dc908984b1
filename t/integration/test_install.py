"""make install: qmail's owners and modes, DESTDIR, and a second install that keeps
the queue; an installer that root may run into a directory others can write (issue 6):
a conf-home, a part of it or an ancestor that others own or could change is refused,
files are made afresh, never written through; a new QHOME rebuilds. Uses the build of
this test run (h.build), or a copy of it when QHOME changes."""

import os
import pwd
import grp
import shutil
import stat
import subprocess
import tempfile

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


NOBODY = 'nobody'


def make_env():
    env = dict(os.environ)
    for k in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL'):
        env.pop(k, None)
    return env


def make(h, target, qhome, build=None, destdir=''):
    return subprocess.run(['make', '-s', '--no-print-directory', '-j2', 'O=' + (build or h.build),
                           'QHOME=' + qhome, 'DESTDIR=' + destdir, target],
                          cwd=h.src, capture_output=True, env=make_env(), timeout=170)


def out(r):
    return (r.stdout + r.stderr).decode('utf-8', 'replace')


def scratch():
    """A root-owned directory under /tmp, outside h.path."""
    d = tempfile.mkdtemp(prefix='nqinst-', dir='/tmp')
    os.chmod(d, 0o755)
    return d


def refused(r, path, why):
    assert r.returncode != 0, 'install should have refused: ' + out(r)
    assert 'refusing %s: %s' % (path, why) in out(r), out(r)


def test_install_refuses_a_user_owned_conf_home(h):
    """`make run QHOME=/tmp/...` when a user made that directory first: refused, named, and
    nothing installed into it (the copy of the build is rebuilt for this QHOME)."""
    top = scratch()
    qhome = tempfile.mkdtemp(prefix='nqinst-user-', dir='/tmp')
    os.chown(qhome, pwd.getpwnam(NOBODY).pw_uid, -1)
    try:
        shutil.copytree(h.build, top + '/build', symlinks=True)
        r = make(h, 'run', qhome, build=top + '/build')
        refused(r, qhome, 'it is owned by nobody (uid %d); install makes it owned by root' % pwd.getpwnam(NOBODY).pw_uid)
        eq(os.listdir(qhome), [], 'nothing installed into the refused conf-home')
    finally:
        subprocess.run(['sh', 'scripts/stop.sh', qhome], cwd=h.src, capture_output=True, timeout=90)
        shutil.rmtree(top, ignore_errors=True)
        shutil.rmtree(qhome, ignore_errors=True)


def test_install_checks_the_ancestors(h):
    top = scratch()
    try:
        os.makedirs(top + '/mine')
        os.chown(top + '/mine', pwd.getpwnam(NOBODY).pw_uid, -1)
        r = make(h, 'install', h.path, destdir=top + '/mine')
        refused(r, top + '/mine', 'it is above conf-home and owned by nobody')
        os.makedirs(top + '/shared')
        os.chmod(top + '/shared', 0o777)
        r = make(h, 'install', h.path, destdir=top + '/shared')
        refused(r, top + '/shared', 'it is above conf-home and writable by group or others (mode 0777) without the sticky bit')
        eq(os.listdir(top + '/shared'), [], 'nothing made below a refused ancestor')
        # sticky and world-writable, like /tmp: conf-home made in it by root is fine
        os.makedirs(top + '/sticky')
        os.chmod(top + '/sticky', 0o1777)
        r = make(h, 'install', h.path, destdir=top + '/sticky')
        eq(r.returncode, 0, out(r))
        # a link above conf-home that a user owns could be pointed elsewhere
        os.symlink(top + '/sticky', top + '/link')
        os.lchown(top + '/link', pwd.getpwnam(NOBODY).pw_uid, -1)
        r = make(h, 'install', h.path, destdir=top + '/link')
        refused(r, top + '/link', 'it is a symbolic link above conf-home owned by nobody')
        os.lchown(top + '/link', 0, 0)
        r = make(h, 'install', h.path, destdir=top + '/link')
        eq(r.returncode, 0, 'a link root owns is followed: ' + out(r))
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_install_refuses_foreign_parts(h):
    """A part of conf-home with an owner, mode or type install would not give it."""
    top = scratch()
    root = top + h.path
    try:
        r = make(h, 'install', h.path, destdir=top)
        eq(r.returncode, 0, out(r))
        os.chmod(root + '/bin', 0o777)
        refused(make(h, 'install', h.path, destdir=top), root + '/bin',
                'its mode 0777 lets group or others write; install makes it 0755')
        os.chmod(root + '/bin', 0o755)
        os.chown(root + '/queue/mess', pwd.getpwnam(NOBODY).pw_uid, -1)
        refused(make(h, 'install', h.path, destdir=top), root + '/queue/mess', 'it is owned by nobody')
        os.chown(root + '/queue/mess', pwd.getpwnam('qmailq').pw_uid, -1)
        # a symbolic link in place of a directory: refused, and nothing written where it points
        elsewhere = top + '/elsewhere'
        os.makedirs(elsewhere)
        shutil.rmtree(root + '/services')
        os.symlink(elsewhere, root + '/services')
        refused(make(h, 'install', h.path, destdir=top), root + '/services',
                'it is a symbolic link; install makes a directory here')
        eq(os.listdir(elsewhere), [], 'nothing written through the link')
        os.unlink(root + '/services')
        os.unlink(root + '/queue/lock/trigger')
        os.symlink('/etc/passwd', root + '/queue/lock/trigger')
        refused(make(h, 'install', h.path, destdir=top), root + '/queue/lock/trigger',
                'it is a symbolic link; install makes a fifo here')
        eq(os.stat('/etc/passwd').st_uid, 0, '/etc/passwd untouched')
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_install_makes_files_afresh(h):
    """A user's bin/.qmail-lspawn.new, held open for writing (the attack on the old
    installer, which copied into that inode): the installed program is a new inode the
    user cannot write, and what the user writes later does not reach it."""
    top = scratch()
    root = top + h.path
    planted = root + '/bin/.qmail-lspawn.new'
    holder = None
    try:
        os.makedirs(root + '/bin')
        for d in (top, root + '/bin'):
            for dirpath, dirs, files in os.walk(d):
                os.chmod(dirpath, 0o755)
        p = root
        while p != top:
            os.chmod(p, 0o755)
            p = os.path.dirname(p)
        with open(planted, 'wb'):
            pass
        os.chown(planted, pwd.getpwnam(NOBODY).pw_uid, -1)
        os.chmod(planted, 0o666)
        holder = subprocess.Popen(h._argv(['/usr/bin/python3', '-c',
                                           'import sys; f = open(sys.argv[1], "ab", 0); print("open", flush=True); '
                                           'sys.stdin.readline(); f.write(b"#appended"); print("done", flush=True)',
                                           planted], NOBODY),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        eq(holder.stdout.readline(), b'open\n', 'the planted file held open')
        r = make(h, 'install', h.path, destdir=top)
        eq(r.returncode, 0, out(r))
        holder.stdin.write(b'go\n')
        holder.stdin.flush()
        eq(holder.stdout.readline(), b'done\n', 'the holder wrote')
        inst = os.lstat(root + '/bin/qmail-lspawn')
        assert inst.st_ino != os.lstat(planted).st_ino, 'qmail-lspawn is the planted inode'
        eq((inst.st_uid, stat.S_IMODE(inst.st_mode)), (0, 0o755), 'qmail-lspawn owner and mode')
        with open(root + '/bin/qmail-lspawn', 'rb') as f, open(h.build + '/bin/qmail-lspawn', 'rb') as g:
            assert f.read() == g.read(), 'the installed qmail-lspawn is not the built one'
        eq(open(planted, 'rb').read(), b'#appended', 'the planted file got nothing from install')
        r = h.run(['sh', '-c', 'echo x >> "$0"', root + '/bin/qmail-lspawn'], user=NOBODY)
        assert r.returncode != 0, 'nobody could write the installed qmail-lspawn'
    finally:
        if holder:
            holder.kill()
            holder.wait()
        shutil.rmtree(top, ignore_errors=True)


def test_setup_home_refuses_planted_files(h):
    """setup-home keeps only what it could have made: a users/cdb (it picks delivery
    users), a control file or an alias .qmail that someone else owns or may write."""
    def setup_home():
        return subprocess.run(['sh', 'scripts/setup-home.sh', h.path, str(SPLIT), h.build],
                              cwd=h.src, capture_output=True)
    nobody = pwd.getpwnam(NOBODY).pw_uid
    cases = (('users/cdb', nobody, 0o644, 'it is owned by nobody'),
             ('control/locals', 0, 0o666, 'its mode 0666 lets group or others write; install makes it 0644'),
             ('alias/.qmail-root', nobody, 0o644, 'it is owned by nobody'),
             ('alias/.qmail-owner', 0, 0o664, 'its mode 0664 lets group or others write'))
    for rel, uid, mode, why in cases:
        p = os.path.join(h.path, rel)
        with open(p, 'w') as f:
            f.write('planted\n')
        os.chown(p, uid, -1)
        os.chmod(p, mode)
        refused(setup_home(), p, why)
        os.unlink(p)
    os.chown(h.path + '/users', nobody, -1)
    refused(setup_home(), h.path + '/users', 'it is owned by nobody')
    os.chown(h.path + '/users', 0, -1)
    os.symlink('/etc/passwd', h.path + '/control/rcpthosts.new')
    refused(setup_home(), h.path + '/control/rcpthosts.new', 'it is a symbolic link')
    os.unlink(h.path + '/control/rcpthosts.new')
    r = setup_home()
    eq(r.returncode, 0, out(r))


def tree(top):
    """path -> (inode, mtime) of everything below top."""
    seen = {}
    for dirpath, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            seen[p] = (st.st_ino, st.st_mtime_ns)
    return seen


def test_new_qhome_rebuilds(h):
    """A build for one conf-home (h.path), then `make setup` for another: every installed
    program names the second and none the first, and nothing of the first is touched."""
    top = scratch()
    qhome = top + '/home'
    try:
        shutil.copytree(h.build, top + '/build', symlinks=True)
        before = tree(h.path)
        r = make(h, 'setup', qhome, build=top + '/build')
        eq(r.returncode, 0, out(r))
        old, new = h.path.encode(), qhome.encode()
        naming = []
        for name in os.listdir(qhome + '/bin'):
            with open(os.path.join(qhome, 'bin', name), 'rb') as f:
                data = f.read()
            assert old not in data, '%s names the first conf-home %s' % (name, h.path)
            if new in data:
                naming.append(name)
        for name in ('qmail-queue', 'qmail-lspawn', 'qmail-send', 'qmail-start', 'qmail-smtpd'):
            assert name in naming, '%s does not name %s' % (name, qhome)
        for dirpath, dirs, files in os.walk(qhome):
            for n in files:
                if not stat.S_ISREG(os.lstat(os.path.join(dirpath, n)).st_mode):
                    continue
                with open(os.path.join(dirpath, n), 'rb') as f:
                    assert old not in f.read(), os.path.join(dirpath, n) + ' names the first conf-home'
        eq(tree(h.path), before, 'the first conf-home after installing the second')
    finally:
        shutil.rmtree(top, ignore_errors=True)


def control_files(h):
    """The control files qmail-control(5) describes (each a .TP entry)."""
    lines = open(os.path.join(h.src, 'man', 'qmail-control.5')).read().split('\n')
    # ".B name" or ".B name1, name2": every name (files under other directories excepted)
    return [n.rstrip(',') for i in range(len(lines) - 1)
            if lines[i] == '.TP' and lines[i + 1].startswith('.B ') and '/' not in lines[i + 1]
            for n in lines[i + 1].split()[1:]]


def test_control_examples_and_defaults(h):
    """control/examples: one for every control file, installed as documentation to
    doc/control (all comment lines, never into control/); control/defaults: copied by
    setup-home unless the admin has their own."""
    names = control_files(h)
    assert len(names) > 20, names
    for n in names:
        p = os.path.join(h.src, 'control', 'examples', n)
        assert os.path.isfile(p), 'no example for control/' + n
        text = open(p).read()
        assert all(line.startswith('#') for line in text.splitlines()), 'control/examples/%s: a line that is not a comment' % n
        assert '# Example:' in text, p
        eq(open(os.path.join(h.path, 'doc', 'control', n)).read(), text, 'doc/control/' + n)
        assert not os.path.exists(os.path.join(h.path, 'control', n + '.example'))
    eq(sorted(os.listdir(os.path.join(h.src, 'control', 'examples'))), sorted(names), 'examples without a control file')
    for n in os.listdir(os.path.join(h.src, 'control', 'defaults')):
        eq(open(os.path.join(h.path, 'control', n)).read(), open(os.path.join(h.src, 'control', 'defaults', n)).read(), n)
    h.control('defaultdelivery', './Mailbox\n')
    r = subprocess.run(['sh', 'scripts/setup-home.sh', h.path, str(SPLIT), h.build], cwd=h.src, capture_output=True)
    eq(r.returncode, 0, out(r))
    eq(open(os.path.join(h.path, 'control', 'defaultdelivery')).read(), './Mailbox\n', "the admin's defaultdelivery")


def test_systemd_unit(h):
    """boot/nqmail.service goes to UNITDIR for the conf-home of conf-home, not for a QHOME
    given on the command line (a test or trial instance); it is never enabled."""
    top = scratch()
    try:
        shutil.copytree(h.build, top + '/build', symlinks=True)
        conf_home = open(os.path.join(h.src, 'conf-home')).readline().strip()
        r = subprocess.run(['make', '-s', '--no-print-directory', '-j2', 'O=' + top + '/build',
                            'DESTDIR=' + top + '/dest', 'UNITDIR=/etc/systemd/system', 'install'],
                           cwd=h.src, capture_output=True, env=make_env(), timeout=170)
        eq(r.returncode, 0, out(r))
        unit = open(top + '/dest/etc/systemd/system/nqmail.service').read()
        assert 'ExecStart=/usr/bin/s6-svscan %s/service-scan\n' % conf_home in unit, unit
        assert 'QHOME' not in unit, unit
        eq(open(top + '/dest' + conf_home + '/boot/nqmail.service').read(), unit, 'the unit in boot/')
        assert not os.path.exists(top + '/dest/etc/systemd/system/multi-user.target.wants'), 'enabled'
        r = make(h, 'install', h.path, destdir=top + '/dest2')
        eq(r.returncode, 0, out(r))
        assert not os.path.exists(top + '/dest2/etc'), 'a unit for a QHOME given on the command line'
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_users_from_conf_users(h):
    """run.sh and the service run scripts take qmaild and qmaill from conf-users: the
    installed scripts name them, and no script names them itself."""
    users = open(os.path.join(h.src, 'conf-users')).read().split()
    for s in ('qmail-send/log/run', 'qmail-smtpd/log/run'):
        text = open(os.path.join(h.path, 'services', s)).read()
        assert 's6-setuidgid %s ' % users[2] in text and 'QMAILL' not in text and 'QHOME' not in text, text
    text = open(os.path.join(h.path, 'services', 'qmail-smtpd', 'run')).read()
    # tcpserver starts qmail-smtpd as root (for the TLS key); it becomes conf-users' qmaild itself
    assert 'QMAILD' not in text and 'qmail-smtpd' in text, text
    for f in ['scripts/run.sh'] + [os.path.join('services', d, x) for d in os.listdir(os.path.join(h.src, 'services'))
                                   for x in ('run', 'log/run')]:
        for line in open(os.path.join(h.src, f)):
            if not line.lstrip().startswith('#'):
                assert 'qmaild' not in line and 'qmaill' not in line, '%s names a user itself: %s' % (f, line)
