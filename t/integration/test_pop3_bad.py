"""POP3 bad input: wrong passwords and unknown users (same answer, after the delay),
commands out of order, numbers out of range or overflowing, long lines, NUL and bare CR,
a client that hangs up after DELE, two sessions on one Maildir, the session timeout."""

import os
import threading
import time

import nqtest
import pop3test
from nqtest import eq, wait_for
from pop3test import Raw, login, messages, put_message, pop3d


def mailbox(h, n=3):
    u = pop3test.SystemUser(h)
    for i in range(n):
        put_message(u.maildir, '%d.M%dP1.test' % (2000 + i, i), b'Subject: %d\n\nbody %d\n' % (i, i),
                    u.uid, u.gid, mtime=5000 + i)
    return u


def test_failed_login_delay_and_same_answer(h):
    u = mailbox(h)
    try:
        port = pop3d(h, faildelay=700)
        c = Raw(port)
        c.line()
        eq(c.cmd('PASS x')[:4], b'-ERR', 'PASS before USER')
        c.cmd('USER ' + u.name)
        wrong, t_wrong = pop3test.timed(lambda: c.cmd('PASS wrong'))
        c.cmd('USER nosuchuser-nq')
        unknown, t_unknown = pop3test.timed(lambda: c.cmd('PASS wrong'))
        eq(wrong, unknown, 'a wrong password and an unknown user get the same answer')
        assert wrong.startswith(b'-ERR'), wrong
        assert t_wrong >= 0.7 and t_unknown >= 0.7, (t_wrong, t_unknown)
        # the login still works after failures
        c.cmd('USER ' + u.name)
        eq(c.cmd('PASS ' + u.password)[:3], b'+OK', 'right password after failures')
        c.cmd('QUIT')
        log = h.read_log('pop3d')
        assert 'login failed: user ' + u.name in log, log
        # with no delay configured the answer is fast: the delay is what made it slow
        port = pop3d(h, faildelay=0)
        c = Raw(port)
        c.line()
        c.cmd('USER ' + u.name)
        _, t = pop3test.timed(lambda: c.cmd('PASS wrong'))
        assert t < 0.7, t
        # five failures close the connection
        for i in range(4):
            c.cmd('USER ' + u.name)
            r = c.cmd('PASS wrong')
        eq(c.line(), b'-ERR too many failed logins, closing', 'after 5 failures')
        assert c.closed()
    finally:
        u.remove()


def test_bad_commands(h):
    u = mailbox(h)
    try:
        port = pop3d(h)
        c = Raw(port)
        c.line()
        eq(c.cmd('STAT')[:4], b'-ERR', 'STAT before login')
        eq(c.cmd(b'USER ' + b'x' * 10000 + b'\r\n'), b'-ERR line too long', '10,000-byte command')
        eq(c.cmd(b'USER a\0b\r\n'), b'-ERR NUL or bare CR in command', 'NUL')
        eq(c.cmd(b'USER a\rb\r\n'), b'-ERR NUL or bare CR in command', 'bare CR')
        eq(c.cmd('CAPA'), b'+OK capability list follows', 'CAPA')
        caps = c.multi()
        assert b'USER\r\n' in caps and b'TOP\r\n' in caps and b'UIDL\r\n' in caps, caps
        c.cmd('USER ' + u.name)
        eq(c.cmd('PASS ' + u.password)[:3], b'+OK', 'login')
        for cmd, want in (('LIST 0', b'-ERR no such message'),
                          ('LIST 4', b'-ERR no such message'),
                          ('LIST 99999999999999999999', b'-ERR bad message number'),
                          ('LIST -1', b'-ERR bad message number'),
                          ('LIST +1', b'-ERR bad message number'),
                          ('RETR 1x', b'-ERR bad message number'),
                          ('TOP -1 1', b'-ERR bad message number'),
                          ('TOP 1 -1', b'-ERR bad line count'),
                          ('TOP 1 99999999999999999999', b'-ERR bad line count'),
                          ('TOP 1', b'-ERR TOP needs a message number and a line count'),
                          ('RETR', b'-ERR RETR needs one message number'),
                          ('LIST 1 2 3', b'-ERR too many arguments'),
                          ('USER x', b'-ERR already authenticated'),
                          ('XYZZY', b'-ERR unknown command')):
            eq(c.cmd(cmd), want, cmd)
        eq(c.cmd(b'NOOP\0\r\n'), b'-ERR NUL or bare CR in command', 'NUL after login')
        eq(c.cmd(b'LIST ' + b'9' * 10000 + b'\r\n'), b'-ERR line too long', 'long line after login')
        eq(c.cmd('LIST 1'), b'+OK 1 %d' % pop3test.client_size(b'Subject: 0\n\nbody 0\n'), 'LIST 1 still works')
        eq(c.cmd('DELE 1'), b'+OK', 'DELE')
        eq(c.cmd('RETR 1'), b'-ERR message is deleted', 'RETR of a deleted message')
        eq(c.cmd('RSET'), b'+OK', 'RSET')
        eq(c.cmd('RETR 1')[:3], b'+OK', 'RETR after RSET')
        c.multi()
        # bad commands are counted (14 so far): the connection closes at the 20th
        for i in range(6):
            c.cmd('XYZZY')
        eq(c.line(), b'-ERR too many bad commands, closing', 'bad command limit')
        assert c.closed()
        eq(len(messages(u.maildir)), 3, 'nothing deleted')
    finally:
        u.remove()


