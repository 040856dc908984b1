# nqmail: hand-written GNU make. Every src/*.c is a program, every src/lib/GROUP/*.c
# goes into libnq.a (groups by layer: INTERNALS.md, "Source map"), every t/unit/check_*.c is a Check test. Adding a file needs
# no edit here; extra link flags for a program go in src/PROG.libs.

QHOME   ?= $(shell head -n 1 conf-home)
SPLIT   ?= $(shell head -n 1 conf-split)
O       ?= build
CC      ?= gcc
CFLAGS  ?= -O2 -g
SMTP_ADDR ?= 127.0.0.1
SMTP_PORT ?= 25
POP3_PORT ?= 110
SUBMISSION_PORT ?= 587
SMTPS_PORT ?= 465
POP3S_PORT ?= 995
QMQP_PORT ?= 628
QMTP_PORT ?= 209

WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
DEFS    := -D_GNU_SOURCE
INCS    := -Isrc/lib -I$(O)/include
ifeq ($(SAN),1)
  CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
  LDFLAGS += -fsanitize=address,undefined
  STATIC :=
  STATIC_PIE :=
else
  STATIC := -static
  STATIC_PIE := -static-pie
endif
ALL_CFLAGS = $(WARN) $(DEFS) $(INCS) $(CFLAGS)

# Programs on the per-message path start fast: fully static.
STATIC_PROGS := qmail-queue qmail-local qmail-queued
# STATIC_SMTPD=1 (the default): qmail-smtpd static-pie, 12 mappings instead of 45: its
# listener's fork and exit per connection cost less (INTERNALS.md "Speed"). It finds users in
# /etc/passwd only, so when nsswitch.conf's passwd line names more than files (or systemd
# without homed) it execs its dynamic twin qmail-smtpd-nss (smtp/smtpd_nss), built here too.
# STATIC_SMTPD=0: one dynamic qmail-smtpd, no twin.
STATIC_SMTPD ?= 1
STATIC_PIE_PROGS := $(if $(filter 1,$(STATIC_SMTPD)),qmail-smtpd)
SMTPD_TWIN := $(if $(filter 1,$(STATIC_SMTPD)),$(O)/bin/qmail-smtpd-nss)
SKARNET := -Wl,-Bstatic -lskarnet -Wl,-Bdynamic
# dynamic programs resolve every symbol at start: a forked child (listener, spawner) finds them done
BINDNOW := -Wl,-z,now -Wl,-z,relro

