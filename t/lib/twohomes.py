"""twohomes: a second nqmail installation beside the test's Home, for tests where
two hosts talk (a mini-qmail client and its hub, hub to hub). Its programs are the
test build relinked with another QHOME: the build directory is copied once (objects
kept, mtimes kept), so only auto_home.c is recompiled and the programs relinked."""

import os
import shutil
import subprocess

import nqtest


def second_home(h):
    """A fresh Home at <h.path>2, installed from <h.build>-2. Its processes are
    not h's: call kill_all() on it at the end of the test (use with_second)."""
    if not h.build:
        raise nqtest.TestFailure('second_home needs the build directory of the first Home')
    build2 = h.build.rstrip('/') + '-2'
    path2 = h.path.rstrip('/') + '2'
    if not os.path.isdir(build2):
        shutil.copytree(h.build, build2, symlinks=True, copy_function=shutil.copy2)
    # auto_home.c/.o, libnq.a and the programs are remade from QHOME when missing (under
    # .SECONDARY make remakes neither a present auto_home.c nor a missing one while the
    # programs are newer than the sources)
    ah = os.path.join(build2, 'lib', 'auto_home.c')
    stale = not os.path.exists(ah)
    if not stale:
        with open(ah) as f:
            stale = '"%s"' % path2 not in f.read()
    if stale:
        for p in (ah, ah[:-1] + 'o', os.path.join(build2, 'libnq.a')):
            if os.path.exists(p):
                os.unlink(p)
        shutil.rmtree(os.path.join(build2, 'bin'), ignore_errors=True)
    r = subprocess.run(['make', '-s', '--no-print-directory', '-j2', 'O=' + build2, 'QHOME=' + path2, 'install'],
                       cwd=h.src, capture_output=True, timeout=600)
    if r.returncode:
        raise nqtest.TestFailure('second installation failed: %r' % (r.stdout + r.stderr))
    h2 = nqtest.Home(path2, h.src, build2)
    h2.reset()
    return h2


def with_second(h, fn):
    """Run fn(h2) with a second Home; its processes are killed afterwards."""
    h2 = second_home(h)
    try:
        return fn(h2)
    finally:
        h2.kill_all()
