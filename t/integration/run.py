#!/usr/bin/python3
"""Integration test runner: builds and installs nqmail under a temporary conf-home,
then runs every test_*(h) function of t/integration/test_*.py with a fresh Home.
Ends with the line "N passed, N failed"."""

import argparse
import glob
import hashlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'lib'))
import nqtest  # noqa: E402

TEST_TIMEOUT = 180


class Timeout(Exception):
    pass


def on_alarm(sig, frame):
    raise Timeout('test took longer than %ds' % TEST_TIMEOUT)


def build(src, builddir):
    """Build with QHOME under /tmp (reachable by the qmail users) and install there."""
    tag = hashlib.sha1(os.path.abspath(builddir).encode()).hexdigest()[:10]
    top = '/tmp/nqit-' + tag
    qhome = top + '/home'
    os.makedirs(top, exist_ok=True)
    os.chmod(top, 0o755)
    # a fresh conf-home each run: install refuses parts a run of older code left behind
    shutil.rmtree(qhome, ignore_errors=True)
    jobs = str(os.cpu_count() or 2)
    cmd = ['make', '-s', '--no-print-directory', '-j' + jobs, 'O=' + builddir, 'QHOME=' + qhome, 'install']
    r = subprocess.run(cmd, cwd=src)
    if r.returncode:
        sys.exit('integration: build/install failed: ' + ' '.join(cmd))
    return qhome


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--src', default='.')
    ap.add_argument('--build', required=True)
    ap.add_argument('--counts')
    ap.add_argument('-k', default='', help='run only tests whose file::name contains this')
    a = ap.parse_args()
    src = os.path.abspath(a.src)
    builddir = os.path.abspath(a.build)
    if os.getuid() != 0:
        sys.exit('integration: the tests run as root (they start qmail-start and switch users)')
    qhome = build(src, builddir)
    h = nqtest.Home(qhome, src, builddir)
    passed = failed = 0
    signal.signal(signal.SIGALRM, on_alarm)
    files = sorted(glob.glob(os.path.join(HERE, 'test_*.py')))
    for path in files:
        modname = os.path.basename(path)[:-3]
        spec = importlib.util.spec_from_file_location(modname, path)
        mod = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(mod)
        except Exception:
            failed += 1
            print('not ok - %s: import failed' % modname)
            traceback.print_exc(file=sys.stdout)
            continue
        tests = [n for n in dir(mod) if n.startswith('test_') and callable(getattr(mod, n))]
        tests.sort(key=lambda n: getattr(mod, n).__code__.co_firstlineno)
        for name in tests:
            label = '%s::%s' % (modname, name)
            if a.k and a.k not in label:
                continue
            t0 = time.monotonic()
            ok = True
            try:
                h.reset()
                signal.alarm(TEST_TIMEOUT)
                getattr(mod, name)(h)
            except BaseException as e:  # noqa: B902 - a test may raise anything
                if isinstance(e, KeyboardInterrupt):
                    raise
                ok = False
                print('not ok - %s (%.1fs)' % (label, time.monotonic() - t0))
                for line in traceback.format_exc().splitlines():
                    print('    ' + line)
                for log in ('send', 'smtpd'):
                    text = h.read_log(log)
                    if text:
                        print('    --- last lines of log/%s:' % log)
                        for line in text.splitlines()[-15:]:
                            print('    | ' + line)
            finally:
                signal.alarm(0)
                try:
                    h.kill_all()
                except Exception:
                    pass
            if ok:
                passed += 1
                print('ok - %s (%.1fs)' % (label, time.monotonic() - t0))
            else:
                failed += 1
            sys.stdout.flush()
    if a.counts:
        with open(a.counts, 'a') as f:
            f.write('%d %d\n' % (passed, failed))
    print('integration: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