PROGS    := $(basename $(notdir $(wildcard src/*.c)))
LIBOBJS  := $(patsubst src/lib/%.c,$(O)/lib/%.o,$(wildcard src/lib/*/*.c)) $(O)/lib/auto_home.o
LIBHDRS  := $(wildcard src/lib/*/*.h)
UNITS    := $(basename $(notdir $(wildcard t/unit/check_*.c)))
BINS     := $(addprefix $(O)/bin/,$(PROGS))

.PHONY: all deps install setup setup-users setup-home check check-unit check-asan \
        check-integration run stop clean bench fuzz fuzz-bins check-fuzz fuzz-coverage

all: $(BINS) $(SMTPD_TWIN) $(O)/tools/nq-install

deps:
	@sh scripts/deps.sh conf-packages

$(O)/include/tcdb.h $(O)/libtcdb.a &: scripts/tcdb.sh
	@mkdir -p $(O)/include
	sh scripts/tcdb.sh $(O)

$(O)/lib/auto_home.c: conf-home conf-split conf-users conf-groups scripts/auto.sh FORCE
	@mkdir -p $(O)/lib
	@sh scripts/auto.sh '$(QHOME)' '$(SPLIT)' | cmp -s - $@ || sh scripts/auto.sh '$(QHOME)' '$(SPLIT)' > $@

# FORCE is phony, so auto_home.c is compared on every run (the bare .SECONDARY: below would
# otherwise make FORCE an intermediate that is never remade, and a new QHOME, conf-split or
# conf-users would not rebuild: issue 6). auto_home.c changes only when its content does.
.PHONY: FORCE
FORCE:

# objects are kept between builds (make would delete them as intermediates)
.SECONDARY:

$(O)/lib/auto_home.o: $(O)/lib/auto_home.c src/lib/util/auto.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/lib/%.o: src/lib/%.c $(LIBHDRS) $(O)/include/tcdb.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/libnq.a: $(LIBOBJS)
	rm -f $@ && ar rcs $@ $^

$(O)/obj/%.o: src/%.c $(LIBHDRS) $(O)/include/tcdb.h
	@mkdir -p $(O)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# tinycdb's renamed archive comes before skalibs on every link line (notes §3.3).
$(O)/bin/%: $(O)/obj/%.o $(O)/libnq.a $(O)/libtcdb.a
	@mkdir -p $(O)/bin
	$(CC) $(LDFLAGS) $(BINDNOW) $(if $(filter $*,$(STATIC_PROGS)),$(STATIC))$(if $(filter $*,$(STATIC_PIE_PROGS)),$(STATIC_PIE)) \
	  -o $@ $< $(O)/libnq.a $(O)/libtcdb.a \
	  $(if $(filter $*,$(STATIC_PROGS)),$(if $(STATIC),-lskarnet,$(SKARNET)),$(if $(filter $*,$(STATIC_PIE_PROGS)),$(if $(STATIC_PIE),-lskarnet,$(SKARNET)),$(SKARNET))) \
	  $(shell cat src/$*.libs 2>/dev/null)

# qmail-smtpd's dynamic twin: the same object, linked as every dynamic program
$(O)/bin/qmail-smtpd-nss: $(O)/obj/qmail-smtpd.o $(O)/libnq.a $(O)/libtcdb.a
	@mkdir -p $(O)/bin
	$(CC) $(LDFLAGS) $(BINDNOW) -o $@ $< $(O)/libnq.a $(O)/libtcdb.a $(SKARNET) $(shell cat src/qmail-smtpd.libs)

# a change of STATIC_SMTPD relinks qmail-smtpd; without the twin, an old one is not installed
$(O)/bin/qmail-smtpd: $(O)/smtpd-link
$(O)/smtpd-link: FORCE
	@mkdir -p $(O)
	@echo '$(STATIC_SMTPD)' | cmp -s - $@ || echo '$(STATIC_SMTPD)' > $@
	@$(if $(SMTPD_TWIN),:,rm -f $(O)/bin/qmail-smtpd-nss)

# the installer's helper (scripts/nq-install.c): built with the programs, not installed
$(O)/tools/nq-install: scripts/nq-install.c
	@mkdir -p $(O)/tools
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(SKARNET)

CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

$(O)/t/%: t/unit/%.c $(wildcard t/unit/*.h) $(O)/libnq.a $(O)/libtcdb.a
	@mkdir -p $(O)/t
	$(CC) $(ALL_CFLAGS) -Wno-error=shadow $(CHECK_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libnq.a $(O)/libtcdb.a $(CHECK_LIBS) $(SKARNET) -lcrypt -lcares -ltls -lcrypto

# the systemd unit goes to UNITDIR when systemd runs here, and only for the conf-home of
# conf-home (a QHOME given on the command line is a trial or test instance: no unit)
UNITDIR ?= $(if $(wildcard /run/systemd/system),/etc/systemd/system)
INSTALL_UNITDIR = $(if $(filter file,$(origin QHOME)),$(UNITDIR))

# Fuzz targets (t/fuzz/README.md): with gcc each is a replayer of its corpus,
# `make check` runs them under ASan+UBSan; `make fuzz` builds them with clang's libFuzzer.
FUZZ_TARGETS := $(filter-out replay,$(basename $(notdir $(wildcard t/fuzz/*.c))))
FUZZ_MAIN    ?= t/fuzz/replay.c
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_SESSION ?= 1

$(O)/fuzz/%: t/fuzz/%.c t/fuzz/fuzz.h $(FUZZ_MAIN) $(O)/libnq.a $(O)/libtcdb.a
	@mkdir -p $(O)/fuzz
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(FUZZ_MAIN) $(O)/libnq.a $(O)/libtcdb.a $(SKARNET) $(if $(wildcard t/fuzz/$*.libs),$(shell cat t/fuzz/$*.libs))

fuzz-bins: $(addprefix $(O)/fuzz/,$(FUZZ_TARGETS))

check-fuzz: fuzz-bins
	@sh t/fuzz/replay.sh $(O)/fuzz $(FUZZ_TARGETS)

fuzz:
	@MAKE='$(MAKE)' FUZZ_JOBS='$(FUZZ_JOBS)' FUZZ_SESSION='$(FUZZ_SESSION)' sh t/fuzz/run.sh '$(O)-fuzz' '$(FUZZ_SECONDS)' $(FUZZ_TARGETS)

fuzz-coverage:
	@MAKE='$(MAKE)' sh t/fuzz/coverage.sh '$(O)-cov' $(FUZZ_TARGETS)

install: all
	sh scripts/install.sh '$(O)' '$(DESTDIR)' '$(QHOME)' '$(SPLIT)' '$(INSTALL_UNITDIR)'

setup-users:
	sh scripts/setup-users.sh '$(QHOME)'

setup-home: $(O)/tools/nq-install
	sh scripts/setup-home.sh '$(DESTDIR)$(QHOME)' '$(SPLIT)' '$(O)'

# the recipient table of qmail-smtpd's RCPT check (not for a DESTDIR: it reads the homes of this machine)
setup: setup-users install setup-home
	$(if $(DESTDIR),,'$(QHOME)/bin/qmail-newrcpt')

check-unit: $(addprefix $(O)/t/,$(UNITS))
	@sh scripts/run-units.sh $(O)/t $(UNITS)

check-asan:
	$(MAKE) --no-print-directory O=$(O)-asan SAN=1 check-unit

check-integration: all
	/usr/bin/python3 t/integration/run.py --src . --build $(O)-it

check:
	@MAKE='$(MAKE)' sh scripts/check.sh '$(O)'

run:
	@sh scripts/deps.sh conf-packages
	$(MAKE) --no-print-directory setup
	SUBMISSION_PORT='$(SUBMISSION_PORT)' SMTPS_PORT='$(SMTPS_PORT)' POP3S_PORT='$(POP3S_PORT)' \
	QMQP_PORT='$(QMQP_PORT)' QMTP_PORT='$(QMTP_PORT)' \
	  sh scripts/run.sh '$(QHOME)' '$(SMTP_ADDR)' '$(SMTP_PORT)' '$(POP3_PORT)' '$(O)'

stop:
	sh scripts/stop.sh '$(QHOME)'

# never part of check: Postfix against nqmail (bench/README.md); QUICK=1 for the short run
bench:
	@sh bench/run.sh build-bench '$(QUICK)'

clean:
	rm -rf $(O) $(O)-asan $(O)-it $(O)-fuzz $(O)-fuzz-it $(O)-cov