def test_hangup_after_dele_deletes_nothing(h):
    u = mailbox(h)
    try:
        port = pop3d(h)
        c = login(port, u.name, u.password)
        eq(c.cmd('DELE 1'), b'+OK', 'DELE 1')
        eq(c.cmd('DELE 2'), b'+OK', 'DELE 2')
        c.close()
        wait_for(lambda: 'connection lost, nothing deleted' in h.read_log('pop3d'), 10, 'qmail-pop3d to see the hang-up')
        eq(len(messages(u.maildir)), 3, 'a dropped connection deletes nothing')
    finally:
        u.remove()


def test_two_sessions_one_maildir(h):
    u = mailbox(h, 6)
    try:
        port = pop3d(h)
        a = login(port, u.name, u.password)
        b = login(port, u.name, u.password)
        eq(a.cmd('STAT')[:5], b'+OK 6', 'session a sees 6')
        eq(b.cmd('STAT')[:5], b'+OK 6', 'session b sees 6')
        eq(a.cmd('DELE 1'), b'+OK', 'a DELE 1')
        eq(b.cmd('DELE 2'), b'+OK', 'b DELE 2')
        eq(a.cmd('QUIT'), b'+OK', 'a QUIT')
        eq(b.cmd('RETR 1')[:4], b'-ERR', 'b: RETR of what a removed')
        eq(b.cmd('RETR 3')[:3], b'+OK', 'b: RETR 3')
        b.multi()
        eq(b.cmd('QUIT'), b'+OK', 'b QUIT')
        left = messages(u.maildir)
        eq(len(left), 4, 'exactly the two deleted messages are gone')
        # new mail arriving during a session waits for the next one
        c = login(port, u.name, u.password)
        put_message(u.maildir, '9999.M9P9.test', b'Subject: late\n\nlate\n', u.uid, u.gid)
        eq(c.cmd('STAT')[:5], b'+OK 4', 'the session keeps its list')
        c.cmd('QUIT')
        c = login(port, u.name, u.password)
        eq(c.cmd('STAT')[:5], b'+OK 5', 'the next session sees it')
        c.cmd('QUIT')
        # many sessions at once: none crashes, nothing is lost
        errors = []

        def session():
            try:
                s = login(port, u.name, u.password)
                for i in range(1, 6):
                    s.cmd('RETR %d' % i)[:3] == b'+OK' and s.multi()
                s.cmd('QUIT')
            except Exception as e:  # noqa: B902
                errors.append(e)
        ts = [threading.Thread(target=session) for _ in range(6)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        eq(errors, [], 'parallel sessions')
        eq(len(messages(u.maildir)), 5, 'nothing lost')
    finally:
        u.remove()


def test_session_timeout(h):
    u = mailbox(h)
    try:
        port = pop3d(h, timeout=1)
        c = Raw(port)
        c.line()
        t0 = time.monotonic()
        assert c.closed(10), 'qmail-popup closes an idle connection'
        assert time.monotonic() - t0 >= 0.9
        c = login(port, u.name, u.password)
        c.cmd('DELE 1')
        t0 = time.monotonic()
        assert c.closed(10), 'qmail-pop3d closes an idle connection'
        assert time.monotonic() - t0 < 1.8, 'the whole connection closes, not only qmail-pop3d'
        eq(len(messages(u.maildir)), 3, 'a timed-out session deletes nothing')
        wait_for(lambda: 'timeout' in h.read_log('pop3d'), 5, 'timeout in the log')
    finally:
        u.remove()
