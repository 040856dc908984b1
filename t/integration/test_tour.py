"""man/nqmail-tour.7 kept true: every command of the page's examples (.EX blocks, lines
starting with "# ") is run, in order, against a conf-home started with make run, and
what it prints must match the lines the page shows after it ("..." matches any text).
The page's fixed names are mapped to the test's: /var/qmail, /etc/aliases (through
control/aliasfile), the user student, the ports 25, 110 and 2526."""

import os
import random
import re
import subprocess
import time

import nqtest
from nqtest import eq, free_port, TestFailure
import test_admin_hour as hour
import test_run as run

PAGE = 'man/nqmail-tour.7'
ESCAPES = {'e': '\\', '-': '-', '&': ''}
# commands that only look: run again until their output matches (delivery is asynchronous)
LOOKERS = ('ls ', 'grep ', '/var/qmail/bin/mailq', '/var/qmail/bin/qmail-qstat')


def unescape(line, where):
    def one(m):
        if m.group(1) not in ESCAPES:
            raise TestFailure('%s: roff escape \\%s: the tour test knows only \\e \\- \\&' % (where, m.group(1)))
        return ESCAPES[m.group(1)]
    return re.sub(r'\\(.)', one, line)


def steps(src):
    """[(section, command, [expected lines])] from the page's .EX blocks."""
    out = []
    section = None
    inex = False
    lines = open(os.path.join(src, PAGE)).read().split('\n')
    i = 0
    while i < len(lines):
        raw = lines[i]
        where = '%s line %d' % (PAGE, i + 1)
        i += 1
        if raw.startswith('.SS '):
            section = unescape(raw[4:].strip('"'), where)
        elif raw == '.EX':
            inex = True
        elif raw == '.EE':
            inex = False
        elif inex:
            line = unescape(raw, where)
            if line.startswith('# '):
                cmd = line[2:]
                if "<<'EOF'" in cmd:
                    while lines[i] != 'EOF':
                        cmd += '\n' + unescape(lines[i], where)
                        i += 1
                    cmd += '\nEOF'
                    i += 1
                out.append((section, cmd, []))
            else:
                out[-1][2].append(line)
    return out


def matches(expected, got):
    if len(expected) != len(got):
        return False
    for e, g in zip(expected, got):
        if not re.fullmatch('.*'.join(re.escape(p) for p in e.split('...')), g):
            return False
    return True


def test_tour(h):
    steps_ = steps(h.src)
    assert len(steps_) >= 20, steps_
    for s in ('1. Send root a message', '2. /etc/aliases and newaliases', '4. Reading mail over POP3',
              '5. The queue: mailq'):
        assert any(x[0] == s for x in steps_), s
    user = 'nqt%05d' % random.randrange(100000)
    handler, c, sport = hour.flaky_sink()
    taken = []
    smtp, pop = run.distinct_port(taken), run.distinct_port(taken)
    aliases = os.path.join(h.path, 'tmp', 'aliases')
    # in this order: 127.0.0.1:2526 before 127.0.0.1:25
    names = [('/var/qmail', h.path), ('/etc/aliases', aliases), ('student', user),
             ('127.0.0.1:2526', '127.0.0.1:%d' % sport), ('127.0.0.1:25', '127.0.0.1:%d' % smtp),
             ('--port=110', '--port=%d' % pop)]

    def mapped(text):
        for a, b in names:
            text = text.replace(a, b)
        return text
    h.control('aliasfile', aliases + '\n')
    subprocess.run(['userdel', '-r', user], capture_output=True)
    try:
        r = subprocess.run(
            ['make', '-s', '--no-print-directory', '-j2', 'O=' + h.build, 'QHOME=' + h.path, 'run',
             'SMTP_ADDR=127.0.0.1', 'SMTP_PORT=%d' % smtp, 'POP3_PORT=%d' % pop] + run.tls_ports(taken),
            cwd=h.src, capture_output=True, timeout=170,
            env={k: v for k, v in os.environ.items() if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL')})
        assert r.returncode == 0, 'make run failed:\n' + run.out(r)
        for section, cmd, expected in steps_:
            if section.startswith('6.'):
                handler.refuse = False          # station9 is back
            cmd, expected = mapped(cmd), [mapped(e) for e in expected]
            looker = any(cmd.startswith(mapped(p)) for p in LOOKERS)
            deadline = time.monotonic() + 20
            while True:
                p = subprocess.run(['sh', '-c', cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   cwd=h.path, timeout=60, env=h.env())
                got = [x.rstrip('\r') for x in p.stdout.decode('utf-8', 'replace').splitlines()]
                if p.returncode == 0 and matches(expected, got):
                    break
                if not looker or time.monotonic() > deadline:
                    raise TestFailure('%s: %s\nexit %d, printed:\n%s\nthe page says:\n%s' % (
                        section, cmd, p.returncode, '\n'.join(got), '\n'.join(expected)))
                time.sleep(0.1)
        eq(len(handler.transactions), 1, 'the message to station9')
    finally:
        run.stop(h)
        c.stop()
        subprocess.run(['userdel', '-r', user], capture_output=True)
        if os.path.exists('/tmp/%s.mbox' % user):
            os.unlink('/tmp/%s.mbox' % user)
