#!/usr/bin/python3
"""bench/pop3_big.py: qmail-pop3d's peak memory (VmHWM) and time for STAT, LIST and RETR
on a 2,000-message Maildir plus one 50 MB message. Printed, never asserted
(t/integration/test_pop3_big.py checks that it works). Run: /usr/bin/python3 bench/pop3_big.py (as root, from the top directory)"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 't', 'lib'))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 't', 'integration'))
import nqtest  # noqa: E402
import pop3test  # noqa: E402
from run import build  # noqa: E402


def hwm(pid):
    for ln in open('/proc/%d/status' % pid):
        if ln.startswith('VmHWM:'):
            return ln.split()[1] + ' kB'
    return '?'


def main():
    src = os.path.abspath('.')
    h = nqtest.Home(build(src, os.path.abspath('build-bench')), src)
    h.reset()
    u = pop3test.SystemUser(h)
    try:
        for i in range(2000):
            pop3test.put_message(u.maildir, '%d.M%dP1.big' % (100000 + i, i), b'Subject: %d\n\nsmall\n' % i,
                                 u.uid, u.gid, mtime=10000 + i)
        line = b'x' * 77 + b'\n'
        pop3test.put_message(u.maildir, '999999.M1P1.big', b'Subject: big\n\n' + line * (50 * 1024 * 1024 // 78),
                             u.uid, u.gid, mtime=20000)
        port = pop3test.pop3d(h)
        t0 = time.monotonic()
        c = pop3test.login(port, u.name, u.password)
        pid = nqtest.wait_for(lambda: h.pid_of('qmail-pop3d'), 10, 'qmail-pop3d')
        t_login = time.monotonic() - t0
        c.cmd('STAT')
        c.send(b'LIST\r\n')
        c.line()
        c.multi()
        after_list = hwm(pid)
        t0 = time.monotonic()
        c.cmd('RETR 2001')
        n = len(c.multi())
        t_retr = time.monotonic() - t0
        print('pop3: 2,001 messages (one of 50 MB): login+scan %.2fs, RETR of %d bytes %.2fs' % (t_login, n, t_retr))
        print('pop3: qmail-pop3d peak memory (VmHWM): %s after LIST, %s after the 50 MB RETR' % (after_list, hwm(pid)))
        c.cmd('QUIT')
    finally:
        h.kill_all()
        u.remove()


if __name__ == '__main__':
    main()
