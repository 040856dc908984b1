#!/usr/bin/python3
"""bench/forkcost.py: CPU per message of each nqmail process kind, and what its
per-unit children cost (never part of make check; bench/README.md).

Installs nqmail into a conf-home on a fresh loop-mounted ext4 (bench.py's Fs) or on
tmpfs (--tmpfs: CPU only), starts qmail-start and qmail-smtpd -L in a cgroup, sends
--msgs messages with bench/loadgen, waits until every one is delivered and the queue
is empty, and prints for each long-running process: its own CPU per message, its
reaped children's CPU per message (the listener's connection children, qmail-queued's
queue children, qmail-lspawn's delivery children), the children's minor faults per
child, and the parent's mappings (VMAs), anonymous RSS and page-table size at the
end. --perf FILE: a system-wide perf record (-g) over the load, then the top symbols."""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, 't', 'lib'))
sys.path.insert(0, HERE)
import nqtest  # noqa: E402
import bench  # noqa: E402
import mta  # noqa: E402

TOP = '/tmp/nqfork'
MNT = TOP + '/mnt'
HZ = os.sysconf('SC_CLK_TCK')
DAEMONS = ('qmail-smtpd', 'qmail-queued', 'qmail-lspawn', 'qmail-send', 'qmail-todo', 'qmail-clean',
           'qmail-rspawn', 'qmail-start')


def stat(pid):
    """comm, ppid, utime, stime, cutime, cstime (ms), minflt, cminflt of pid."""
    with open('/proc/%d/stat' % pid) as f:
        s = f.read()
    comm = s[s.index('(') + 1:s.rindex(')')]
    v = s[s.rindex(')') + 2:].split()
    ms = lambda x: int(x) * 1000.0 / HZ
    return dict(comm=comm, ppid=int(v[1]), minflt=int(v[7]), cminflt=int(v[8]),
                utime=ms(v[11]), stime=ms(v[12]), cutime=ms(v[13]), cstime=ms(v[14]))


def memory(pid):
    """VMAs, anonymous RSS (kB) and page tables (kB) of pid."""
    with open('/proc/%d/maps' % pid) as f:
        vmas = sum(1 for _ in f)
    with open('/proc/%d/status' % pid) as f:
        st = dict(l.split(':', 1) for l in f if ':' in l)
    kb = lambda k: int(st.get(k, '0 kB').split()[0])
    return vmas, kb('RssAnon'), kb('VmPTE')


def snapshot(cg):
    """The long-running processes of the cgroup, by pid (transient children skipped)."""
    out = {}
    for pid in cg.pids():
        try:
            s = stat(pid)
            if s['comm'] not in DAEMONS:
                continue
            out[pid] = s
        except OSError:
            pass
    # a child of the listener (or of qmail-queued, qmail-lspawn) in flight is not a daemon
    return {p: s for p, s in out.items() if out.get(s['ppid'], {}).get('comm') != s['comm']}


def workers(cg):
    """qmail-queued's and qmail-lspawn's workers (long-lived children with its name), by pid."""
    out = {}
    for pid in cg.pids():
        try:
            s = stat(pid)
            if s['comm'] in ('qmail-queued', 'qmail-lspawn') and stat(s['ppid'])['comm'] == s['comm']:
                out[pid] = s
        except OSError:
            pass
    return out


class Tmpfs:
    def __init__(self, mb):
        bench.Fs.destroy_old()
        os.makedirs(MNT, exist_ok=True)
        if os.path.ismount(MNT):
            subprocess.run(['umount', MNT])
        bench.sh('mount', '-t', 'tmpfs', '-o', 'size=%dm,mode=755' % mb, 'tmpfs', MNT)

    def destroy(self):
        subprocess.run(['umount', MNT])


