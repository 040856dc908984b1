"""RFC 3464 bounces and delay warnings, parsed with Python's email package: a local
unknown user, a .qmail program that exits 100, a remote 5xx (aiosmtpd sink in a
network namespace), a double bounce, a 20 MB original cut at bouncemaxbytes, 8-bit
and long-line originals, a delay warning sent once (control/bouncewarnafter)."""

import base64
import email
import email.policy
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from nqtest import eq, wait_for, TestFailure, TEST_ME, queue  # noqa: E402
import remotens as rn  # noqa: E402

ME = TEST_ME


def parse(raw):
    """(message, human text, per-message fields, [per-recipient fields], third part)."""
    m = email.message_from_bytes(raw, policy=email.policy.compat32)
    eq(m.get_content_type(), 'multipart/report')
    eq(m.get_param('report-type'), 'delivery-status')
    parts = m.get_payload()
    if len(parts) < 3:
        raise TestFailure('%d parts: %r' % (len(parts), raw[:2000]))
    eq(parts[0].get_content_type(), 'text/plain')
    eq(parts[1].get_content_type(), 'message/delivery-status')
    blocks = parts[1].get_payload()       # email gives a delivery-status as a list of header blocks
    return m, parts[0].get_payload(decode=True), blocks[0], blocks[1:], parts[2:]


def check_headers(m, to):
    eq(m['From'], 'MAILER-DAEMON@' + ME)
    eq(m['To'], to)
    eq(m['Auto-Submitted'], 'auto-replied')
    assert re.match(r'^<[^<>@\s]+@' + re.escape(ME) + '>$', m['Message-ID']), m['Message-ID']
    assert email.utils.parsedate_tz(m['Date']), m['Date']
    assert m['Subject'], 'a subject'


def one(h, md, what):
    (b,) = wait_for(lambda: h.maildir(md), 20, what)
    assert b.startswith(b'Return-Path: <>\n') or b.startswith(b'Return-Path: <#@[]>\n'), b[:200]
    return b


def test_local_unknown_user(h):
    md = h.add_user('joe')
    h.start_send()
    orig = b'Subject: lost\nX-Tag: lost\n\nbody line\n'
    queue(h, 'joe@' + ME, ['nosuchuser@' + ME], orig)
    m, text, per_msg, rcpts, rest = parse(one(h, md, 'the bounce'))
    check_headers(m, 'joe@' + ME)
    eq(m['Subject'], 'failure notice')
    assert b'<nosuchuser@' + ME.encode() + b'>:\nSorry, no mailbox here by that name.' in text, text
    assert text.startswith(b'Hi. This is the qmail-send program at ' + ME.encode()), text
    eq(per_msg['Reporting-MTA'], 'dns; ' + ME)
    assert email.utils.parsedate_tz(per_msg['Arrival-Date']), per_msg['Arrival-Date']
    eq(len(rcpts), 1)
    eq(rcpts[0]['Final-Recipient'], 'rfc822; nosuchuser@' + ME)
    eq(rcpts[0]['Action'], 'failed')
    eq(rcpts[0]['Status'], '5.1.1')
    eq(rcpts[0]['Remote-MTA'], None)
    # it fits bouncemaxbytes: the whole original as message/rfc822
    eq(rest[0].get_content_type(), 'message/rfc822')
    inner = rest[0].get_payload()[0]
    eq(inner['X-Tag'], 'lost')
    eq(inner.get_payload(), 'body line\n')


def test_program_exit_100(h):
    md = h.add_user('joe')
    p = os.path.join(h.path, 'alias', '.qmail-refuse')
    with open(p, 'w') as f:
        f.write('|echo "we do not want this"; exit 100\n')
    os.chmod(p, 0o644)
    h.start_send()
    queue(h, 'joe@' + ME, ['refuse@' + ME], b'Subject: r\n\nx\n')
    m, text, per_msg, rcpts, rest = parse(one(h, md, 'the bounce'))
    assert b'<refuse@' + ME.encode() + b'>:\nwe do not want this' in text, text
    eq(rcpts[0]['Final-Recipient'], 'rfc822; refuse@' + ME)
    eq(rcpts[0]['Action'], 'failed')
    eq(rcpts[0]['Status'], '5.0.0')
    assert rcpts[0]['Diagnostic-Code'].startswith('x-unix; we do not want this'), rcpts[0]['Diagnostic-Code']


