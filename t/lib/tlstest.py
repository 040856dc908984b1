"""tlstest: certificates for the TLS tests (made with python3-cryptography), installed as
control/servercert.pem (root's, mode 0600), and client contexts that trust them."""

import datetime
import os
import ssl
import subprocess

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NAME = 'localhost'


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(k):
    return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption())


def make_cert(days_from=-1, days_to=30, key=None):
    """A self-signed certificate for localhost and 127.0.0.1: (cert PEM, key PEM)."""
    key = key or _key()
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    import ipaddress
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + datetime.timedelta(days=days_from))
            .not_valid_after(now + datetime.timedelta(days=days_to))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME),
                                                        x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM), _pem_key(key)


def install(h, cert=None, separate=False, mismatch=False):
    """control/servercert.pem (chain then key, or the key in control/serverkey.pem), root's
    and mode 0600: the servers read it before they drop root. Returns the cert PEM."""
    if cert is None:
        cert = make_cert()
    crt, key = cert
    if mismatch:
        key = _pem_key(_key())
    h.control('serverkey.pem', None)
    if separate or mismatch:
        os.chmod(h.control('servercert.pem', crt), 0o600)
        os.chmod(h.control('serverkey.pem', key), 0o600)
    else:
        os.chmod(h.control('servercert.pem', crt + key), 0o600)
    with open(os.path.join(h.path, 'tmp', 'ca.pem'), 'wb') as f:
        f.write(crt)
    return crt


def cafile(h):
    return os.path.join(h.path, 'tmp', 'ca.pem')


def context(h, minimum=None, maximum=None):
    c = ssl.create_default_context(cafile=cafile(h))
    if minimum:
        c.minimum_version = minimum
    if maximum:
        c.maximum_version = maximum
    return c


def s_client(h, port, args, data=b'', timeout=20):
    """openssl s_client against 127.0.0.1:port; its output (stdout and stderr)."""
    r = subprocess.run(['openssl', 's_client', '-connect', '127.0.0.1:%d' % port, '-CAfile', cafile(h),
                        '-verify_return_error', '-servername', NAME] + list(args),
                       input=data, capture_output=True, timeout=timeout)
    return r.returncode, (r.stdout + r.stderr).decode('utf-8', 'replace')


def smtpd(h, args=(), checker=True, rules=':allow\n', faildelay=300):
    """tcpserver as root running qmail-smtpd ARGS [qmail-checkpassword /bin/true] on a free
    port: qmail-smtpd reads the key, starts its root helper and becomes qmaild itself."""
    import nqtest
    h.control('smtpfaildelay', '%d\n' % faildelay)
    prog = [h.bin('qmail-smtpd')] + list(args)
    if checker:
        prog += [h.bin('qmail-checkpassword'), '/bin/true']
    rfile = os.path.join(h.path, 'tcp.smtp')
    with open(rfile, 'w') as f:
        f.write(rules)
    cdb = rfile + '.cdb'
    r = subprocess.run(['tcprules', cdb, cdb + '.tmp'], input=rules.encode(), capture_output=True)
    if r.returncode:
        raise nqtest.TestFailure('tcprules: %r' % r.stderr)
    import socket
    for attempt in range(20):
        port = nqtest.free_port()
        p = h.spawn(['tcpserver', '-v', '-R', '-H', '-l', nqtest.TEST_ME, '-x', cdb, '127.0.0.1', str(port)] + prog,
                    log=os.path.join(h.logdir, 'smtpd'))

        def up():
            if p.poll() is not None:
                return 'dead'
            try:
                socket.create_connection(('127.0.0.1', port), 0.5).close()
                return 'up'
            except OSError:
                return None
        if nqtest.wait_for(up, 10, 'tcpserver on port %d' % port) == 'up':
            return port
    raise nqtest.TestFailure('could not start tcpserver: ' + h.read_log('smtpd'))
