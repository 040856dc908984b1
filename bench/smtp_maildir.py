#!/usr/bin/python3
"""Messages per second from N concurrent SMTP clients into one Maildir, end to end,
on an nqmail installed under a temporary conf-home. Also flushes per message."""

import argparse
import os
import smtplib
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 't', 'lib'))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 't', 'integration'))
import nqtest  # noqa: E402
from run import build  # noqa: E402
from test_e2e import flushes  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--msgs', type=int, default=2000)
    ap.add_argument('--clients', type=int, default=20)
    ap.add_argument('--size', type=int, default=4096)
    a = ap.parse_args()
    src = os.path.abspath('.')
    h = nqtest.Home(build(src, os.path.abspath('build-bench')), src)
    h.reset()
    h.control('concurrencylocal', '20\n')
    md = h.add_user('bench')
    h.start_send()
    port = h.smtpd(args=['-c', str(a.clients + 5)])
    body = ('Subject: bench\r\n\r\n' + ('x' * 76 + '\r\n') * (a.size // 78)).encode()
    per = a.msgs // a.clients
    total = per * a.clients
    f0, t0 = flushes(), time.monotonic()

    def client():
        s = smtplib.SMTP('127.0.0.1', port, timeout=120)
        for _ in range(per):
            s.sendmail('b@example.org', ['bench@' + nqtest.TEST_ME], body)
        s.quit()
    ts = [threading.Thread(target=client) for _ in range(a.clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    t1 = time.monotonic()
    nqtest.wait_for(lambda: len(os.listdir(md + 'new')) >= total, 600, 'all deliveries')
    t2 = time.monotonic()
    f = flushes() - f0
    print('nqmail: %d msgs of %d bytes, %d clients: accepted in %.2fs (%.0f/s), delivered in %.2fs (%.0f/s), '
          '%.1f device flushes per message' % (total, len(body), a.clients, t1 - t0, total / (t1 - t0),
                                               t2 - t0, total / (t2 - t0), f / total))
    h.stop_send()
    h.kill_all()


if __name__ == '__main__':
    main()
