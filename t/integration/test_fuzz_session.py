"""The SMTP and POP3 session fuzzer (t/fuzz/session.py), a short bounded run:
past failing sessions, the seeds, then mutations for a few seconds."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fuzz'))
import session  # noqa: E402


def test_session_fuzz(h):
    stats = session.run(h, float(os.environ.get('NQ_FUZZ_SESSION_SECONDS', '8')))
    if stats['smtp'] < 5 or stats['pop3'] < 3:
        raise AssertionError('too few sessions ran: %r' % stats)
