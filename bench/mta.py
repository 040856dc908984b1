"""The two MTAs of make bench, each set up under the bench file system: setup(workload)
returns the Maildirs (with trailing /), start(clients, deliver) returns the SMTP port,
stop() ends it. Both deliver as nobody into Maildir/ of bench0..benchN-1."""

import os
import pwd
import grp
import socket
import subprocess
import time

import nqtest
import postfixconf


def wait_port(port, proc_alive, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(('127.0.0.1', port), 0.5).close()
            return
        except OSError:
            if not proc_alive():
                break
            time.sleep(0.05)
    raise RuntimeError('no SMTP server on port %d' % port)


class Nqmail:
    """nqmail built with QHOME=MNT/nqmail (the bench's own conf-home), run like the tests do."""

    def __init__(self, mnt, src, build):
        self.qhome = os.path.join(mnt, 'nqmail')
        self.src, self.build = src, build
        self.domain = nqtest.TEST_ME
        self.h = None

    def setup(self, wl):
        subprocess.run(['make', '-s', '--no-print-directory', 'O=' + self.build, 'QHOME=' + self.qhome, 'install'],
                       cwd=self.src, check=True, stdout=subprocess.DEVNULL)
        h = self.h = nqtest.Home(self.qhome, self.src, self.build)
        h.reset()
        h.control('concurrencylocal', '20\n')
        h.control('databytes', '0\n')
        mds = [h.add_user('bench%d' % i) for i in range(wl['mailboxes'])]
        # bench0-N (the many-recipient workload) needs a .qmail-default, as in qmail
        home = os.path.dirname(mds[0].rstrip('/'))
        with open(os.path.join(home, '.qmail-default'), 'w') as f:
            f.write('./Maildir/\n')
        os.chown(os.path.join(home, '.qmail-default'), pwd.getpwnam('nobody').pw_uid, grp.getgrnam('nogroup').gr_gid)
        os.chmod(os.path.join(home, '.qmail-default'), 0o644)
        return mds

    def start(self, clients, deliver=True):
        if deliver:
            self.h.start_send()
        if not getattr(self, 'port', None):
            # qmail-smtpd's listener mode by default (one fork per connection, no exec);
            # NQ_BENCH_SMTPD=tcpserver measures tcpserver + qmail-smtpd instead
            listen = os.environ.get('NQ_BENCH_SMTPD', 'listen') != 'tcpserver'
            # as Postfix exempts mynetworks from its per-client limit: none that the load generator meets
            self.h.control('maxperip', '%d\n' % (clients + 10))
            self.port = self.h.smtpd(args=['-c', str(clients + 10)], listen=listen)
        return self.port

    def stop(self):
        if self.h:
            if self.h.send:
                self.h.stop_send(60)
            self.h.kill_all()
            self.port = None


class Postfix:
    """Debian's Postfix as a private instance: postfix -c DIR, own queue, own port,
    a master.cf written from scratch (never /etc/postfix's: SO_REUSEPORT would share a port)."""

    def __init__(self, mnt):
        self.dir = os.path.join(mnt, 'postfix')
        self.conf = os.path.join(self.dir, 'conf')
        self.domain = 'bench.test'
        self.port = None
        self.running = False

    def setup(self, wl):
        uid, gid = pwd.getpwnam('nobody').pw_uid, grp.getgrnam('nogroup').gr_gid
        for d in ('conf', 'queue', 'data', 'homes'):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        os.chown(os.path.join(self.dir, 'data'), pwd.getpwnam('postfix').pw_uid, 0)
        mds = []
        with open(os.path.join(self.conf, 'vmailbox'), 'w') as f:
            for i in range(wl['mailboxes']):
                md = os.path.join(self.dir, 'homes', 'bench%d' % i, 'Maildir')
                for sub in ('', '/tmp', '/new', '/cur'):
                    os.makedirs(md + sub, exist_ok=True)
                    os.chmod(md + sub, 0o700)
                for d in (os.path.dirname(md), md, md + '/tmp', md + '/new', md + '/cur'):
                    os.chown(d, uid, gid)
                f.write('bench%d@bench.test bench%d/Maildir/\n' % (i, i))
                mds.append(md + '/')
        self.uid, self.gid = uid, gid
        return mds

    def main_cf(self, deliver):
        """without deliver, qmgr is off: the messages stay queued (and with no qmgr to
        hand out its tokens, Postfix's inflow control would hold each message in smtpd
        for in_flow_delay, 1 s: off while the backlog is queued, which is not measured)"""
        return postfixconf.main_cf(self.dir, 'mta.bench.test', 'bench.test', self.dir + '/homes',
                                   'texthash:%s/conf/vmailbox' % self.dir, self.uid, self.gid,
                                   setgid_group='postdrop', mydomain='bench.test', inet_interfaces='127.0.0.1',
                                   biff='no', recipient_delimiter='-', message_size_limit=0,
                                   virtual_mailbox_limit=0, master_service_disable='' if deliver else 'qmgr/unix',
                                   in_flow_delay='1s' if deliver else '0s')

    def _postfix(self, *args):
        r = subprocess.run(['postfix', '-c', self.conf] + list(args), capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError('postfix %s: %s' % (' '.join(args), r.stdout + r.stderr))

    def start(self, clients, deliver=True):
        if self.port is None:
            self.port = nqtest.free_port()
        postfixconf.write(self.conf, self.main_cf(deliver),
                          postfixconf.master_cf('127.0.0.1:%d' % self.port, clients + 10, ('proxywrite', 'showq', 'local')))
        self._postfix('start')
        self.running = True
        wait_port(self.port, lambda: True)
        return self.port

    def stop(self):
        if self.running:
            self.running = False
            self._postfix('stop')
            pidfile = os.path.join(self.dir, 'queue', 'pid', 'master.pid')
            deadline = time.monotonic() + 30
            while os.path.exists(pidfile) and time.monotonic() < deadline:
                try:
                    with open(pidfile) as f:
                        os.kill(int(f.read().split()[0]), 0)
                except (OSError, ValueError, IndexError):
                    break
                time.sleep(0.05)
