#!/usr/bin/python3
"""make bench: nqmail against Postfix (Debian), alternating pairs, each run on a fresh
loop-mounted journaled ext4. Measures msgs/s end to end and accepted, CPU ms per message
(a cgroup per MTA), device flushes and KB written per message (the loop device's stat),
fsync-family calls per message (a separate strace run; sync_file_range write-outs apart), p50/p99 latency, RSS per process.
Prints a table, writes a PNG plot, and ends with `ratio e2e=R cpu=C` (default workload)."""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, 't', 'lib'))
import nqtest  # noqa: E402
import mta  # noqa: E402

TOP = '/tmp/nqbench'
MNT = TOP + '/mnt'
IMG = TOP + '/fs.img'
CG = '/sys/fs/cgroup/unified'

# name: (clients, size, mailboxes, msgs, msgs per session, recipients, backlog)
WORKLOADS = {
    'default':   dict(clients=20, size=4096, mailboxes=1, msgs=2000),
    'clients1':  dict(clients=1, size=4096, mailboxes=1, msgs=300),
    'clients100': dict(clients=100, size=4096, mailboxes=1, msgs=2000),
    'reuse':     dict(clients=20, size=4096, mailboxes=1, msgs=2000, per_session=100),
    'size1M':    dict(clients=20, size=1 << 20, mailboxes=1, msgs=200),
    'mbox100':   dict(clients=20, size=4096, mailboxes=100, msgs=2000),
    'rcpt1000':  dict(clients=1, size=4096, mailboxes=1, msgs=1, rcpts=1000),
    'backlog':   dict(clients=20, size=4096, mailboxes=1, msgs=10000, backlog=True),
}
FSYNCS = ('fsync', 'fdatasync', 'sync_file_range', 'syncfs', 'msync', 'sync')


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


# --- the file system ------------------------------------------------------

class Fs:
    """A fresh journaled ext4 on a loop device, mounted at MNT."""

    def __init__(self, mb):
        self.destroy_old()
        os.makedirs(MNT, exist_ok=True)
        with open(IMG, 'wb') as f:
            f.truncate(mb << 20)
        sh('mkfs.ext4', '-q', '-F', '-O', 'has_journal', IMG)
        self.dev = subprocess.run(['losetup', '-f', '--show', IMG], check=True, capture_output=True,
                                  text=True).stdout.strip()
        sh('mount', '-t', 'ext4', self.dev, MNT)
        os.chmod(MNT, 0o755)
        self.stat = '/sys/block/%s/stat' % os.path.basename(self.dev)

    @staticmethod
    def destroy_old():
        if os.path.ismount(MNT):
            subprocess.run(['umount', MNT])
        for line in subprocess.run(['losetup', '-j', IMG], capture_output=True, text=True).stdout.splitlines():
            subprocess.run(['losetup', '-d', line.split(':')[0]])

    def counters(self):
        """(flush requests, KB written) of the loop device so far."""
        with open(self.stat) as f:
            v = [int(x) for x in f.read().split()]
        return v[15] if len(v) > 15 else 0, v[6] / 2.0

    def destroy(self):
        subprocess.run(['umount', MNT])
        subprocess.run(['losetup', '-d', self.dev])
        os.unlink(IMG)


# --- CPU and memory of one MTA's processes ---------------------------------

class Cgroup:
    def __init__(self, name):
        self.path = os.path.join(CG, 'nqbench-' + name)
        self.kill()
        os.makedirs(self.path, exist_ok=True)
        with open('/proc/self/cgroup') as f:
            home = [l.split(':', 2)[2].strip() for l in f if l.startswith('0::')]
        self.home = os.path.join(CG, home[0].lstrip('/')) if home else CG

    def _move(self, path):
        with open(os.path.join(path, 'cgroup.procs'), 'w') as f:
            f.write('0')

    def __enter__(self):
        """The driver moves in while it starts the MTA: its children stay in."""
        self._move(self.path)

    def __exit__(self, *a):
        self._move(self.home)

    def usage_ms(self):
        with open(os.path.join(self.path, 'cpu.stat')) as f:
            for line in f:
                k, v = line.split()
                if k == 'usage_usec':
                    return int(v) / 1000.0
        return 0.0

    def pids(self):
        try:
            with open(os.path.join(self.path, 'cgroup.procs')) as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def kill(self):
        if not os.path.isdir(self.path):
            return
        try:
            with open(os.path.join(self.path, 'cgroup.kill'), 'w') as f:
                f.write('1')
        except OSError:
            for p in self.pids():
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 10
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            os.rmdir(self.path)
        except OSError:
            pass


