"""qmail-smtpd under tcpserver: commands, ESMTP keywords, relay control, strict line ends,
limits (line length, databytes, maxrcpt, hops, bad commands, timeout), byte-exact DATA."""

import os
import re
import socket
import time

from nqtest import eq, wait_for, smtp_send, TestFailure, TEST_ME, LineClient, send_and_read

RELAY = '127.:allow,RELAYCLIENT=""\n'
MSG = b'From: a@example.org\r\nSubject: t\r\n\r\nhello\r\n'


class Client(LineClient):
    """A raw SMTP client: exact bytes out, replies parsed as (code, [lines])."""

    def reply(self):
        lines = []
        while True:
            ln = self.line()
            lines.append(ln)
            if len(ln) < 4 or ln[3:4] != b'-':
                return int(ln[:3]), lines

    def cmd(self, c):
        self.send(c + b'\r\n')
        return self.reply()

    def expect(self, c, code):
        got, lines = self.cmd(c)
        if got != code:
            raise TestFailure('%r: expected %d, got %r' % (c, code, lines))
        return lines

    def eof(self):
        """True when the server closed the connection (after any pending replies)."""
        while True:
            d = self.s.recv(65536)
            if not d:
                return True
            self.buf += d


def session(h, rules=':allow\n', env=None, helo=b'EHLO client.test'):
    port = h.smtpd(rules=rules, env=env)
    c = Client(port)
    code, lines = c.reply()
    eq(code, 220, 'greeting %r' % lines)
    if helo:
        code, lines = c.cmd(helo)
        eq(code, 250, 'EHLO %r' % lines)
    return c


def todo_envelopes(h):
    return h.queue_contents('todo')


def messages(h):
    return h.queue_contents('mess')


def after_received(m):
    """The message as the client sent it: drop qmail-queue's and qmail-smtpd's Received lines."""
    r = re.match(rb'Received: \(qmail \d+ invoked [^\n]*\n'
                 rb'Received: from [^\n]*\n  by [^\n]*\n', m)
    if not r:
        raise TestFailure('no Received lines at the head of %r' % m[:300])
    return m[r.end():]


def nothing_queued(h):
    eq(h.queue_files('todo'), [], 'todo/')
    eq(h.queue_files('mess'), [], 'mess/')
    eq(h.queue_files('intd'), [], 'intd/')


def data(c, body, code=250):
    eq(c.cmd(b'DATA')[0], 354)
    c.send(body + b'.\r\n')
    got, lines = c.reply()
    if got != code:
        raise TestFailure('end of DATA: expected %d, got %r' % (code, lines))
    return lines


def log_has(h, pattern):
    return re.search(pattern, h.read_log('smtpd'))


# --- the happy path and the keywords --------------------------------------------------

def test_smtplib_message_is_queued(h):
    port = h.smtpd()
    code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME, 'bob@localhost'], MSG)
    eq(code, 250, 'DATA reply %r' % text)
    assert re.match(rb'2\.0\.0 ok \d+ qp \d+$', text), text
    envs = todo_envelopes(h)
    eq(len(envs), 1)
    assert envs[0].endswith(b'Fann@example.org\0Tjoe@nqmail.test\0Tbob@localhost\0'), envs[0]
    (m,) = messages(h)
    assert re.search(rb'\nReceived: from client.test \(\[127.0.0.1\]\)\n  by nqmail.test with ESMTP; ', m), m[:300]
    eq(after_received(m), MSG.replace(b'\r\n', b'\n'))
    wait_for(lambda: log_has(h, r'qmail-smtpd: tx ip 127.0.0.1 helo <client.test> from <ann@example.org> '
                             r'rcpt <joe@nqmail.test> ok rcpt <bob@localhost> ok size %d qp \d+ result accepted '
                             r'duration \d+\.\d\d\d\n' % len(MSG.replace(b'\r\n', b'\n'))), 5, 'the accepted log line')


