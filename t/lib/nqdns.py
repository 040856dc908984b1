"""nqdns: a DNS server for tests (python3-dnslib) on 127.0.0.1 and a free UDP port,
answering from a dict, in a thread. Names not in the dict get NXDOMAIN; names in
servfail get SERVFAIL; names in drop get no answer at all."""

import socket
import threading

from dnslib import DNSRecord, RR, QTYPE, RCODE, A, AAAA, MX, TXT


class DNSServer:
    def __init__(self, zone=None, servfail=(), drop=(), addr=('127.0.0.1', 0)):
        # zone: {name: [(type, value), ...]}, type 'A', 'AAAA', 'MX' (value (pref, host)), 'TXT'
        self.zone = {k.lower().rstrip('.'): v for k, v in (zone or {}).items()}
        self.servfail = {n.lower() for n in servfail}
        self.drop = {n.lower() for n in drop}
        self.queries = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(addr)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def answer(self, q):
        name = str(q.q.qname).lower().rstrip('.')
        qt = QTYPE[q.q.qtype]
        self.queries.append((name, qt))
        if name in self.drop:
            return None
        r = q.reply()
        if name in self.servfail:
            r.header.rcode = RCODE.SERVFAIL
            return r
        if name not in self.zone:
            r.header.rcode = RCODE.NXDOMAIN
            return r
        for t, v in self.zone[name]:
            if t != qt:
                continue
            rdata = {'A': lambda: A(v), 'AAAA': lambda: AAAA(v), 'TXT': lambda: TXT(v),
                     'MX': lambda: MX(v[1], v[0])}[t]()
            r.add_answer(RR(q.q.qname, getattr(QTYPE, t), rdata=rdata, ttl=60))
        return r

    def serve(self):
        while not self.stopped:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            try:
                r = self.answer(DNSRecord.parse(data))
            except Exception:
                continue
            if r is not None:
                self.sock.sendto(r.pack(), peer)

    def stop(self):
        self.stopped = True
        self.sock.close()