class RssSampler(threading.Thread):
    """Largest VmHWM seen per program name among the cgroup's processes."""

    def __init__(self, cg):
        super().__init__(daemon=True)
        self.cg, self.peak, self.done = cg, {}, threading.Event()

    def run(self):
        while not self.done.wait(0.25):
            for pid in self.cg.pids():
                try:
                    with open('/proc/%d/status' % pid) as f:
                        st = dict(l.split(':', 1) for l in f if ':' in l)
                    name, kb = st['Name'].strip(), int(st.get('VmHWM', '0 kB').split()[0])
                except (OSError, KeyError, ValueError):
                    continue
                self.peak[name] = max(self.peak.get(name, 0), kb)

    def stop(self):
        self.done.set()
        self.join()
        return self.peak


# --- strace of the fsync family -------------------------------------------

class FsyncTrace:
    """strace -f on every process of the cgroup; counts fsync-family calls by program."""

    def __init__(self, cg, out):
        self.out = out
        self.names = {}
        pids = cg.pids()
        for p in pids:
            try:
                with open('/proc/%d/comm' % p) as f:
                    self.names[p] = f.read().strip()
            except OSError:
                pass
        args = ['strace', '-f', '--seccomp-bpf', '-e', 'signal=none', '-o', out,
                '-e', 'trace=execve,clone,clone3,fork,vfork,' + ','.join(FSYNCS)]
        for p in pids:
            args += ['-p', str(p)]
        self.proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
        attached, deadline = 0, time.monotonic() + 20
        while attached < len(pids) and time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            attached += 'attached' in line
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(30)
        counts, name = {}, dict(self.names)
        pat = re.compile(r'^(\d+)\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()(.*)$')
        with open(self.out) as f:
            for line in f:
                m = pat.match(line)
                if not m:
                    continue
                pid, call, rest = int(m.group(1)), m.group(2) or m.group(3), m.group(4)
                if call in ('clone', 'clone3', 'fork', 'vfork'):
                    r = re.search(r'= (\d+)', rest)
                    if r:   # the child's execve may be printed before this line
                        name.setdefault(int(r.group(1)), name.get(pid, '?'))
                elif call == 'execve' and m.group(3):
                    r = re.match(r'"([^"]*)"', rest)
                    if r and not rest.rstrip().endswith('= -1'):
                        name[pid] = os.path.basename(r.group(1))
                elif call in FSYNCS and '<unfinished' not in rest:   # counted when it resumes
                    n = name.get(pid, '?')
                    if call == 'sync_file_range':   # a write-out, not a commit: counted apart
                        n += ':wo'
                    counts[n] = counts.get(n, 0) + 1
        return counts


# --- one run -----------------------------------------------------------------

def count_files(maildirs):
    n = 0
    for md in maildirs:
        try:
            n += sum(1 for _ in os.scandir(md + 'new'))
        except FileNotFoundError:
            pass
    return n


def check_delivery(maildirs, wl, sent):
    """Exactly once: each id in its mailbox as often as it had recipients there.
    Returns (problems, end-to-end latencies in ms)."""
    want_per = wl.get('rcpts', 1)
    seen, lats = {}, []
    pat = re.compile(rb'\nX-Bench-Id: (\d+)\r?\n')
    for j, md in enumerate(maildirs):
        for e in os.scandir(md + 'new'):
            with open(e.path, 'rb') as f:
                m = pat.search(f.read(8192))
            if not m:
                seen[(j, 'bad:' + e.name)] = 1
                continue
            i = int(m.group(1))
            seen[(j, i)] = seen.get((j, i), 0) + 1
            if i in sent:
                lats.append((e.stat().st_mtime_ns - sent[i]) / 1e6)
    problems = 0
    for i in range(wl['msgs']):
        j = i % wl['mailboxes']
        if seen.pop((j, i), 0) != want_per:
            problems += 1
    return problems + len(seen), lats


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100))] if v else 0.0


