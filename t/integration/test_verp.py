"""VERP and list owners end to end (qmail's rules): a mailing list in joe's .qmail-list
with &forwards (local and remote) and a .qmail-list-owner. Without
.qmail-list-owner-default the forwards go out from joe-list-owner@HOST; with it,
qmail-local gives them the sender joe-list-owner-@HOST-@[] and qmail-send makes it
per recipient: joe-list-owner-LOCAL=DOMAIN@HOST, one recipient a remote job, and a
bounce goes to the expanded address of the one recipient that failed. Also bounces
for virtual-domain recipients show the address the sender used. In a network
namespace with a loopback DNS server and an SMTP sink (t/lib/remotens.py)."""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from nqtest import eq, wait_for, TestFailure, TEST_ME, queue  # noqa: E402
import remotens as rn  # noqa: E402

ZONE = {'a.test': [('MX', 10, 'mx1.a.test')], 'mx1.a.test': [('A', '127.0.0.2')]}
BODY = b'Subject: to the list\n\nhello list\n'


def dotqmail(home, name, text):
    p = os.path.join(home, '.qmail-' + name)
    with open(p, 'w') as f:
        f.write(text)
    os.chmod(p, 0o644)


def list_setup(h, verp):
    h.control('dnsservers', rn.DNS_ADDR + '\n')
    rn.dns(ZONE)
    rec, _ = rn.sink('127.0.0.2')
    joe_md = h.add_user('joe')
    ann_md = h.add_user('ann')
    home = os.path.dirname(joe_md.rstrip('/'))
    dotqmail(home, 'list', '&ann@%s\n&sub1@a.test\n&sub2@a.test\n&bad@a.test\n' % TEST_ME)
    dotqmail(home, 'list-owner', './Maildir/\n')
    if verp:
        dotqmail(home, 'list-owner-default', './Maildir/\n')
    h.start_send()
    queue(h, 'poster@x.test', ['joe-list@' + TEST_ME], BODY)
    return rec, joe_md, ann_md


def bounce_in(h, md):
    (b,) = wait_for(lambda: h.maildir(md), 60, 'the bounce in the owner\'s Maildir')
    wait_for(h.queue_empty, 30, 'the queue to empty')
    head = b.split(b'--- Below this line')[0]
    if b'<bad@a.test>:' not in head or b'550 5.1.1' not in head or b'sub1@a.test' in head:
        raise TestFailure('bounce is not for bad@a.test alone:\n' + b.decode(errors='replace'))
    return b


def _owner(h):
    rec, joe_md, ann_md = list_setup(h, verp=False)
    b = bounce_in(h, joe_md)
    owner = 'joe-list-owner@' + TEST_ME
    if not b.startswith(b'Return-Path: <>\nDelivered-To: ' + owner.encode() + b'\n'):
        raise TestFailure('bounce not to %s:\n%s' % (owner, b[:300]))
    eq(len(rec.transactions), 1, 'no VERP: one transaction for the remote subscribers')
    eq((rec.transactions[0]['from'], sorted(rec.transactions[0]['to'])), (owner, ['sub1@a.test', 'sub2@a.test']))
    (a,) = h.maildir(ann_md)
    if not a.startswith(b'Return-Path: <' + owner.encode() + b'>\n'):
        raise TestFailure(a[:200])


def test_list_owner_sender(h):
    rn.ns_run(h, __file__, '_owner')


def _owner_verp(h):
    rec, joe_md, ann_md = list_setup(h, verp=True)
    b = bounce_in(h, joe_md)
    verp = 'joe-list-owner-bad=a.test@' + TEST_ME
    if not b.startswith(b'Return-Path: <>\nDelivered-To: ' + verp.encode() + b'\n'):
        raise TestFailure('bounce not to %s:\n%s' % (verp, b[:300]))
    got = sorted((t['from'], t['to']) for t in rec.transactions)
    eq(got, [('joe-list-owner-sub1=a.test@' + TEST_ME, ['sub1@a.test']),
             ('joe-list-owner-sub2=a.test@' + TEST_ME, ['sub2@a.test'])],
       'one transaction a recipient, each with its own sender')
    (a,) = h.maildir(ann_md)
    want = b'Return-Path: <joe-list-owner-ann=' + TEST_ME.encode() + b'@' + TEST_ME.encode() + b'>\n'
    if not a.startswith(want):
        raise TestFailure('local VERP sender: %r' % a[:200])


def test_list_owner_default_verp(h):
    rn.ns_run(h, __file__, '_owner_verp')


def _two_fail_verp(h):
    """Two failed recipients: one bounce, to qmail's joe-list-owner-@HOST."""
    h.control('dnsservers', rn.DNS_ADDR + '\n')
    rn.dns(ZONE)
    rn.sink('127.0.0.2')
    joe_md = h.add_user('joe')
    home = os.path.dirname(joe_md.rstrip('/'))
    dotqmail(home, 'list', '&bad1@a.test\n&bad2@a.test\n')
    dotqmail(home, 'list-owner', './Maildir/\n')
    dotqmail(home, 'list-owner-default', './Maildir/\n')
    h.start_send()
    queue(h, 'poster@x.test', ['joe-list@' + TEST_ME], BODY)
    (b,) = wait_for(lambda: h.maildir(joe_md), 60, 'the bounce')
    if not b.startswith(b'Return-Path: <>\nDelivered-To: joe-list-owner-@' + TEST_ME.encode() + b'\n'):
        raise TestFailure(b[:300])
    if b'<bad1@a.test>:' not in b or b'<bad2@a.test>:' not in b:
        raise TestFailure(b.decode(errors='replace'))


def test_verp_two_failures_one_bounce(h):
    rn.ns_run(h, __file__, '_two_fail_verp')


def test_virtual_domain_bounce_shows_the_address_used(h):
    """virt.test:joe makes bob@virt.test local as joe-bob@virt.test; with no
    .qmail-bob it bounces, and the bounce names bob@virt.test as the sender wrote it."""
    md = h.add_user('joe')
    h.control('virtualdomains', 'virt.test:joe\n')
    h.start_send()
    queue(h, 'joe@' + TEST_ME, ['bob@virt.test'], b'Subject: virtual\n\nx\n')
    (b,) = wait_for(lambda: h.maildir(md), 30, 'the bounce')
    head = b.split(b'--- Below this line')[0]
    if b'<bob@virt.test>:' not in head or b'joe-bob@virt.test' in head:
        raise TestFailure(head.decode(errors='replace'))
    h.stop_send()


if __name__ == '__main__':
    rn.ns_main(sys.modules[__name__])
