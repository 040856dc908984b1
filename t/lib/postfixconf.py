"""The configuration of a private Postfix instance (`postfix -c DIR`, its own queue, data
directory and log, never /etc/postfix's): the one writer of main.cf and master.cf for the
tests' receiving peer (t/integration/test_remote_peers.py) and make bench's Postfix
(bench/mta.py). Each caller names what is its own: where smtpd listens, the services
beyond the common ones, the settings beyond the common ones."""

import os

# master.cf's services after smtpd, in the order they are written; COMMON are in every instance
SERVICES = (
    ('pickup', 'unix  n - n 60 1 pickup'),
    ('cleanup', 'unix  n - n - 0 cleanup'),
    ('qmgr', 'unix  n - n 300 1 qmgr'),
    ('rewrite', 'unix  - - n - - trivial-rewrite'),
    ('bounce', 'unix  - - n - 0 bounce'),
    ('defer', 'unix  - - n - 0 bounce'),
    ('trace', 'unix  - - n - 0 bounce'),
    ('verify', 'unix  - - n - 1 verify'),
    ('flush', 'unix  n - n 1000? 0 flush'),
    ('proxymap', 'unix  - - n - - proxymap'),
    ('proxywrite', 'unix - - n - 1 proxymap'),
    ('showq', 'unix  n - n - - showq'),
    ('smtp', 'unix  - - n - - smtp'),
    ('relay', 'unix  - - n - - smtp'),
    ('error', 'unix  - - n - - error'),
    ('retry', 'unix  - - n - - error'),
    ('discard', 'unix  - - n - - discard'),
    ('local', 'unix  - n n - - local'),
    ('virtual', 'unix  - n n - - virtual'),
    ('anvil', 'unix  - - n - 1 anvil'),
    ('scache', 'unix  - - n - 1 scache'),
    ('postlog', 'unix-dgram n - n - 1 postlogd'),
)
OPTIONAL = ('proxywrite', 'showq', 'smtp', 'relay', 'local')


def master_cf(listen, maxproc='-', extra=()):
    """smtpd on listen (ADDR:PORT) with at most maxproc processes, then the common
    services and those of extra (names from OPTIONAL)."""
    unknown = set(extra) - set(OPTIONAL)
    if unknown:
        raise ValueError('unknown Postfix services: %s' % ', '.join(sorted(unknown)))
    lines = ['%s inet n - n - %s smtpd' % (listen, maxproc)]
    lines += ['%-9s %s' % (name, rest) for name, rest in SERVICES if name not in OPTIONAL or name in extra]
    return '\n'.join(lines) + '\n'


def main_cf(d, myhostname, domain, mailbox_base, mailbox_maps, uid, gid, **more):
    """Virtual Maildir delivery for domain as uid:gid, with the queue, data directory and
    maillog under d; more: further settings (name=value), written after these."""
    settings = [
        ('compatibility_level', '3.6'),
        ('queue_directory', d + '/queue'),
        ('data_directory', d + '/data'),
        ('mail_owner', 'postfix'),
        ('myhostname', myhostname),
        ('mydestination', ''),
        ('alias_maps', ''),
        ('alias_database', ''),
        ('inet_protocols', 'ipv4'),
        ('maillog_file', d + '/maillog'),
        ('maillog_file_prefixes', d),
        ('virtual_mailbox_domains', domain),
        ('virtual_mailbox_base', mailbox_base),
        ('virtual_mailbox_maps', mailbox_maps),
        ('virtual_uid_maps', 'static:%d' % uid),
        ('virtual_gid_maps', 'static:%d' % gid),
    ] + list(more.items())
    return ''.join(('%s = %s' % (k, v)).rstrip(' ') + '\n' for k, v in settings)


def write(conf, main, master):
    """main.cf and master.cf into the directory conf."""
    with open(os.path.join(conf, 'main.cf'), 'w') as f:
        f.write(main)
    with open(os.path.join(conf, 'master.cf'), 'w') as f:
        f.write(master)