def run_one(kind, wl, trace, build):
    units = wl['msgs'] * wl.get('rcpts', 1)
    mb = max(512, (wl['msgs'] * wl.get('rcpts', 1) * (wl['size'] + 2048) * 3) >> 20)
    fs = Fs(mb)
    cg = Cgroup(kind)
    server = mta.Nqmail(MNT, SRC, build) if kind == 'nqmail' else mta.Postfix(MNT)
    try:
        maildirs = server.setup(wl)
        backlog = wl.get('backlog')
        with cg:
            port = server.start(wl['clients'], deliver=not backlog)
        tr = FsyncTrace(cg, os.path.join(TOP, 'strace.' + kind)) if trace else None
        rss = RssSampler(cg)
        rss.start()
        sentfile = os.path.join(TOP, 'sent.' + kind)
        f0, kb0 = fs.counters()
        c0, t0 = cg.usage_ms(), time.monotonic()
        lg = subprocess.run([os.path.join(build, 'bench-loadgen'), '-p', str(port), '-n', str(wl['msgs']),
                             '-c', str(wl['clients']), '-s', str(wl['size']), '-k', str(wl.get('per_session', 1)),
                             '-m', str(wl['mailboxes']), '-R', str(wl.get('rcpts', 1)), '-d', server.domain,
                             '-o', sentfile], capture_output=True, text=True, timeout=3600)
        t_acc = time.monotonic() - t0
        lgout = dict(zip(*[iter(lg.stdout.split())] * 2)) if lg.stdout else {}
        if lg.returncode:
            raise RuntimeError('%s: loadgen failed: %s %s' % (kind, lg.stdout, lg.stderr[-2000:]))
        if backlog:
            server.stop()
            f0, kb0 = fs.counters()
            c0, t0 = cg.usage_ms(), time.monotonic()
            with cg:
                server.start(wl['clients'], deliver=True)
        last, stalled = -1, time.monotonic()
        while True:
            n = count_files(maildirs)
            if n >= units:
                break
            if n != last:
                last, stalled = n, time.monotonic()
            elif time.monotonic() - stalled > 120:   # bounces or a wedged MTA: its log says
                raise RuntimeError('%s: only %d of %d delivered, none for 120 s' % (kind, n, units))
            time.sleep(0.02)
        t_e2e = time.monotonic() - t0
        cpu, (f1, kb1) = cg.usage_ms() - c0, fs.counters()
        fsyncs = tr.stop() if tr else None
        peak = rss.stop()
        time.sleep(0.5)   # a duplicate would show up now
        with open(sentfile) as f:
            sent = dict((int(a), int(b)) for a, b in (l.split() for l in f))
        problems, lats = check_delivery(maildirs, wl, sent)
        r = {'mta': kind, 'units': units, 'e2e': units / t_e2e, 'accepted': wl['msgs'] / t_acc if not backlog else None,
             'cpu_ms': cpu / units, 'flushes': (f1 - f0) / units, 'kb': (kb1 - kb0) / units,
             'p50_ms': float(lgout.get('p50_ms', 0)), 'p99_ms': float(lgout.get('p99_ms', 0)),
             'e2e_p50_ms': pct(lats, 50), 'e2e_p99_ms': pct(lats, 99), 'rss_kb': peak,
             'not_exactly_once': problems}
        if fsyncs is not None:
            r['fsyncs'] = {k: v / units for k, v in fsyncs.items()}
        return r
    finally:
        try:
            server.stop()
        finally:
            cg.kill()
            fs.destroy()


# --- report --------------------------------------------------------------------

def med(rs, k):
    v = [r[k] for r in rs if r.get(k) is not None]
    return statistics.median(v) if v else None


def fmt(v, d=1):
    return '-' if v is None else ('%.' + str(d) + 'f') % v


def fsync_cell(counts):
    """'commits (by program) + write-outs (by program)': sync_file_range writes data out
    without a journal commit or a cache flush, so it is not counted as an fsync."""
    def part(d):
        return '%.2f (%s)' % (sum(d.values()), ', '.join('%s %.2f' % kv for kv in sorted(d.items(), key=lambda x: -x[1])))
    commits = {k: v for k, v in counts.items() if not k.endswith(':wo')}
    wos = {k[:-3]: v for k, v in counts.items() if k.endswith(':wo')}
    return part(commits) + (' + written out %s' % part(wos) if wos else '')


def table(results):
    lines = ['| workload | MTA | e2e msgs/s | accepted msgs/s | CPU ms/msg | fsync/msg | flushes/msg | '
             'KB written/msg | p50/p99 ms | e2e p50/p99 ms | exactly once | peak RSS KB |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|']
    for wname, byk in results.items():
        for kind in ('postfix', 'nqmail'):
            rs = byk.get(kind, [])
            if not rs:
                continue
            tr = [r['fsyncs'] for r in rs if 'fsyncs' in r]
            fs = '-'
            if tr:
                fs = fsync_cell(tr[0])
            rss = {}
            for r in rs:
                for k, v in r['rss_kb'].items():
                    rss[k] = max(rss.get(k, 0), v)
            rsst = ', '.join('%s %d' % kv for kv in sorted(rss.items(), key=lambda x: -x[1])[:5])
            ok = 'yes' if all(r['not_exactly_once'] == 0 for r in rs) else 'NO (%s)' % [r['not_exactly_once'] for r in rs]
            lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s/%s | %s/%s | %s | %s |' % (
                wname, kind, fmt(med(rs, 'e2e')), fmt(med(rs, 'accepted')), fmt(med(rs, 'cpu_ms'), 2), fs,
                fmt(med(rs, 'flushes'), 2), fmt(med(rs, 'kb')), fmt(med(rs, 'p50_ms')), fmt(med(rs, 'p99_ms')),
                fmt(med(rs, 'e2e_p50_ms')), fmt(med(rs, 'e2e_p99_ms')), ok, rsst))
    return '\n'.join(lines)


