"""Resource errors and crashes of the queue daemons (issue 12, points 2-4): a killed
qmail-start, a lost qmail-clean, failed preprocessing, and errors injected by strace."""

import os
import re
import signal
import subprocess

from nqtest import eq, wait_for, TestFailure, TEST_ME, queue
from test_send import msg, tags_in, assert_queue_empty


def test_sigkill_of_qmail_start_ends_every_daemon(h):
    """qmail-start is what supervision sees: its SIGKILL ends the daemons at once, so
    no orphan holds lock/sendmutex and a restart works."""
    md = h.add_user('joe')
    p = h.start_send()
    os.kill(p.pid, signal.SIGKILL)
    p.wait(5)
    h.send = None
    try:
        wait_for(lambda: not h.pids_under(), 5, 'the daemons to end with qmail-start')
    except TestFailure:
        raise TestFailure('orphans left: %r' % [open('/proc/%d/comm' % x).read().strip() for x in h.pids_under()])
    h.start_send()
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('afterkill'))
    wait_for(lambda: tags_in(h, md) == ['afterkill'], 10, 'delivery after the restart')
    assert 'another qmail-send is running' not in h.send_log(), h.send_log()
    h.stop_send()