def _remote_5xx(h):
    h.control('smtproutes', 'a.test:[127.0.0.2]\n')
    rec, _ = rn.sink('127.0.0.2')
    md = h.alias_maildir()          # root@me: no users/assign in the rebuilt Home
    h.start_send()
    queue(h, 'root@' + ME, ['good@a.test', 'bad@a.test'], b'Subject: far\n\nx\n')
    m, text, per_msg, rcpts, rest = parse(one(h, md, 'the bounce for bad@a.test'))
    eq(rec.transactions[0]['to'], ['good@a.test'])
    eq(len(rcpts), 1)
    eq(rcpts[0]['Final-Recipient'], 'rfc822; bad@a.test')
    eq(rcpts[0]['Action'], 'failed')
    eq(rcpts[0]['Status'], '5.1.1')
    eq(rcpts[0]['Remote-MTA'], 'dns; 127.0.0.2')
    eq(rcpts[0]['Diagnostic-Code'], 'smtp; 550 5.1.1 no such user')
    assert b'\nRemote host said: 550 5.1.1 no such user' in text, text


def test_remote_5xx(h):
    rn.ns_run(h, __file__, '_remote_5xx')


def test_double_bounce(h):
    md = h.add_user('joe')
    h.control('doublebounceto', 'joe\n')
    h.start_send()
    queue(h, '', ['nosuchuser@' + ME], b'Subject: a bounce\n\nx\n')
    b = one(h, md, 'the double bounce')
    assert b.startswith(b'Return-Path: <#@[]>\n'), b[:100]
    m, text, per_msg, rcpts, rest = parse(b)
    check_headers(m, 'joe@' + ME)
    eq(rcpts[0]['Final-Recipient'], 'rfc822; nosuchuser@' + ME)
    eq(rcpts[0]['Status'], '5.1.1')
    assert b'the postmaster' in text, text


