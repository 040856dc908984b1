/* smtpd_args.h: qmail-smtpd's arguments, and its listener mode (-L, over net/listener). */
#ifndef NQ_SMTPD_ARGS_H
#define NQ_SMTPD_ARGS_H

#define SMTPD_USAGE "qmail-smtpd [ -L [ -c conc ] [ -b backlog ] [ -x rules.cdb ] [ -l localname ] addr port ] [ -s ] [ -m ] [ checkpassword subprogram... ]"

/* Parse argv (argv[0] the program): -s sets *implicit, -m *submission; a usage error exits
   100. With -L the process becomes a listener and this returns only in its children, each
   on a new connection with tcpserver's environment. Returns the checkpassword argv. */
extern char const *const *smtpd_args (char const *const *argv, int *implicit, int *submission) ;

#endif