def test_greeting_and_ehlo_keywords(h):
    c = session(h, helo=None)
    lines = c.expect(b'EHLO client.test', 250)
    eq(lines[0], b'250-' + TEST_ME.encode())
    eq(lines[1:], [b'250-PIPELINING', b'250-8BITMIME', b'250-SMTPUTF8', b'250-SIZE 33554432', b'250 ENHANCEDSTATUSCODES'])
    eq(c.expect(b'HELO client.test', 250), [b'250 ' + TEST_ME.encode()])
    c.close()
    h.control('smtpgreeting', 'mx.example.org welcome\n')
    h.control('databytes', '5000\n')
    port = h.smtpd()
    c = Client(port)
    eq(c.reply(), (220, [b'220 mx.example.org welcome ESMTP']))
    assert b'250-SIZE 5000' in c.expect(b'EHLO x', 250)


def test_helo_gives_smtp_protocol(h):
    c = session(h, helo=b'HELO old.client')
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    data(c, b'x\r\n')
    (m,) = messages(h)
    assert b'Received: from old.client ([127.0.0.1])\n  by nqmail.test with SMTP; ' in m, m[:300]


def test_simple_commands(h):
    c = session(h)
    eq(c.cmd(b'NOOP')[0], 250)
    eq(c.cmd(b'noop')[0], 250)
    eq(c.cmd(b'RSET')[0], 250)
    code, lines = c.cmd(b'VRFY joe')
    eq(code, 252)
    assert lines[0].startswith(b'252 2.'), lines
    code, lines = c.cmd(b'HELP')
    eq(code, 214)
    code, lines = c.cmd(b'EXPN list')
    eq(lines, [b'502 5.5.1 unimplemented command'])
    code, lines = c.cmd(b'QUIT')
    eq(code, 221)
    assert lines[0].startswith(b'221 2.0.0 '), lines
    assert c.eof()


def test_every_reply_has_an_enhanced_code(h):
    c = session(h)
    for cmd in (b'NOOP', b'RSET', b'VRFY x', b'HELP', b'BOGUS', b'RCPT TO:<a@b>', b'DATA',
                b'MAIL FROM:<a@example.org>', b'MAIL FROM:<b@example.org>', b'RCPT TO:<x@elsewhere.test>',
                b'RCPT TO:<joe@nqmail.test>', b'MAIL FROM:<a@example.org> FOO=1'):
        code, lines = c.cmd(cmd)
        assert re.match(rb'\d{3} [245]\.\d{1,3}\.\d{1,3} ', lines[-1]), (cmd, lines)


# --- relay control ------------------------------------------------------------------

def test_relay_refused_without_relayclient(h):
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    code, lines = c.cmd(b'RCPT TO:<x@example.com>')
    eq(lines, [b"553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts"])
    c.expect(b'RCPT TO:<joe@NQMAIL.Test>', 250)
    c.expect(b'RCPT TO:<joe@localhost>', 250)
    data(c, b'x\r\n')
    (env,) = todo_envelopes(h)
    assert b'x@example.com' not in env
    wait_for(lambda: log_has(h, r'tx ip 127.0.0.1 helo <client.test> from <a@example.org> rcpt <x@example.com> 553:relaying_denied '
                             r'rcpt <joe@NQMAIL.Test> ok rcpt <joe@localhost> ok size 2 qp \d+ result accepted'),
             5, 'the refused rcpt log line')


def test_relay_allowed_with_relayclient(h):
    c = session(h, rules=RELAY)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<x@example.com>', 250)
    c.expect(b'RCPT TO:<a%b@example.com>', 250)
    data(c, b'x\r\n')
    (env,) = todo_envelopes(h)
    assert env.endswith(b'Tx@example.com\0Ta%b@example.com\0'), env


def test_relayclient_value_is_appended(h):
    c = session(h, rules='127.:allow,RELAYCLIENT="-relayed"\n')
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<x@example.com>', 250)
    data(c, b'x\r\n')
    (env,) = todo_envelopes(h)
    assert env.endswith(b'Tx@example.com-relayed\0'), env


def test_missing_rcpthosts_refuses_everything(h):
    h.control('rcpthosts', None)
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    for r in (b'joe@nqmail.test', b'joe@localhost', b'x@example.com'):
        eq(c.cmd(b'RCPT TO:<' + r + b'>')[0], 553, r)
    eq(c.cmd(b'DATA')[0], 503)