def test_20mb_original_is_cut_at_bouncemaxbytes(h):
    md = h.add_user('joe')
    h.control('bouncemaxbytes', '1000\n')
    h.start_send()
    body = (b'0123456789abcdef' * 63 + b'\n') * (20 * 1024 * 1024 // 1009)
    queue(h, 'joe@' + ME, ['nosuchuser@' + ME], b'Subject: huge\nX-Tag: huge\n\n' + body)
    raw = one(h, md, 'the bounce')
    assert len(raw) < 10000, len(raw)
    m, text, per_msg, rcpts, rest = parse(raw)
    eq(rcpts[0]['Status'], '5.1.1')
    eq(rest[0].get_content_type(), 'text/rfc822-headers')
    assert 'X-Tag: huge' in rest[0].get_payload(), rest[0].get_payload()
    eq(rest[1].get_payload(decode=True), body[:1000])
    assert b'the first\n1000 bytes of its body (of %d)' % len(body) in text, text


def test_8bit_and_long_line_originals(h):
    md = h.add_user('joe')
    h.control('bouncemaxbytes', '100000\n')
    h.start_send()
    eight = 'Subject: 8bit\nContent-Type: text/plain; charset=utf-8\n\nd\u00e9j\u00e0 vu\n'.encode()
    queue(h, 'joe@' + ME, ['nosuchuser@' + ME], eight)
    m, text, per_msg, rcpts, rest = parse(one(h, md, 'the bounce of the 8-bit message'))
    eq(rest[0].get_content_type(), 'message/rfc822')
    eq(rest[0]['Content-Transfer-Encoding'], '8bit')
    assert eight in m.as_bytes(), 'the original byte for byte'
    for n in os.listdir(md + 'new'):
        os.unlink(md + 'new/' + n)
    longbody = b'y' * 5000 + b'\n' + b'\xff\x00end\n'
    queue(h, 'joe@' + ME, ['nosuchuser@' + ME], b'Subject: long\n\n' + longbody)
    m, text, per_msg, rcpts, rest = parse(one(h, md, 'the bounce of the long-line message'))
    eq(rest[0].get_content_type(), 'text/rfc822-headers')
    eq(rest[1]['Content-Transfer-Encoding'], 'base64')
    eq(rest[1].get_payload(decode=True), longbody)
    raw = h.maildir(md)[0]
    assert max(len(ln) for ln in raw.split(b'\n')) <= 998, 'no line over 998 bytes'


def test_delay_warning_once(h):
    md = h.add_user('joe')
    bob = h.add_user('bob')
    os.chown(bob + 'tmp', 0, 0)                 # bob's deliveries defer
    h.control('bouncewarnafter', '1\n')
    h.start_send()
    t0 = time.time()
    queue(h, 'joe@' + ME, ['bob@' + ME], b'Subject: slow\nX-Tag: slow\n\nbody\n')
    wait_for(lambda: re.search(r'^delivery \d+: deferral: ', h.send_log(), re.M), 15, 'the first deferral')
    eq(h.maildir(md), [], 'no warning before bouncewarnafter')
    wait_for(lambda: time.time() > t0 + 2.5, 5, 'the message to be older than bouncewarnafter')
    pid = h.pid_of('qmail-send')
    os.kill(pid, signal.SIGALRM)
    m, text, per_msg, rcpts, rest = parse(one(h, md, 'the delay warning'))
    eq(m['Subject'], 'delivery delayed (still trying)')
    eq(rcpts[0]['Final-Recipient'], 'rfc822; bob@' + ME)
    eq(rcpts[0]['Action'], 'delayed')
    assert rcpts[0]['Status'].startswith('4.'), rcpts[0]['Status']
    assert rcpts[0]['Will-Retry-Until'], 'Will-Retry-Until'
    eq(rest[0].get_content_type(), 'text/rfc822-headers')
    assert 'X-Tag: slow' in rest[0].get_payload()
    marks = [n for n in os.listdir(os.path.join(h.path, 'queue', 'bounce')) if n.endswith('.w')]
    eq(len(marks), 1, 'the mark bounce/N.w')
    n = len(re.findall(r'^delivery \d+: deferral: ', h.send_log(), re.M))
    os.kill(pid, signal.SIGALRM)
    wait_for(lambda: len(re.findall(r'^delivery \d+: deferral: ', h.send_log(), re.M)) > n, 15, 'another deferral')
    eq(len(h.maildir(md)), 1, 'one warning only')
    os.chown(bob + 'tmp', uid_of_nobody(), gid_of_nogroup())
    os.kill(pid, signal.SIGALRM)
    wait_for(lambda: h.maildir(bob), 15, 'the delivery once bob can receive')
    wait_for(lambda: not os.listdir(os.path.join(h.path, 'queue', 'bounce')), 15, 'the mark removed')
    eq(len(h.maildir(md)), 1, 'no bounce')


def test_no_warning_for_null_sender(h):
    joe = h.add_user('joe')
    bob = h.add_user('bob')
    os.chown(bob + 'tmp', 0, 0)
    h.control('bouncewarnafter', '1\n')
    h.control('doublebounceto', 'joe\n')
    h.start_send()
    t0 = time.time()
    queue(h, '', ['bob@' + ME], b'Subject: a bounce\n\nx\n')
    wait_for(lambda: time.time() > t0 + 2.5, 5, 'the message to be older than bouncewarnafter')
    n = len(re.findall(r'^delivery \d+: deferral: ', h.send_log(), re.M))
    os.kill(h.pid_of('qmail-send'), signal.SIGALRM)
    wait_for(lambda: len(re.findall(r'^delivery \d+: deferral: ', h.send_log(), re.M)) > n, 15, 'the retry')
    eq(h.maildir(joe), [], 'no warning for <>')
    assert 'warning msg' not in h.send_log()


def uid_of_nobody():
    from nqtest import uid_of
    return uid_of('nobody')


def gid_of_nogroup():
    from nqtest import gid_of
    return gid_of('nogroup')


if __name__ == '__main__':
    rn.ns_main(sys.modules[__name__])
