#!/usr/bin/python3
"""seeds.py: (re)write the seed files (seed-*) of every target's corpus and the
dictionaries. Seeds copied from ../shared/data keep their licence: see
t/fuzz/SEEDS.md. Run from the top of the tree: /usr/bin/python3 t/fuzz/seeds.py"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seeds_more  # noqa: E402

DATA = os.environ.get('NQ_SHARED_DATA', '/work/shared/data')
PFB = 't/data/profuzzbench-smtp'          # Apache-2.0, already in the tree
PY = os.path.join(DATA, 'python-email-msgs')  # PSF-2.0
RB = os.path.join(DATA, 'ruby-mail-fixtures')  # MIT

PY_MSGS = ['msg_01.txt', 'msg_02.txt', 'msg_05.txt', 'msg_13.txt']
RB_MSGS = ['rfc2822/example01.eml', 'rfc2822/example06.eml', 'plain_emails/basic_email.eml',
           'multipart_report_emails/report_422.eml', 'error_emails/cant_parse_from.eml']


def read(p):
    with open(p, 'rb') as f:
        return f.read()


def messages():
    out = []
    for m in PY_MSGS:
        p = os.path.join(PY, m)
        if os.path.exists(p):
            out.append(read(p))
    for m in RB_MSGS:
        p = os.path.join(RB, m)
        if os.path.exists(p):
            out.append(read(p))
    return out


def write(target, seeds, dictionary=None):
    d = os.path.join('t/fuzz', target, 'corpus')
    os.makedirs(d, exist_ok=True)
    os.makedirs(os.path.join('t/fuzz', target, 'crashes'), exist_ok=True)
    for f in os.listdir(d):
        if f.startswith('seed-'):
            os.unlink(os.path.join(d, f))
    for i, s in enumerate(seeds):
        with open(os.path.join(d, 'seed-%02d' % i), 'wb') as f:
            f.write(s if isinstance(s, bytes) else s.encode())
    if dictionary:
        with open(os.path.join('t/fuzz', target, 'dict'), 'w') as f:
            for w in dictionary:
                f.write('"%s"\n' % ''.join(c if 32 <= ord(c) < 127 and c not in '"\\' else '\\x%02x' % ord(c) for c in w))


def crlf(b):
    return b.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')


def stuffed(b):
    lines = crlf(b).split(b'\r\n')
    return b'\r\n'.join(b'.' + l if l.startswith(b'.') else l for l in lines)


def header_values(msgs, names):
    vals = []
    for m in msgs:
        head = m.replace(b'\r\n', b'\n').split(b'\n\n', 1)[0]
        for line in head.replace(b'\n ', b' ').replace(b'\n\t', b' ').split(b'\n'):
            n = line.split(b':', 1)[0].lower()
            if n in names:
                vals.append(line)
    return vals


SMTP_WORDS = ['EHLO', 'HELO', 'MAIL FROM:', 'RCPT TO:', 'DATA', 'BDAT', 'RSET', 'NOOP', 'QUIT', 'VRFY',
              'HELP', 'STARTTLS', 'AUTH PLAIN', 'AUTH LOGIN', '\r\n', '\r\n.\r\n', '<>', 'SIZE=', 'BODY=8BITMIME']
POP3_WORDS = ['USER ', 'PASS ', 'APOP ', 'STAT', 'LIST', 'RETR ', 'DELE ', 'NOOP', 'RSET', 'QUIT', 'TOP ',
              'UIDL', 'CAPA', 'STLS', '\r\n', '\n']


def main():
    msgs = messages()
    sessions = [read(os.path.join(PFB, f)) for f in ('smtp_requests_full.raw', 'smtp_requests_full_bdat.raw')]
    own = [b'EHLO x\r\nMAIL FROM:<a@b> SIZE=10\r\nRCPT TO:<c@d>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n',
           b'HELO x\nQUIT\r\n', b'NOOP\rX\r\n', b'A' * 1200 + b'\r\nQUIT\r\n', b'MAIL FROM:<a\x00b>\r\n',
           b'\r\n\r\n', b'RCPT TO:<' + b'x' * 999 + b'>\r\n']
    write('smtpd_line', [b'\x00' + s for s in sessions] + [bytes([i]) + s for i, s in enumerate(own)], SMTP_WORDS)

    bodies = [stuffed(m) + b'\r\n.\r\n' for m in msgs[:5]]
    bodies += [b'Received: from a\r\nreceived: x\r\nDelivered-To: y\r\n\r\nbody\r\n.\r\n',
               b'..leading dot\r\n.\r\n', b'.\r\n', b'a\nb\r\n.\r\n', b'a\rb\r\n.\r\n', b'x\r\n.\r\nafter',
               b'.x\r\n..\r\n.\r\n', b'Subject: t\r\n' * 50 + b'\r\n.\r\n']
    write('smtpd_data', [bytes([7 * i]) + b for i, b in enumerate(bodies)],
          ['\r\n', '\r\n.\r\n', '.', 'Received:', 'Delivered-To:', '\r', '\n'])

    raw = msgs[:5] + [b'', b'.', b'.\n', b'a\r\nb\rc\n.d\r', b'\r\r\n.\r\n', b'\x80\xff\n', b'line\n..\n']
    write('smtpenc', [bytes([3 * i]) + m for i, m in enumerate(raw)], ['\r\n', '.', '\r', '\n.\r\n'])

    paths = [b'<a@example.org>', b'<>', b'<@r1,@r2:joe@example.org> SIZE=100', b'joe@example.org',
             b' <"quoted x"@d> BODY=8BITMIME', b'<a\\>b@c>', b'<"a\\"b"@C.Org>', b'<@x:>', b'<a@b',
             b'<' + b'l' * 64 + b'@' + b'd' * 250 + b'>', b'<\xc3\xa9t\xc3\xa9@ex.org>']
    write('addr', paths, ['<', '>', '@', '"', '\\', ':', ',', ' SIZE='])

    params = [b'SIZE=1000', b'BODY=8BITMIME', b'SIZE=1 BODY=7BIT', b'size=18446744073709551616',
              b'\tSIZE=0\t', b'SIZE=', b'BODY=', b'FOO=bar', b'SIZE=12a', b'SMTPUTF8', b'AUTH=<>']
    write('smtpd_param', params, ['SIZE=', 'BODY=', '8BITMIME', '7BIT', ' ', '\t', 'SMTPUTF8', 'RET=', 'ENVID='])

    pop = [b'CAPA\r\nUSER joe\r\nPASS secret word\r\nSTAT\r\nLIST\r\nLIST 1\r\nRETR 1\r\nTOP 1 10\r\nUIDL\r\nDELE 1\r\nRSET\r\nNOOP\r\nQUIT\r\n',
           b'APOP joe c4c9334bac560ecc979e58001b3e22fb\r\nQUIT\r\n', b'user joe\npass x\n', b'STLS\r\n',
           b'LIST 99999999999999999999\r\n', b'TOP 1 2 3\r\n', b'X' * 300 + b'\r\n', b'US\rER x\r\n', b'PASS \x00\r\n']
    write('pop3_line', [bytes([5 * i]) + p for i, p in enumerate(pop)], POP3_WORDS)
    write('pop3_cmd', pop, POP3_WORDS)

    replies = [b'220 mx.example.org ESMTP\r\n',
               b'250-mx.example.org\r\n250-SIZE 10240000\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250 ENHANCEDSTATUSCODES\r\n',
               b'550 5.1.1 <joe@example.org>: no such user\r\n', b'451-4.3.0 first\r\n452 second\r\n',
               b'354 go ahead\r\n', b'250 2.0.0 Ok: queued as 12345\r\n221 bye\r\n', b'999 x\r\n', b'25\r\n',
               b'421 4.4.2\n', b'250 \x01\x7f\xff\r\n']
    write('smtpreply', replies, ['250-', '250 ', '220 ', '550 ', '5.1.1', '2.0.0', 'SIZE', 'PIPELINING', 'STARTTLS', 'AUTH', '\r\n'])

    write('dns_answer', dns_seeds())

    dq = [b'# comment\n./Maildir/\n./mbox\n|/usr/bin/prog arg\n&joe@example.org\njoe@example.org\n/abs/Maildir/\n',
          b'|\n&\n&<x>\n  \n\t#x\n', b'./Maildir/  \t\n', b'user-ext.x\n', b'.hidden\n', b'a/b\n', b'x\x00y\n', b'\xc3\xa9\n']
    write('dotqmail', dq, ['|', '&', '#', './Maildir/', './', '/', '\n', '-default'])

    ctl = [b'example.org\n', b'  1234  \n', b'# comment\nfoo\n\nbar  \n', b'99999999999999999999999\n', b'',
           b'\n', b'a\x00b\n', b'x' * 5000 + b'\n', b'one\ntwo\r\nthree', b'\t \n#\n  # not a comment\n']
    write('control', ctl, ['#', '\n', ' ', '\t', '\r'])

    asg = [b'=joe:joe:1000:1000:/home/joe:::\n+joe-:joe:1000:1000:/home/joe:-::\n.\n',
           b'+:alias:7790:2108:/var/qmail/alias:-::\n=Mixed:u:1:2:/h:::\n=mixed:v:3:4:/h2:::\n',
           b'=a:b:c:d:e:::\n', b'=x:y:99999999999:1:/h:::\n', b'+pre.:u:1:1:/h:-:.ext:\n', b'=::1:1:/h:::\n',
           b'+A:u:1:1:/h:-:ext:\n=AZz:w:5:5:/w:::\n']
    write('assign', asg, ['=', '+', ':', '::', ':-::', '/home/', '\n.\n'])

    write('cdb', [b'a\tb\nc\td\na\te\n', b'\tempty key\nkey\t\n', b'k\tv\nK\tv2\nk2\tk\n', b'x' * 300 + b'\t' + b'y' * 300],
          ['\t', '\n'])

    env = [b'Fa@b\x00Tc@d\x00Te@f\x00\x00', b'u0\x00p123\x00Fa@b\x00Tc@d\x00', b'F\x00Tx@y\x00\x00',
           b'Fa@b\x00\x00', b'Fa\nb\x00Tc\x00\x00', b'u18446744073709551616\x00p1\x00F\x00Tc\x00', b'Fa@b\x00Tc@d\x00\x00junk']
    write('envelope', env, ['\x00', 'F', 'T', 'u', 'p', '\x00\x00'])

    qf = [b'Fa@b\x00b1700000000\x00', b'Fa@b\x00', b'Ta@b\x00Dc@d\x00', b'joe@x\x00reason one\x00ann@y\x00half',
          b'F\x00b\x00', b'T\x00', b'Xa\x00']
    write('qfile', qf, ['\x00', 'F', 'b', 'T', 'D'])

    sp = [b'\x00\x10' + b'0\x00123\x00a@b\x00c@d\x00' * 2, b'\x01\x10' + b'3\x00Kdelivered\x00' + b'0\x00Zdeferred\x00',
          b'\x02\x00' + b'L42\x00x7\x00t8\x00', b'\x00\x00' + b'9\x001\x00\x00\x00', b'\x01\x01' + b'0\x00Q\x00',
          b'\x00\x10' + b'00\x0018446744073709551616\x00a\x00b\x00']
    write('spawnproto', sp, ['\x00', 'K', 'Z', 'D', 'L', 'x', 't'])

    # rresult: the first byte gives the job's recipient count, the rest is qmail-remote's output
    rr = [b'\x01r\x00Kok\x00', b'\x02rfirst\x00hno such user\x00Kthanks\x00', b'\x03s4xx greylisted\x00Zlater\x00',
          b'\x01Dconnect failed\x00', b'\x02r\x00']
    write('rresult', rr, ['\x00', 'r', 'h', 's', 'K', 'Z', 'D'])

    t0 = struct.pack('<q', 1700000000)
    rec = [t0 + b'ESMTP\x00mx.example.org\x00192.0.2.1\x00client.example\x00helo.example',
           t0 + b'SMTP\x00\x00\x00\x00', struct.pack('<q', -1) + b'x\x00y\x00z\x00(a)\x00"b\\"\r\n',
           struct.pack('<q', 2 ** 62) + b'ESMTPSA\x00l\x00::1\x00\x00[192.0.2.1]',
           t0 + b'P\x00' + b'h' * 300 + b'\x00ip\x00\xc3\xa9\x00\x7f']
    write('received', rec)

    hv = header_values(msgs, (b'from', b'to', b'cc', b'reply-to', b'sender'))
    hv += [b'To: a@b, "x y" <c@d>, group: e@f, g@h;', b'Cc: Joe (comment) <@r1,@r2:joe@x.org>',
           b'To: undisclosed-recipients:;', b'From: <>', b'To: a@[192.0.2.1], "q\\"q"@x',
           b'To: joe', b'To: <a@b', b'To: "unterminated', b'Bcc: a@b (nested (c))', b'x y: a']
    write('header', hv, ['<', '>', '@', ',', ';', ':', '"', '(', ')', '[', ']', '\\', 'To:', 'From:'])
    seeds_more.main(write)


def name(n):
    out = b''
    for label in n.split('.'):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b'\x00'


def rr(owner, t, rdata, cls=1):
    return owner + struct.pack('>HHIH', t, cls, 300, len(rdata)) + rdata


def packet(q, t, answers):
    hdr = struct.pack('>HHHHHH', 0x1234, 0x8180, 1, len(answers), 0, 0)
    return hdr + name(q) + struct.pack('>HH', t, 1) + b''.join(answers)


def dns_seeds():
    q = 'example.org'
    ptr = b'\xc0\x0c'     # the question's name
    out = []
    out.append(b'\x00\x05' + q.encode() + b'\x00' + packet(q, 1, [rr(ptr, 1, bytes([192, 0, 2, 1])), rr(ptr, 1, bytes([192, 0, 2, 2]))]))
    out.append(b'\x02\x05' + q.encode() + b'\x00' + packet(q, 28, [rr(ptr, 28, bytes(range(16)))]))
    out.append(b'\x01\x05' + q.encode() + b'\x00' + packet(q, 15, [rr(ptr, 15, b'\x00\x0a' + name('mx1.example.org')),
                                                                   rr(ptr, 15, b'\x00\x14' + b'\x03mx2' + ptr)]))
    out.append(b'\x01\x05' + q.encode() + b'\x00' + packet(q, 15, [rr(ptr, 15, b'\x00\x00\x00')]))   # null MX
    out.append(b'\x00\x05' + q.encode() + b'\x00' + packet(q, 1, [rr(ptr, 5, name('alias.example.net')),
                                                                  rr(name('alias.example.net'), 1, bytes([198, 51, 100, 7]))]))
    out.append(b'\x00\x05' + q.encode() + b'\x00' + packet(q, 1, [rr(ptr, 5, name('elsewhere.example.net'))]))
    out.append(b'\x00\x05' + q.encode() + b'\x00' + packet(q, 1, [rr(ptr, 5, ptr)]))   # CNAME loop
    out.append(b'\x00\x05' + q.encode() + b'\x00' + packet(q, 1, [rr(b'\xc0\x30', 1, bytes(4))]))  # bad pointer
    out.append(b'\x01\x01EXAMPLE.ORG\x00' + packet(q, 15, [rr(ptr, 15, b'\x00\x0a' + name('mx.example.org'), cls=3)]))
    return out


if __name__ == '__main__':
    if not os.path.exists('t/fuzz/seeds.py'):
        sys.exit('seeds.py: run from the top of the tree')
    main()