def test_rcpthosts_subdomain_lines(h):
    h.control('rcpthosts', '# comment\n\n  .sub.example.net  \nExample.ORG\n')
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    for r, code in ((b'x@a.sub.example.net', 250), (b'x@b.a.SUB.example.net', 250), (b'x@sub.example.net', 553),
                    (b'x@xsub.example.net', 553), (b'x@example.org', 250), (b'x@a.example.org', 553),
                    (b'x@.sub.example.net', 501), (b'x@example.org.', 501)):
        eq(c.cmd(b'RCPT TO:<' + r + b'>')[0], code, r)


def test_relay_hacks_refused(h):
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    for r in (b'<x%example.com@nqmail.test>', b'<example.com!x@nqmail.test>', b'<"x@example.com"@nqmail.test>',
              b'<@nqmail.test:x%y@nqmail.test>'):
        code, lines = c.cmd(b'RCPT TO:' + r)
        eq(code, 553, r)
        assert lines[0].startswith(b'553 5.7.1 '), lines
    # not RFC 5321 paths at all (test_smtpd_syntax has the whole table)
    eq(c.cmd(b'RCPT TO:<x\\@example.com@nqmail.test>')[1], [b'501 5.1.3 bad address syntax (RFC 5321 Path)'])
    eq(c.cmd(b'RCPT TO:joe')[0], 501)
    eq(c.cmd(b'RCPT TO:<joe>')[1], [b'553 5.1.3 address must have a domain'])
    # a source route is dropped: the real recipient is what counts
    c.expect(b'RCPT TO:<@elsewhere.test:joe@nqmail.test>', 250)
    eq(c.cmd(b'RCPT TO:<@nqmail.test:x@example.com>')[0], 553)


def test_morercpthosts_cdb_via_newmrh(h):
    h.control('morercpthosts', 'more.test\n# a comment\n\n.Wild.Test\nmore.test\n')
    r = h.run([h.bin('qmail-newmrh')])
    eq(r.returncode, 0, 'qmail-newmrh: %r' % r.stderr)
    assert os.path.exists(os.path.join(h.path, 'control', 'morercpthosts.cdb'))
    assert not os.path.exists(os.path.join(h.path, 'control', 'morercpthosts.cdb.tmp'))
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    for r, code in ((b'x@more.test', 250), (b'x@MORE.test', 250), (b'x@a.more.test', 553),
                    (b'x@a.wild.test', 250), (b'x@wild.test', 553), (b'x@other.test', 553),
                    (b'x@nqmail.test', 250)):
        eq(c.cmd(b'RCPT TO:<' + r + b'>')[0], code, r)


def test_corrupt_morercpthosts_cdb_fails_closed(h):
    h.control('morercpthosts.cdb', b'\xff' * 3000)
    port = h.smtpd()
    c = Client(port)
    code, lines = c.reply()
    if code == 421:     # refused at the greeting: fine, nothing relays
        return
    eq(code, 220)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    code, lines = c.cmd(b'RCPT TO:<x@other.test>')
    eq(lines, [b'451 4.3.0 unable to read control/morercpthosts.cdb'])


def test_newmrh_bad_line_names_file_and_line(h):
    h.control('morercpthosts', 'good.test\n')
    eq(h.run([h.bin('qmail-newmrh')]).returncode, 0)
    cdb = os.path.join(h.path, 'control', 'morercpthosts.cdb')
    before = open(cdb, 'rb').read()
    for bad in ('good.test\n\nbad domain.test\n', 'good.test\nx\0y\nz\n', 'a' * 300 + '\n\nb\n'):
        h.control('morercpthosts', bad)
        r = h.run([h.bin('qmail-newmrh')])
        eq(r.returncode, 111, bad)
        assert re.search(rb'qmail-newmrh: fatal: control/morercpthosts line [23]: ', r.stderr) or \
            b'line 1' in r.stderr, r.stderr
        eq(open(cdb, 'rb').read(), before, 'the old cdb stays')
        assert not os.path.exists(cdb + '.tmp')
    h.control('morercpthosts', None)
    r = h.run([h.bin('qmail-newmrh')])
    eq(r.returncode, 111)
    assert b'control/morercpthosts' in r.stderr, r.stderr


def test_newmrh_reports_the_right_line(h):
    h.control('morercpthosts', 'a.test\n# c\nb.test\nbad\x01.test\n')
    r = h.run([h.bin('qmail-newmrh')])
    eq(r.returncode, 111)
    assert b'control/morercpthosts line 4: ' in r.stderr, r.stderr


