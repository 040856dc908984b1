"""remotens: peers for remote-delivery tests, run inside a network namespace the test
makes itself (unshare -n): a DNS server (dnslib) on 127.0.0.53:53 and one that never
answers on 127.0.0.54:53, SMTP sinks (aiosmtpd) and raw misbehaving servers on port 25
of 127.0.0.x, as real MX hosts are. Nothing leaves the machine."""

import os
import socket
import ssl
import subprocess
import sys
import threading
import time

from dnslib import RR, QTYPE, RCODE, A, AAAA, MX, CNAME, DNSRecord
from dnslib.server import DNSServer, BaseResolver, DNSLogger

DNS_ADDR = '127.0.0.53'
DNS_DEAD = '127.0.0.54'


def ns_run(h, path, name, timeout=170):
    """Run function name of the test file path in a new network namespace; fail with its output."""
    from nqtest import TestFailure
    r = subprocess.run(['unshare', '-n', '/usr/bin/python3', path, name, h.path, h.src, h.build or ''],
                       capture_output=True, timeout=timeout)
    if r.returncode:
        raise TestFailure('%s in its namespace failed (exit %d):\n%s%s' % (
            name, r.returncode, r.stdout.decode(errors='replace'), r.stderr.decode(errors='replace')))


def ns_main(module):
    """__main__ of a test file: lo up, rebuild the Home, run the named function."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import nqtest
    name, path, src, build = sys.argv[1:5]
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    h = nqtest.Home(path, src, build or None)
    h.assign = []          # reset() made the Home outside; users are added inside
    try:
        getattr(module, name)(h)
    finally:
        h.kill_all()


class Zone(BaseResolver):
    """records: {name: [(type, value...)]}; 'servfail' names answer SERVFAIL; names
    starting with 'lazy' give a CNAME without the target's records."""

    def __init__(self, records):
        self.records = {k.lower().rstrip('.'): v for k, v in records.items()}

    def rrs(self, name, qtype):
        out = []
        for rec in self.records.get(name, []):
            t = rec[0]
            if t == 'CNAME':
                out.append(RR(name, QTYPE.CNAME, rdata=CNAME(rec[1]), ttl=60))
            elif t == qtype == 'MX':
                out.append(RR(name, QTYPE.MX, rdata=MX(rec[2], rec[1]), ttl=60))
            elif t == qtype == 'A':
                out.append(RR(name, QTYPE.A, rdata=A(rec[1]), ttl=60))
            elif t == qtype == 'AAAA':
                out.append(RR(name, QTYPE.AAAA, rdata=AAAA(rec[1]), ttl=60))
        return out

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).lower().rstrip('.')
        qtype = QTYPE[request.q.qtype]
        if name.startswith('servfail'):
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        for _ in range(8):
            if name not in self.records:
                if not reply.rr:
                    reply.header.rcode = RCODE.NXDOMAIN
                return reply
            rrs = self.rrs(name, qtype)
            reply.rr.extend(rrs)
            cn = [r for r in self.records[name] if r[0] == 'CNAME']
            if not cn or name.startswith('lazy'):
                return reply
            name = cn[0][1].lower().rstrip('.')
        return reply


def dns(records):
    srv = DNSServer(Zone(records), port=53, address=DNS_ADDR, logger=DNSLogger('-request,-reply,-truncated,-data', logf=lambda s: None))
    srv.start_thread()
    dead = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dead.bind((DNS_DEAD, 53))      # reads nothing, answers nothing
    return srv, dead


class Recorder:
    """An aiosmtpd handler: records each transaction; RCPT answers by local part
    (bad* 550, later* 450); data answered by data_reply."""

    def __init__(self, data_reply='250 2.0.0 ok'):
        self.transactions = []
        self.data_reply = data_reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('bad'):
            return '550 5.1.1 no such user'
        if address.startswith('later'):
            return '450 4.2.0 try later'
        envelope.rcpt_tos.append(address)
        return '250 2.1.5 ok'

    async def handle_DATA(self, server, session, envelope):
        self.transactions.append({'from': envelope.mail_from, 'to': list(envelope.rcpt_tos),
                                  'data': envelope.original_content, 'tls': session.ssl is not None,
                                  'mail_options': list(envelope.mail_options)})
        return self.data_reply