def run_one(a, build):
    """One run of build's programs: {row name: (self, children, faults per child, VMAs, anon kB, PT kB)},
    plus 'total' (the cgroup's CPU per message) and 'rate' (msgs/s)."""
    mb = max(512, (a.msgs * (a.size + 2048) * 3) >> 20)
    fs = Tmpfs(mb) if a.tmpfs else bench.Fs(mb)
    cg = bench.Cgroup('forkcost')
    # the source tree that holds build (make install runs there): a baseline can be a git archive
    src = os.path.dirname(build) if os.path.exists(os.path.join(os.path.dirname(build), 'Makefile')) else SRC
    server = mta.Nqmail(MNT, src, build)
    perf, rows = None, {}
    try:
        maildirs = server.setup(dict(mailboxes=1))
        with cg:
            port = server.start(a.clients)
        before = snapshot(cg)
        wbefore = workers(cg)
        tracers = []
        if a.strace:   # the daemons' own syscalls (not their children's): strace -c per daemon
            os.makedirs(a.strace, exist_ok=True)
            for pid, st in list(before.items()) + (list(wbefore.items()) if a.strace_children else []):
                tracers.append(subprocess.Popen(['strace'] + (['-c'] if not a.strace_all else ['-tt'])
                                                + (['-f'] if a.strace_children else []) + ['-o', os.path.join(a.strace, '%s.%d' % (st['comm'], pid)),
                                                 '-p', str(pid)], stderr=subprocess.DEVNULL))
            time.sleep(1)   # attached (strace -c has no other sign of it)
        c0, t0 = cg.usage_ms(), time.monotonic()
        io0 = fs.counters() if hasattr(fs, 'counters') else None
        if a.perf:
            perf = subprocess.Popen(['perf', 'record', '-a', '-g', '-q', '-o', a.perf],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lg = subprocess.run([os.path.join(build, 'bench-loadgen'), '-p', str(port), '-n', str(a.msgs),
                             '-c', str(a.clients), '-s', str(a.size), '-d', server.domain,
                             '-o', os.path.join(TOP, 'sent')], capture_output=True, text=True, timeout=3600)
        if lg.returncode:
            raise RuntimeError('loadgen failed: %s %s' % (lg.stdout, lg.stderr[-2000:]))
        nqtest.wait_for(lambda: bench.count_files(maildirs) >= a.msgs, 600, 'every message delivered')
        nqtest.wait_for(server.h.queue_empty, 120, 'the queue to empty')
        # every per-unit child reaped: only the daemons are left in the cgroup
        nqtest.wait_for(lambda: len(cg.pids()) - len(workers(cg)) == len(before), 30, 'the children to be reaped')
        t1 = time.monotonic() - t0
        if perf:
            perf.send_signal(2)
            perf.wait(60)
        for t in tracers:
            t.send_signal(2)
            t.wait(60)
        total = cg.usage_ms() - c0
        if io0:
            io1 = fs.counters()
            rows['io'] = ((io1[0] - io0[0]) / a.msgs, (io1[1] - io0[1]) / a.msgs)
        after = snapshot(cg)
        n = a.msgs
        for pid in sorted(after, key=lambda p: after[p]['comm']):
            b, e = before.get(pid), after[pid]
            if not b:
                continue
            d = {k: e[k] - b[k] for k in ('utime', 'stime', 'cutime', 'cstime', 'minflt', 'cminflt')}
            own, kids = d['utime'] + d['stime'], d['cutime'] + d['cstime']
            name = e['comm'] + (' -L' if e['comm'] == 'qmail-smtpd' else '')
            while name in rows:
                name += "'"
            rows[name] = (own / n, kids / n, d['cminflt'] / n if kids else 0) + memory(pid)
            if a.smaps:
                os.makedirs(a.smaps, exist_ok=True)
                shutil.copyfile('/proc/%d/smaps' % pid, os.path.join(a.smaps, '%s.%s' % (os.path.basename(build), name)))
        zero = dict(utime=0, stime=0, minflt=0)
        for comm in sorted(set(w['comm'] for w in workers(cg).values())):
            # the workers live on: their own CPU (one that ended is in the daemon's children)
            wafter = {p: w for p, w in workers(cg).items() if w['comm'] == comm}
            own = sum(w['utime'] + w['stime'] - wbefore.get(p, zero)['utime'] - wbefore.get(p, zero)['stime']
                      for p, w in wafter.items())
            flt = sum(w['minflt'] - wbefore.get(p, zero)['minflt'] for p, w in wafter.items())
            rows[comm + ' workers'] = (own / n, 0.0, flt / n) + memory(min(wafter))
        rows['total'], rows['rate'] = total / n, n / t1
        return rows
    finally:
        if perf and perf.poll() is None:
            perf.send_signal(2)
            perf.wait(60)
        server.stop()
        cg.kill()
        fs.destroy()


def table(title, rows):
    io = ', %.2f device flushes and %.1f KB written per msg' % rows['io'] if 'io' in rows else ''
    print('%s: %.0f msgs/s, cgroup CPU %.3f ms/msg%s' % (title, rows['rate'], rows['total'], io))
    print('%-15s %8s %9s %9s %6s %8s %6s' % ('process', 'self', 'children', 'flt/child', 'VMAs', 'anon kB', 'PT kB'))
    summed = 0.0
    for name, r in rows.items():
        if name in ('total', 'rate', 'io'):
            continue
        summed += r[0] + r[1]
        print('%-15s %8.3f %9.3f %9.0f %6d %8d %6d' % ((name,) + tuple(r)))
    print('sum of the rows %.3f ms/msg (self, children: CPU ms per message; flt/child: minor faults)' % summed)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', action='append', help='a make O= directory built with QHOME=%s/nqmail '
                    '(repeat to compare builds: runs alternate, medians at the end)' % MNT)
    ap.add_argument('--runs', type=int, default=1, help='runs of each build')
    ap.add_argument('--msgs', type=int, default=2000)
    ap.add_argument('--clients', type=int, default=20)
    ap.add_argument('--size', type=int, default=4096)
    ap.add_argument('--tmpfs', action='store_true', help='tmpfs instead of a fresh ext4: CPU only')
    ap.add_argument('--smaps', metavar='DIR', help='copy /proc/PID/smaps of each daemon at the end into DIR')
    ap.add_argument('--strace', metavar='DIR', help='strace -c of each daemon (not its children) into DIR')
    ap.add_argument('--strace-children', action='store_true', help='with --strace: the children too (strace -f)')
    ap.add_argument('--strace-all', action='store_true', help='with --strace: every call, not the counts')
    ap.add_argument('--perf', metavar='FILE', help='perf record -a -g into FILE during the load')
    a = ap.parse_args()
    builds = [os.path.abspath(b) for b in (a.build or [os.path.join(SRC, 'build-fork')])]
    bench.TOP, bench.MNT, bench.IMG = TOP, MNT, TOP + '/fs.img'
    os.makedirs(TOP, exist_ok=True)
    res = {b: [] for b in builds}
    for i in range(a.runs):
        for b in (builds if i % 2 == 0 else builds[::-1]):
            rows = run_one(a, b)
            res[b].append(rows)
            table('%s run %d, %d messages, %d clients, %d bytes, %s'
                  % (os.path.basename(b), i + 1, a.msgs, a.clients, a.size, 'tmpfs' if a.tmpfs else 'ext4'), rows)
            print()
    if a.runs > 1 or len(builds) > 1:
        for b in builds:
            med = {}
            for k in res[b][0]:
                vs = [r[k] for r in res[b] if k in r]
                med[k] = statistics.median(vs) if k in ('total', 'rate') else \
                    tuple(statistics.median(v[j] for v in vs) for j in range(len(vs[0])))
            table('median of %d runs of %s' % (a.runs, os.path.basename(b)), med)
            print()
    if a.perf:
        r = subprocess.run(['perf', 'report', '-i', a.perf, '--no-children', '--sort', 'comm,sym', '--stdio', '-g', 'none',
                            '--percent-limit', '0.7'], capture_output=True, text=True)
        print('\n'.join(l for l in r.stdout.splitlines() if l and not l.startswith('#')))


if __name__ == '__main__':
    main()