# --- strict line ends (SMTP smuggling) ----------------------------------------------

def smuggle(h, body):
    c = session(h, rules=RELAY)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    eq(c.cmd(b'DATA')[0], 354)
    c.send(body)
    code, lines = c.reply()
    eq(lines, [b'554 5.5.2 bare LF or CR not allowed'])
    assert c.eof()
    nothing_queued(h)
    wait_for(lambda: not h.pids_under('qmail-queue'), 5, 'qmail-queue to be gone')
    nothing_queued(h)


def test_bare_lf_in_data(h):
    smuggle(h, b'Subject: x\r\n\r\nline\nmore\r\n.\r\n')


def test_bare_cr_in_data(h):
    smuggle(h, b'Subject: x\r\n\r\nline\rmore\r\n.\r\n')


def test_smuggled_end_of_data(h):
    smuggle(h, b'Subject: x\r\n\r\nhi\r\n\n.\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<joe@nqmail.test>\r\n'
               b'DATA\r\nevil\r\n.\r\n')


def test_smuggled_end_lf_dot_crlf(h):
    smuggle(h, b'Subject: x\r\n\r\nhi\n.\r\nQUIT\r\n')


def test_bare_lf_in_command(h):
    c = session(h)
    c.send(b'NOOP\n')
    eq(c.reply()[1], [b'554 5.5.2 bare LF or CR not allowed'])
    assert c.eof()
    wait_for(lambda: log_has(h, r'closed: ip 127.0.0.1 helo <client.test> reason: bare LF or CR'), 5, 'the log line')


def test_bare_cr_in_command(h):
    c = session(h)
    c.send(b'MAIL FROM:<a@example.org>\rRCPT TO:<x@example.com>\r\n')
    eq(c.reply()[1], [b'554 5.5.2 bare LF or CR not allowed'])
    assert c.eof()


def test_nul_in_command(h):
    c = session(h)
    eq(c.cmd(b'NO\0OP')[1], [b'500 5.5.2 NUL byte not allowed in commands'])
    eq(c.cmd(b'MAIL FROM:<a\0b@example.org>')[0], 500)
    c.expect(b'NOOP', 250)


# --- DATA contents ------------------------------------------------------------------

def test_dot_unstuffing_byte_exact(h):
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    body = (b'Subject: dots\r\n\r\n..\r\n...\r\n..x\r\n.y\r\n x.\r\n\r\n\r\n'
            b'8bit \xc3\xa9\xff\x00\x01 \x7f\r\nend')
    data(c, body + b'\r\n')
    (m,) = messages(h)
    eq(after_received(m), b'Subject: dots\n\n.\n..\n.x\ny\n x.\n\n\n8bit \xc3\xa9\xff\x00\x01 \x7f\nend\n')


def test_empty_message(h):
    c = session(h)
    c.expect(b'MAIL FROM:<>', 250)
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    data(c, b'')
    (m,) = messages(h)
    eq(after_received(m), b'')
    (env,) = todo_envelopes(h)
    assert b'F\0Tjoe@nqmail.test\0' in env, env


def test_two_messages_one_session(h):
    c = session(h)
    for i in range(2):
        c.expect(b'MAIL FROM:<a@example.org>', 250)
        c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
        data(c, b'n %d\r\n' % i)
    eq(len(todo_envelopes(h)), 2)


def test_pipelined_session(h):
    c = session(h, helo=None)
    c.send(b'EHLO client.test\r\nMAIL FROM:<a@example.org> BODY=8BITMIME SIZE=100\r\n'
           b'RCPT TO:<joe@nqmail.test>\r\nRCPT TO:<x@example.com>\r\nRCPT TO:<bob@nqmail.test>\r\nDATA\r\n')
    eq(c.reply()[0], 250)
    eq(c.reply()[0], 250)
    eq(c.reply()[0], 250)
    eq(c.reply()[0], 553)
    eq(c.reply()[0], 250)
    eq(c.reply()[0], 354)
    c.send(b'pipelined\r\n.\r\nMAIL FROM:<b@example.org>\r\nRCPT TO:<joe@nqmail.test>\r\nDATA\r\n')
    eq(c.reply()[0], 250)
    eq(c.reply()[0], 250)
    eq(c.reply()[0], 250)
    eq(c.reply()[0], 354)
    c.send(b'second\r\n.\r\nQUIT\r\n')
    eq(c.reply()[0], 250)
    eq(c.reply()[0], 221)
    assert c.eof()
    envs = todo_envelopes(h)
    eq(len(envs), 2)
    assert any(e.endswith(b'Fa@example.org\0Tjoe@nqmail.test\0Tbob@nqmail.test\0') for e in envs), envs


