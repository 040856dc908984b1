"""A 2,000-message Maildir and a 50 MB message: STAT, LIST, UIDL and RETR work. The
memory figure is measured by bench/pop3_big.py, not here (no timed tests)."""

import hashlib
import os

import pop3test
from nqtest import eq
from pop3test import login, put_message, pop3d


def test_2000_messages_and_50mb(h):
    u = pop3test.SystemUser(h)
    try:
        for i in range(2000):
            put_message(u.maildir, '%d.M%dP1.big' % (100000 + i, i), b'Subject: %d\n\nsmall %d\n' % (i, i),
                        u.uid, u.gid, sub='cur' if i % 2 else 'new', mtime=10000 + i)
        line = b'x' * 77 + b'\n'
        big = b'Subject: big\n\n' + line * (50 * 1024 * 1024 // len(line))
        put_message(u.maildir, '999999.M1P1.big', big, u.uid, u.gid, mtime=20000)
        port = pop3d(h)
        c = login(port, u.name, u.password)
        smalls = sum(pop3test.client_size(b'Subject: %d\n\nsmall %d\n' % (i, i)) for i in range(2000))
        bigsize = pop3test.client_size(big)
        eq(c.cmd('STAT'), b'+OK 2001 %d' % (smalls + bigsize), 'STAT')
        c.send(b'LIST\r\n')
        eq(c.line(), b'+OK', 'LIST')
        lst = c.multi().split(b'\r\n')[:-1]
        eq(len(lst), 2001, 'LIST lines')
        eq(lst[-1], b'2001 %d' % bigsize, 'LIST of the big one, last in delivery order')
        c.send(b'UIDL\r\n')
        c.line()
        uidl = c.multi().split(b'\r\n')[:-1]
        eq(uidl[0], b'1 100000.M0P1.big', 'UIDL 1')
        eq(uidl[1999], b'2000 101999.M1999P1.big', 'UIDL 2000')
        eq(c.cmd('RETR 1500'), b'+OK %d octets' % pop3test.client_size(b'Subject: 1499\n\nsmall 1499\n'), 'RETR 1500')
        eq(c.multi(), b'Subject: 1499\r\n\r\nsmall 1499\r\n', 'RETR 1500 body')
        eq(c.cmd('RETR 2001'), b'+OK %d octets' % bigsize, 'RETR of 50 MB')
        got = c.multi()
        eq(len(got), bigsize, 'size of the 50 MB message')
        eq(hashlib.sha256(got).hexdigest(), hashlib.sha256(big.replace(b'\n', b'\r\n')).hexdigest(), '50 MB content')
        eq(c.cmd('QUIT'), b'+OK', 'QUIT')
    finally:
        u.remove()
