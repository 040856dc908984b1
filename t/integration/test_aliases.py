"""/etc/aliases in nqmail: newaliases compiles the file named by control/aliasfile,
qmail-alias (from ~alias/.qmail-default) delivers through it."""

import os
import pwd

from nqtest import wait_for, eq, TEST_ME, queue as inject

LAB = '''# the lab
me: student
wizards: root, me
methere: student@station9.example.com
'''


def aliases(h, text):
    """Write the aliases file under the test's home and name it in control/aliasfile."""
    p = os.path.join(h.path, 'tmp', 'aliases')
    with open(p, 'w') as f:
        f.write(text)
    os.chmod(p, 0o644)
    h.control('aliasfile', p + '\n')
    return p


def newaliases(h):
    return h.run([h.bin('newaliases')])


def test_newaliases_compiles_and_installs_dot_default(h):
    p = aliases(h, LAB)
    r = newaliases(h)
    eq(r.returncode, 0, r.stderr)
    eq(r.stdout.decode(), '%s: 3 aliases compiled into %s.cdb\n' % (p, p))
    with open(os.path.join(h.path, 'alias', '.qmail-default')) as f:
        eq(f.read(), '|%s\n' % h.bin('qmail-alias'))
    eq(os.stat(p + '.cdb').st_mode & 0o777, 0o644)


def test_bad_file_keeps_old_cdb(h):
    p = aliases(h, LAB)
    eq(newaliases(h).returncode, 0)
    with open(p + '.cdb', 'rb') as f:
        old = f.read()
    aliases(h, LAB + 'broken line\n')
    r = newaliases(h)
    eq(r.returncode, 100)
    assert ('%s line 5: expected name: members: the old cdb is kept' % p) in r.stderr.decode(), r.stderr
    with open(p + '.cdb', 'rb') as f:
        eq(f.read(), old, 'the cdb after a failed newaliases')
    assert not os.path.exists(p + '.cdb.tmp')


def test_shadowed_names_warned(h):
    aliases(h, 'root: student\nnobody: student\n')
    r = newaliases(h)
    eq(r.returncode, 0, r.stderr)
    err = r.stderr.decode()
    assert 'line 1: root is not used: mail to it goes to alias/.qmail-root' in err, err
    assert 'line 2: nobody is a user' in err, err
    with open(os.path.join(h.path, 'alias', '.qmail-default'), 'w') as f:
        f.write('./Maildir/\n')
    r = newaliases(h)
    assert 'does not run qmail-alias' in r.stderr.decode(), r.stderr


def test_lab(h):
    """me and wizards reach student (and root's mail the alias user), methere is
    queued for its remote host."""
    md = h.add_user('student')
    aliases(h, LAB)
    eq(newaliases(h).returncode, 0)
    h.start_send()
    inject(h, b'joe@example.org', [b'me@' + TEST_ME.encode()], b'Subject: to me\n\nhi\n')
    inject(h, b'joe@example.org', [b'Wizards@' + TEST_ME.encode()], b'Subject: to wizards\n\nhi\n')
    inject(h, b'joe@example.org', [b'methere@' + TEST_ME.encode()], b'Subject: far\n\nhi\n')
    got = wait_for(lambda: len(h.maildir(md)) == 2 and h.maildir(md), 20, 'two messages for student')
    subjects = sorted(m.split(b'Subject: ')[1].split(b'\n')[0] for m in got)
    eq(subjects, [b'to me', b'to wizards'])
    for m in got:
        assert b'Return-Path: <joe@example.org>' in m, m
    root = wait_for(lambda: h.maildir(h.alias_maildir()), 20, "root's copy in the alias Maildir")
    assert b'Subject: to wizards' in root[0], root[0]
    far = b'student@station9.example.com'
    wait_for(lambda: any(far in c for c in h.queue_contents('remote')) or far.decode() in h.send_log(),
             20, 'the remote recipient in the queue')
    h.stop_send()


def test_commands_files_and_owner_run_as_alias_user(h):
    out = os.path.join(h.path, 'tmp', 'out')
    os.makedirs(out)
    os.chown(out, pwd.getpwnam('alias').pw_uid, -1)
    md = h.add_user('ann')
    aliases(h, 'list: ann, "|id -u > %s/uid; cat > %s/msg", %s/mbox\nowner-list: ann\n' % (out, out, out))
    eq(newaliases(h).returncode, 0)
    h.start_send()
    inject(h, b'joe@example.org', [b'list@' + TEST_ME.encode()], b'Subject: l\n\nbody\n')
    got = wait_for(lambda: h.maildir(md), 20, "ann's copy")
    assert got[0].startswith(b'Return-Path: <owner-list@' + TEST_ME.encode() + b'>\n'), got[0]
    assert b'Delivered-To: list@' + TEST_ME.encode() in got[0], got[0]
    wait_for(lambda: os.path.exists(out + '/mbox'), 10, 'the mbox')
    with open(out + '/uid') as f:
        eq(int(f.read()), pwd.getpwnam('alias').pw_uid, 'the uid of the |command')
    with open(out + '/msg', 'rb') as f:
        assert f.read().endswith(b'Subject: l\n\nbody\n')
    eq(os.stat(out + '/mbox').st_uid, pwd.getpwnam('alias').pw_uid, 'owner of the /file')
    with open(out + '/mbox', 'rb') as f:
        m = f.read()
    assert m.startswith(b'From joe@example.org ') and m.endswith(b'body\n\n'), m
    h.stop_send()


def test_loops_bounce(h):
    """A loop inside the aliases bounces at once; a loop through the queue is stopped
    by the Delivered-To line."""
    md = h.add_user('joe')
    aliases(h, 'a: b\nb: a\nround: round@%s, x@%s\n' % (TEST_ME, TEST_ME))
    eq(newaliases(h).returncode, 0)
    h.start_send()
    inject(h, b'joe@' + TEST_ME.encode(), [b'a@' + TEST_ME.encode()], b'Subject: loop\n\nx\n')
    got = wait_for(lambda: h.maildir(md), 20, 'the bounce for a')
    assert b'alias loop: a -> b -> a' in got[0], got[0]
    inject(h, b'joe@' + TEST_ME.encode(), [b'round@' + TEST_ME.encode()], b'Subject: round\n\nx\n')
    def both():
        # all of them: Maildir names sort by unpadded microseconds, not by arrival
        text = b''.join(h.maildir(md))
        return b'already has my Delivered-To line' in text and b'no mailbox here by that name' in text
    wait_for(both, 30, 'the bounces for round@ (a loop) and x@ (no such alias)')
    h.stop_send()