def test_pipelined_replies_come_together(h):
    """All replies to a pipelined group are written at once, when the input runs dry."""
    c = session(h)
    c.send(b'NOOP\r\n' * 50)
    want = b'250 2.0.0 ok\r\n' * 50
    got = b''
    first = None
    while len(got) < len(want):
        d = c.s.recv(65536)
        if not d:
            break
        if first is None:
            first = d
        got += d
    eq(got, want)
    eq(first, want, 'the 50 replies in one write')


# --- sequence and syntax ------------------------------------------------------------

def test_sequence_errors(h):
    c = session(h)
    eq(c.cmd(b'RCPT TO:<joe@nqmail.test>')[1], [b'503 5.5.1 MAIL first'])
    eq(c.cmd(b'DATA')[1], [b'503 5.5.1 MAIL first'])
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    eq(c.cmd(b'MAIL FROM:<a@example.org>')[1], [b'503 5.5.1 nested MAIL command'])
    eq(c.cmd(b'DATA')[1], [b'503 5.5.1 RCPT first'])
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    c.expect(b'RSET', 250)
    eq(c.cmd(b'RCPT TO:<joe@nqmail.test>')[0], 503)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    c.expect(b'EHLO again', 250)        # EHLO resets the transaction
    eq(c.cmd(b'DATA')[0], 503)
    nothing_queued(h)


def test_mail_syntax(h):
    c = session(h)
    for cmd, code in ((b'MAIL', 501), (b'MAIL TO:<a@b>', 501), (b'MAIL FROM:<a@b', 501),
                      (b'MAIL FROM:<a@example.org> FOO=BAR', 555), (b'MAIL FROM:<a@example.org> SIZE=x', 501),
                      (b'MAIL FROM:<a@example.org> BODY=BINARYMIME', 501), (b'MAIL FROM:<a<b@c>', 501)):
        eq(c.cmd(cmd)[0], code, cmd)
    c.expect(b'mail from: <a@example.org> body=7bit', 250)
    eq(c.cmd(b'RCPT TO:<joe@nqmail.test> NOTIFY=NEVER')[0], 555)
    eq(c.cmd(b'RCPT TO:<>')[0], 501)
    eq(c.cmd(b'RCPT TO:')[0], 501)
    eq(c.cmd(b'RCPT FROM:<joe@nqmail.test>')[0], 501)
    c.expect(b'RCPT TO: <joe@nqmail.test>', 250)
    eq(c.cmd(b'DATA now')[0], 501)


def test_control_characters_in_addresses_refused(h):
    """C0, DEL and C1 controls (raw or as UTF-8) and bytes that are not UTF-8 never
    enter an envelope, even in an SMTPUTF8 transaction: 501 with the sender's or the
    recipient's syntax code."""
    bad = (b'a\xc2\x9b[2J@example.org', b'a\x9b@example.org', b'a\x1b]0;x\x07@example.org',
           b'a\x7f@example.org', b'"a\x01b"@example.org', b'a\xe9@example.org')
    c = session(h)
    for a in bad:
        code, lines = c.cmd(b'MAIL FROM:<' + a + b'> SMTPUTF8')
        eq((code, lines[-1][4:9]), (501, b'5.1.7'), repr(a))
    c.expect(b'MAIL FROM:<a@example.org> SMTPUTF8', 250)
    for a in bad:
        code, lines = c.cmd(b'RCPT TO:<' + a.replace(b'example.org', b'nqmail.test') + b'>')
        eq((code, lines[-1][4:9]), (501, b'5.1.3'), repr(a))
    c.close()
    nothing_queued(h)