def plot(results, out):
    """Two panels, median per workload: end-to-end msgs/s and CPU ms per message."""
    dat = out + '.dat'
    with open(dat, 'w') as f:
        for wname, byk in results.items():
            p, n = byk.get('postfix', []), byk.get('nqmail', [])
            f.write('%s %s %s %s %s\n' % (wname, fmt(med(p, 'e2e')), fmt(med(n, 'e2e')),
                                          fmt(med(p, 'cpu_ms'), 3), fmt(med(n, 'cpu_ms'), 3)))
    script = ('set terminal pngcairo size 1000,500 noenhanced; set output "%s";'
              'set multiplot layout 1,2; set style data histograms; set style histogram clustered;'
              'set style fill solid border -1; set yrange [0:*]; set xtics rotate by -30; set key top right;'
              'set title "end-to-end msgs/s (median)"; plot "%s" using 2:xtic(1) title "Postfix", "" using 3 title "nqmail";'
              'set title "CPU ms per message (median)"; plot "%s" using 4:xtic(1) title "Postfix", "" using 5 title "nqmail";'
              'unset multiplot' % (out, dat, dat))
    r = subprocess.run(['gnuplot', '-e', script], capture_output=True, text=True)
    if r.returncode:
        r = subprocess.run(['gnuplot', '-e', script.replace('pngcairo', 'png')], capture_output=True, text=True)
    return r.returncode == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--quick', action='store_true', help='the default workload, 2 pairs')
    ap.add_argument('--pairs', type=int, default=5)
    ap.add_argument('--workloads', default=','.join(WORKLOADS))
    ap.add_argument('--build', required=True, help='the make O= directory the bench builds into')
    ap.add_argument('--msgs', type=int, help='at most this many messages in every workload (a short trial)')
    ap.add_argument('--report', help='print the table and plot of a results.json, run nothing')
    a = ap.parse_args()
    if a.report:
        with open(a.report) as f:
            return report(json.load(f), os.path.dirname(os.path.abspath(a.report)))
    if os.getuid() != 0:
        sys.exit('bench: runs as root (loop devices, cgroups, Postfix)')
    # a run's finally stops its MTA, kills its cgroup and unmounts its file system
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    names = ['default'] if a.quick else a.workloads.split(',')
    pairs = 2 if a.quick else a.pairs
    build = os.path.abspath(a.build)
    os.makedirs(TOP, exist_ok=True)
    os.chmod(TOP, 0o755)
    results = {}
    for wname in names:
        wl = dict(WORKLOADS[wname])
        if a.msgs:
            wl['msgs'] = min(wl['msgs'], a.msgs)
        results[wname] = {}
        for i in range(pairs):
            order = ('postfix', 'nqmail') if i % 2 == 0 else ('nqmail', 'postfix')
            for kind in order:
                r = run_one(kind, wl, False, build)
                results[wname].setdefault(kind, []).append(r)
                print('bench: %s %s pair %d: e2e %.1f/s cpu %.2f ms flushes %.2f exactly-once problems %d'
                      % (wname, kind, i + 1, r['e2e'], r['cpu_ms'], r['flushes'], r['not_exactly_once']),
                      file=sys.stderr, flush=True)
        # one traced run each for the fsync family (strace slows it: not timed)
        tw = dict(wl, msgs=min(wl['msgs'], 200))
        for kind in ('postfix', 'nqmail'):
            r = run_one(kind, tw, True, build)
            results[wname][kind][0]['fsyncs'] = r['fsyncs']
    outdir = os.path.join(build, 'bench')
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    report(results, outdir)


def report(results, outdir):
    print(table(results))
    png = os.path.join(outdir, 'bench.png')
    print('plot: %s' % (png if plot(results, png) else 'gnuplot failed'))
    d = results['default'] if 'default' in results else next(iter(results.values()))
    e = med(d['nqmail'], 'e2e') / med(d['postfix'], 'e2e')
    c = med(d['nqmail'], 'cpu_ms') / med(d['postfix'], 'cpu_ms')
    print('ratio e2e=%.2f cpu=%.2f' % (e, c))


if __name__ == '__main__':
    main()
