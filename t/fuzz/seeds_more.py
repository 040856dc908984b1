"""seeds_more.py: seeds and dictionaries of the targets added after the first
nineteen (parsers that landed later); called by seeds.py's main."""

import base64


def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode())


def main(write):
    write('base64', [b'\x10' + b64(x) for x in (b'', b'f', b'fo', b'foo', b'\x00user\x00pass', bytes(range(256)))] +
          [b'\x10Zg', b'\x10Zh==', b'\x10Zm9=', b'\x10Zm 9v', b'\x00Zm9v', b'\x10====', b'\x10Zg==Zg=='],
          ['=', '==', 'A', '+', '/', 'AAAA'])
    write('sasl', [b'\x00PLAIN', b'\x00LOGIN', b'\x00plain =', b'\x00PLAIN ' + b64('\0joe\0pw'), b'\x00CRAM-MD5 x',
                   b'\x00LOGIN  x', b'\x00 PLAIN', b'\x01' + b64('joe'), b'\x01' + b64('a\0b'), b'\x01*', b'\x01' + b64('x' * 256),
                   b'\x02' + b64('\0joe\0secret'), b'\x02' + b64('joe\0joe\0secret'), b'\x02' + b64('bob\0joe\0secret'),
                   b'\x02' + b64('\0\0pw'), b'\x02' + b64('\0joe\0'), b'\x02' + b64('\0joe'), b'\x02',
                   b'\x03joe:secret', b'\x03joe@example.org:pa:ss word', b'\x03:pw', b'\x03joe:', b'\x03jo e:pw', b'\x03joe',
                   b'\x04LOGIN PLAIN CRAM-MD5', b'\x04login', b'\x04CRAM-MD5  PLAINX', b'\x04 PLAIN', b'\x04'],
          ['PLAIN', 'LOGIN', ' ', '=', ':', 'AUTH ', 'CRAM-MD5', '\x00'])
    paths = [b'<joe@example.org>', b'<>', b'<"a b"@x.org>', b'<"joe"@x.org>', b'<@r1.org,@r2.org:joe@x.org> SIZE=10',
             b'  <a.b.c@[192.0.2.1]>', b'<a@[IPv6:2001:db8::1]>', b'<postmaster>', b'<a..b@x>', b'<.a@x>', b'<a@-x.org>',
             b'<"\\"q\\\\"@x>', b'joe@x.org', b'<a@x', b'<' + b'a' * 65 + b'@x>', b'<a@' + b'b' * 300 + b'.org>',
             '<j\u00f6rg@b\u00fccher.example>'.encode(), b'<\xc3\x28@x>', b'<\xc2\x85@x>', b'<a@x.org.>', b'<a@[300.1.1.1]>']
    write('smtpd_path', [b'\x00' + p for p in paths] + [b'\x01' + p for p in paths],
          ['<', '>', '@', '"', '\\', ':', ',', '[', ']', 'IPv6:', '.', ' ', '\xc3\xa9'])
    al = [b'# comment\npostmaster: root\nroot: joe, "|/usr/bin/vacation joe", /var/mail/joe, ./Maildir/\n',
          b'staff: a, b,\n  c, d@example.org\n\tE\n', b'list: :include:/etc/list\n\n\x00\x00a, b\n# x\n\\c\n',
          b'loop: loop2\nloop2: loop\n', b'self: \\self, self\n', b'a: <b@c.org>, "quoted, member", "\\"x"\n',
          b'Dup: x\ndup: y\n', b'noname\n', b' cont: x\n', b'a:\n', b'a: "unterminated\n', b'a: b c\n', b'a@b: c\n',
          b'a: :include:relative\n', b'a: :include:/x\n\n\x00\x00"|cmd"\n', b'a: x\r\nb: y\r\n', b'a: "|"\n', b'a: x\x00\n',
          b'a: b\nb: c\nc: d\nd: e\ne: f\nf: g\ng: h\nh: i\ni: j\nj: k\nk: l\nl: m\nm: n\nn: o\no: p\np: q\nq: r\nr: s\n']
    write('aliases', al, [':', ',', '\n', '\n ', '"', '|', '/', ':include:', '\\', '@', '#', '\n\x00\x00'])
    write('smtpd_policy', [b'mail.example.org\n*.example.org\nlocalhost', b'EXAMPLE\n*ex?mple*', b'a\n**\n', b'ab\n*a*b*a*\n?',
                           b'joe@Example.ORG\n@example.org\nbob@x', b'a@b@c\n@c\n@b@c', b'\n\n@', b'x\n*x*x*x*x*x*x*x*x*y'],
          ['*', '?', '@', '\n', '.'])
    sub = [b'Subject: hi\n\nbody\n', b'From: a@b\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <x@y>\n\nbody\n',
           b'Resent-From: x@y\nSubject: s\n\n', b'Subject: folded\n  line\n\tagain\n\nbody\n', b'no header line\nbody\n',
           b'\nbody only\n', b'', b'Subject: no end', b'X' * 1100 + b': long\n\n', b'Subject: x\n' + b'y' * 2000 + b'\n']
    write('smtpd_submit', [bytes([i * 37 % 256]) + m for i, m in enumerate(sub)],
          ['\n', '\n\n', ': ', 'From:', 'Date:', 'Message-ID:', 'Resent-', ' ', '\t'])
    hops = [b'Received: from a\r\nDelivered-To: x\r\n\r\nReceived: body\r\n', b'received:x\nRECEIVED: y\n delivered-to: z\n\nb',
            b'Received: x\n' * 101 + b'\n', b'Delivered-To:\nReceived:', b'\r\nReceived: x\n', b'Rec\x00ived: x\n']
    write('hopcount', [bytes([i * 53 % 256]) + m for i, m in enumerate(hops)], ['Received:', 'Delivered-To:', '\r\n', '\n', '\r\n\r\n'])
    write('netstr', [b'\xff12:hello world!,', b'\xff0:,', b'\x0112:hello world!,', b'\xff00:,', b'\xff3:abc;', b'\xff3:ab',
                     b'\xff99999999999999999999999:', b'\xff:,', b'\xff5:a', b'\xff18446744073709551615:', b'\xff2:ab,2:cd,'],
          [':', ',', '0', '9', '18446744073709551616'])
    vp = [b'joe:$6$salt$hash:1000:1000:/home/vmail/joe', b'a.b@example.org:x:1:0:/h', b'-joe:x:1:1:/h', b'joe::1:1:/h',
          b'joe:x:0:1:/h', b'joe:x:1:1:relative', b'joe:x:1:1:/a:b', b'joe:x:1:1', b'joe:x:01:+1:/h', b'joe:x:2147483648:1:/h',
          b'joe:x:1:1:/h\x01', b'x' * 65 + b':x:1:1:/h', b'joe:x:1:1:/h\x00']
    write('vpasswd', [b'\x01' + r for r in vp] + [b'\x00' + r.split(b':', 1)[1] for r in vp if b':' in r],
          [':', '/', '$6$', '0', '2147483647', '@'])
    write('dnsservers', [b'127.0.0.1', b'127.0.0.1:5353\n::1\n[::1]:53', b'192.0.2.1:0', b'192.0.2.1:65536', b'[::1]x',
                         b'2001:db8::1', b'1.2.3', b'1.2.3.4:', b'[]:53', b'fe80::1%eth0', b'1.2.3.4\n\n5.6.7.8'],
          [':', '[', ']', '.', '::', '\n', '53'])
    bnd = b'=_nq_0123456789'
    mm = [b'', b'hello\nworld\n', b'caf\xc3\xa9\n', b'a\r\nb', b'nul\x00', b'x' * 999 + b'\n', b'x' * 998 + b'\n' + b'y' * 998,
          b'before --' + bnd + b' after', b'=_nq_012345678=_nq_0123456789', bytes(range(256)) * 2]
    write('mime', [bytes([len(bnd) - 1]) + bnd + bytes([i * 29 % 256]) + m for i, m in enumerate(mm)] +
          [b'\x00a\x07aaaaa', b'\x02aab\x03aaab'], ['\n', '\r', '\x00', '\x80', '--', '=_nq_'])
    dr = [b'mx.example.org [192.0.2.1] does not like recipient.\nRemote host said: 550 5.1.1 no such user (#5.1.1)\nGiving up on 192.0.2.1.\n',
          b'[192.0.2.1] [192.0.2.1] Remote host said: 451 try later I\'m not going to try again; this message has been in the queue too long.',
          b'Sorry, no mailbox here by that name. (#5.1.1)', b'this message has been in the queue too long.', b'(#2.0.0) ok',
          b'(#4.3.0) disk', b'(#5.999.999)', b'(#5.1234.1)', b'Remote host said: ', b'x [ Remote host said: 550 (#5.7.1)']
    ns = [b'12:hello world!,', b'0:,', b'3:abc,3:def,0:,', b'00:,', b'3:abc;', b'3:ab', b':,', b'5:a', b'2:ab,2:cd',
          b'99999999999999999999999:', b'18446744073709551615:', b'18446744073709551616:', b'1:x,x', b'4:\r\n.\n,',
          b'13:2:ab,4:cdef,,', b'10000:' + b'x' * 10000 + b',']
    write('nsio', [bytes([m, lim, 0]) + x for m, lim in ((0, 255), (4, 255), (1, 3), (0, 1), (7, 255)) for x in ns] +
          [b'\x02\x00\x00', b'\x02\x00\x00hello', b'\x05\x00\x00' + bytes(range(256)) * 40,
           b'\x04\xff\x00' + b'20000:' + b'y' * 20000 + b',', b'\x04\xff\xff' + b'9000:' + b'z' * 9000 + b','],
          [':', ',', '0:,', '1', '9', '18446744073709551615'])
    write('dsn', [bytes([i]) + r for i in (0, 1) for r in dr], ['Remote host said: ', '(#', '5.1.1', ' [', 'no mailbox',
                                                            "I'm not going to try again;", 'this message has been in the queue too long.'])