def test_smtpd_log_escapes_non_ascii(h):
    """qmail-smtpd's log lines escape every foreign byte: a UTF-8 sender is logged as
    \\xHH escapes, never as raw bytes."""
    c = session(h)
    c.expect(b'MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8', 250)
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    data(c, MSG)
    c.close()
    wait_for(lambda: log_has(h, r'from <j\\xc3\\xb6rg@example\.org> rcpt <joe@nqmail\.test> ok'), 10,
             'the escaped sender in the log')
    assert b'\xc3' not in open(os.path.join(h.logdir, 'smtpd'), 'rb').read()


# --- limits ---------------------------------------------------------------------------

def vm_hwm_kb(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    raise TestFailure('no VmHWM for %d' % pid)


def the_smtpd_pid(h, c):
    """The qmail-smtpd serving client c: its TCPREMOTEPORT is c's port (the server's
    wait-until-listening probe may still have a session of its own)."""
    want = b'TCPREMOTEPORT=%d' % c.s.getsockname()[1]

    def find():
        for pid in h.pids_under('qmail-smtpd'):
            try:
                if want in open('/proc/%d/environ' % pid, 'rb').read().split(b'\0'):
                    return pid
            except OSError:
                pass
        return None
    return wait_for(find, 5, 'the qmail-smtpd of our session')


def test_long_command_line_bounded_memory(h):
    c = session(h)
    pid = the_smtpd_pid(h, c)
    before = vm_hwm_kb(pid)
    c.send(b'NOOP ' + b'x' * (8 * 1024 * 1024) + b'\r\n')
    eq(c.reply()[1], [b'500 5.5.2 line too long'])
    after = vm_hwm_kb(pid)
    assert after - before < 1024, 'VmHWM grew from %d kB to %d kB' % (before, after)
    c.expect(b'NOOP', 250)
    eq(c.cmd(b'NOOP ' + b'y' * 995)[0], 250)     # 1000 bytes: allowed
    eq(c.cmd(b'NOOP ' + b'y' * 996)[0], 500)     # 1001 bytes: too long


def test_long_line_under_small_address_space(h):
    """The same under prlimit --as: a server that buffered the line would die."""
    port = h.smtpd(program=['prlimit', '--as=%d' % (64 << 20), h.bin('qmail-smtpd')])
    c = Client(port)
    eq(c.reply()[0], 220)
    chunk = b'z' * (1 << 20)
    c.send(b'HELO ')
    for _ in range(100):
        c.send(chunk)
    c.send(b'\r\n')
    eq(c.reply()[1], [b'500 5.5.2 line too long'])
    c.expect(b'NOOP', 250)


def rcpt_flood(c, n, batch=500):
    codes = []
    for start in range(0, n, batch):
        k = min(batch, n - start)
        c.send(b''.join(b'RCPT TO:<u%d@nqmail.test>\r\n' % i for i in range(start, start + k)))
        for _ in range(k):
            codes.append(c.reply()[0])
    return codes


def test_10000_rcpts_get_452_after_maxrcpt(h):
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    codes = rcpt_flood(c, 10000)
    eq(codes[:1000], [250] * 1000)
    eq(codes[1000:], [452] * 9000)
    eq(c.cmd(b'RCPT TO:<one.more@nqmail.test>')[1], [b'452 4.5.3 too many recipients'])
    data(c, b'x\r\n')
    (env,) = todo_envelopes(h)
    eq(env.count(b'\0T'), 1000)


def test_maxrcpt_control(h):
    h.control('maxrcpt', '3\n')
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    eq(rcpt_flood(c, 5), [250, 250, 250, 452, 452])


def test_oversize_message_refused(h):
    h.control('databytes', '1000\n')
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    lines = data(c, b'Subject: big\r\n\r\n' + b'0123456789abcdef\r\n' * 500, code=552)
    eq(lines, [b'552 5.3.4 sorry, that message size exceeds my databytes limit'])
    nothing_queued(h)
    c.expect(b'NOOP', 250)           # the session goes on
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    data(c, b'x' * 900 + b'\r\n')    # under the limit (901 bytes with LF)
    eq(len(todo_envelopes(h)), 1)
    wait_for(lambda: log_has(h, r'from <a@example.org> rcpt <joe@nqmail.test> ok size \d+ result 552 message too big'), 5, 'log')


def test_size_parameter_too_big(h):
    h.control('databytes', '1000\n')
    c = session(h)
    eq(c.cmd(b'MAIL FROM:<a@example.org> SIZE=1001')[1],
       [b'552 5.3.4 sorry, that message size exceeds my databytes limit'])
    eq(c.cmd(b'MAIL FROM:<a@example.org> SIZE=99999999999999999999999999')[0], 552)
    c.expect(b'MAIL FROM:<a@example.org> SIZE=1000', 250)


def test_databytes_environment_override(h):
    h.control('databytes', '1000\n')
    c = session(h, rules=':allow,DATABYTES="50"\n', helo=None)
    assert b'250-SIZE 50' in c.expect(b'EHLO x', 250)


def test_too_many_hops(h):
    c = session(h)
    for n, code in ((100, 250), (101, 554)):
        c.expect(b'MAIL FROM:<a@example.org>', 250)
        c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
        hdr = b''.join((b'Received: hop %d\r\n' if i % 2 else b'Delivered-To: hop %d\r\n') % i for i in range(n))
        lines = data(c, hdr + b'Subject: loop\r\n\r\nReceived: in the body\r\n', code=code)
        if code == 554:
            eq(lines, [b'554 5.4.6 too many hops, this message is looping'])
    eq(len(todo_envelopes(h)), 1)


def test_too_many_bad_commands(h):
    c = session(h)
    for i in range(19):
        eq(c.cmd(b'BOGUS %d' % i)[0], 502)
    code, lines = c.cmd(b'BOGUS last')
    eq(code, 421)
    assert c.eof()


def test_relay_probing_is_cut_off(h):
    """Each refused relay attempt is logged and counts as a bad command."""
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    for i in range(19):
        eq(c.cmd(b'RCPT TO:<x%d@example.com>' % i)[0], 553)
    code, lines = c.cmd(b'RCPT TO:<last@example.com>')
    eq(code, 421)
    assert c.eof()


def test_timeout(h):
    h.control('timeoutsmtpd', '1\n')
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    t0 = time.monotonic()
    code, lines = c.reply()
    eq(code, 421)
    assert c.eof()
    assert time.monotonic() - t0 < 10
    wait_for(lambda: log_has(h, r'qmail-smtpd: timeout: ip 127.0.0.1'), 5, 'the timeout log line')


def test_write_timeout(h):
    """A client that sends and never reads: qmail-smtpd's writes time out too."""
    h.control('timeoutsmtpd', '1\n')
    c = session(h)
    pid = the_smtpd_pid(h, c)
    c.s.settimeout(30)
    try:
        c.send(b'NOOP\r\n' * 2000000)
    except OSError:
        pass
    wait_for(lambda: log_has(h, r'qmail-smtpd: timeout: ip 127.0.0.1'), 20, 'the timeout log line')
    wait_for(lambda: pid not in h.pids_under('qmail-smtpd'), 5, 'qmail-smtpd to exit')


def test_timeout_in_data_queues_nothing(h):
    h.control('timeoutsmtpd', '1\n')
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    eq(c.cmd(b'DATA')[0], 354)
    c.send(b'Subject: never finished\r\n\r\nhalf')
    code, lines = c.reply()
    eq(code, 421)
    assert c.eof()
    wait_for(lambda: not h.pids_under('qmail-queue'), 5, 'qmail-queue to be gone')
    nothing_queued(h)


def test_client_hangs_up_in_data(h):
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    eq(c.cmd(b'DATA')[0], 354)
    c.send(b'Subject: cut\r\n\r\npartial\r\n')
    c.s.shutdown(socket.SHUT_WR)
    assert c.eof()
    wait_for(lambda: log_has(h, r'result connection lost in DATA'), 5, 'the log line')
    wait_for(lambda: not h.pids_under('qmail-queue'), 5, 'qmail-queue to be gone')
    nothing_queued(h)


# --- qmail-queue failures ---------------------------------------------------------------

def fake_qq(h, code):
    p = os.path.join(h.path, 'fake-qq-%d' % code)
    with open(p, 'w') as f:
        f.write('#!/bin/sh\ncat > /dev/null\nexit %d\n' % code)
    os.chmod(p, 0o755)
    return p


def test_qq_permanent_and_temporary_failures(h):
    for code, want in ((31, b'554 5.3.0 mail server permanently rejected message (#5.3.0)'),
                       (53, b'452 4.3.1 qq write error or disk full (#4.3.1)')):
        c = session(h, env={'QMAILQUEUE': fake_qq(h, code)})
        c.expect(b'MAIL FROM:<a@example.org>', 250)
        c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
        eq(data(c, b'x\r\n', code=int(want[:3])), [want])
        h.kill_all()


def test_control_error_gives_421(h):
    h.control('databytes', 'lots\n')
    port = h.smtpd()
    c = Client(port)
    eq(c.reply(), (421, [b'421 4.3.0 unable to read controls']))
    assert c.eof()
    wait_for(lambda: log_has(h, r'control/databytes line 1'), 5, 'the log line naming the file')


def test_log_never_holds_raw_client_bytes(h):
    c = session(h, helo=b'EHLO h\xc3\xa9lo\x01\\x')
    c.expect(b'MAIL FROM:<"a b\\\\(x)"@example.org>', 250)
    c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
    c.send(b'DATA\r\nx\ny\r\n.\r\n')
    eq(c.reply()[0], 354)
    eq(c.reply()[0], 554)
    want = rb'tx ip 127.0.0.1 helo <h\xc3\xa9lo\x01\x5cx> from <"a\x20b\x5c\x5c(x)"@example.org> rcpt'
    wait_for(lambda: want in open(os.path.join(h.logdir, 'smtpd'), 'rb').read(), 5, 'log')
    for line in open(os.path.join(h.logdir, 'smtpd'), 'rb').read().split(b'\n'):
        assert all(0x20 <= c < 0x7f for c in line), line


# --- replayed and generated sessions ------------------------------------------------------

# profuzzbench's SMTP seeds and dictionary (Apache-2.0), copied into the tree
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'profuzzbench-smtp')