def sink(addr, port=25, handler=None, tls=None, **kw):
    from aiosmtpd.controller import Controller
    handler = handler or Recorder()
    c = Controller(handler, hostname=addr, port=port, tls_context=tls, require_starttls=False,
                   server_hostname='sink', ready_timeout=10, **kw)
    c.start()
    return handler, c


class Users:
    """An aiosmtpd authenticator: users {login: password}; every attempt is recorded
    (mechanism, login, password, TLS or not)."""

    def __init__(self, users):
        self.users = users
        self.attempts = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.attempts.append((mechanism, login, password, session.ssl is not None))
        return AuthResult(success=self.users.get(login) == password, handled=False)


def authsink(addr, users, tls=None, require_tls=True, **kw):
    """A smarthost that requires AUTH (and STARTTLS before it when require_tls);
    returns (Recorder, Users, controller)."""
    from aiosmtpd.controller import Controller
    handler, auth = Recorder(), Users(users)
    c = Controller(handler, hostname=addr, port=25, tls_context=tls, require_starttls=require_tls,
                   auth_require_tls=require_tls, auth_required=True, authenticator=auth,
                   server_hostname='smarthost', ready_timeout=10, **kw)
    c.start()
    return handler, auth, c


def raw(addr, behaviour, port=25):
    """A misbehaving server: 'greet421', 'stall' (never speaks), 'dropdata' (closes mid-DATA)."""
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    conns = []

    def serve(c):
        f = c.makefile('rb')
        if behaviour == 'greet421':
            c.sendall(b'421 4.3.2 busy\r\n')
            c.close()
            return
        if behaviour == 'stall':
            time.sleep(30)
            c.close()
            return
        c.sendall(b'220 raw ESMTP\r\n')
        for line in f:
            cmd = line[:4].upper()
            if cmd == b'EHLO':
                c.sendall(b'250-raw\r\n250 PIPELINING\r\n')
            elif cmd == b'DATA':
                c.sendall(b'354 go\r\n')
                f.readline()
                c.close()
                return
            elif cmd == b'QUIT':
                c.sendall(b'221 bye\r\n')
                c.close()
                return
            else:
                c.sendall(b'250 ok\r\n')

    def loop():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            conns.append(c)
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return s


def make_ca(d, names):
    """A test CA and a server certificate for names (DNS names) signed by it. Returns
    (ca.pem, an ssl.SSLContext for the server)."""
    def run(*a):
        subprocess.run(a, check=True, capture_output=True, cwd=d)
    run('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=nqmail test CA')
    run('openssl', 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=' + names[0])
    with open(os.path.join(d, 'ext'), 'w') as f:
        f.write('subjectAltName=' + ','.join('DNS:' + n for n in names) + '\n')
    run('openssl', 'x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
        '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext')
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(os.path.join(d, 'srv.pem'), os.path.join(d, 'srv.key'))
    return os.path.join(d, 'ca.pem'), ctx


def remote(h, domain, sender, rcpts, msg, timeout=60):
    """qmail-remote as qmailr; returns (records, elapsed) with records split at NULs."""
    t0 = time.monotonic()
    r = h.run([h.bin('qmail-remote'), domain, sender] + list(rcpts), input=msg, user='qmailr', timeout=timeout)
    if r.returncode != 0:
        raise AssertionError('qmail-remote exit %d: %r' % (r.returncode, r.stderr))
    out = r.stdout
    if not out.endswith(b'\0'):
        raise AssertionError('qmail-remote output not NUL-terminated: %r' % out)
    return [x.decode(errors='replace') for x in out[:-1].split(b'\0')], time.monotonic() - t0


def crlf(msg):
    """The normalised form the peer must receive (smtpenc.h)."""
    out = bytearray()
    i = 0
    while i < len(msg):
        c = msg[i:i + 1]
        if c == b'\r' and msg[i + 1:i + 2] == b'\n':
            out += b'\r\n'
            i += 2
            continue
        out += b' ' if c == b'\r' else b'\r\n' if c == b'\n' else c
        i += 1
    if out and not out.endswith(b'\r\n'):
        out += b'\r\n'
    return bytes(out)