def replay(port, raw):
    return send_and_read(port, raw, 20)


def no_crash(h):
    log = h.read_log('smtpd')
    for line in log.splitlines():
        m = re.match(r'tcpserver: end \d+ status (\d+)', line)   # a wait status
        if m and (int(m.group(1)) & 0x7f or (int(m.group(1)) >> 8) not in (0, 100, 111)):
            raise TestFailure('qmail-smtpd ended badly: %s' % line)


def test_replay_profuzzbench_sessions(h):
    import glob
    files = sorted(glob.glob(os.path.join(DATA_DIR, '*.raw')))
    if not files:
        raise TestFailure('no .raw sessions in ' + DATA_DIR)
    for rules in (':allow\n', RELAY):
        port = h.smtpd(rules=rules)
        for p in files:
            raw = open(p, 'rb').read()
            for variant in (raw, raw.replace(b'\r\n', b'\n'), raw[:len(raw) // 2]):
                got = replay(port, variant)
                assert got.startswith(b'220 nqmail.test ESMTP\r\n'), got
                assert got.endswith(b'\r\n'), got
        h.kill_all()
    no_crash(h)


def test_generated_sessions_from_dictionary(h):
    """Random command sequences from the profuzzbench dictionary (fixed seed): every session
    gets a greeting and ends with a complete reply; qmail-smtpd never crashes."""
    import random
    tokens = []
    with open(os.path.join(DATA_DIR, 'smtp.dict'), 'rb') as f:
        for line in f:
            m = re.match(rb'^[^"#]*"(.*)"\s*$', line)
            if m:
                tokens.append(m.group(1).decode('unicode_escape').encode('latin-1'))
    tokens += [b'MAIL FROM:<a@example.org>', b'RCPT TO:<joe@nqmail.test>', b'DATA', b'.', b'\r\n', b'\x00',
               b'SIZE=99999999999999999999', b'<', b'>', b'@', b'%', b' ']
    rnd = random.Random(1234)
    port = h.smtpd(rules=RELAY)
    for _ in range(150):
        cmds = []
        for _ in range(rnd.randint(1, 12)):
            cmds.append(b''.join(rnd.choice(tokens) for _ in range(rnd.randint(1, 4))))
        raw = b'\r\n'.join(cmds) + b'\r\nQUIT\r\n'
        got = replay(port, raw)
        assert got.startswith(b'220 '), got
        assert got.endswith(b'\r\n'), (raw, got)
    no_crash(h)
