# fuzz/: libFuzzer harnesses, one per parser a stranger's bytes reach (the
# profile loader, casewatch.conf, the GOV.UK loader, the facts parser with
# the obligation engine, the socket's lines and commands). In `make check`
# each is built with the ordinary compiler and fuzz/driver.c and replays its
# seeds and the inputs that once crashed it (tests/fuzz-regress.sh).
# `make fuzz` builds them with clang and libFuzzer as fuzz/NAME-fuzzer;
# scripts/fuzz SECONDS runs each.
FUZZ_NAMES = profile conf govuk facts socket
FUZZ_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon -DFUZZ_SRCDIR='"$(abs_top_srcdir)"'
FUZZ_ALL_CFLAGS = $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBPQ_CFLAGS) $(LIBSYSTEMD_CFLAGS)
FUZZ_COMMON = fuzz/fuzz.h fuzz/fuzz_util.c fuzz/driver.c

check_PROGRAMS += fuzz/fuzz_profile fuzz/fuzz_conf fuzz/fuzz_govuk fuzz/fuzz_facts fuzz/fuzz_socket
fuzz_fuzz_profile_SOURCES = fuzz/fuzz_profile.c $(FUZZ_COMMON)
fuzz_fuzz_profile_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_fuzz_profile_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
fuzz_fuzz_profile_LDADD = $(CASEWATCH_LIBS)
fuzz_fuzz_conf_SOURCES = fuzz/fuzz_conf.c $(FUZZ_COMMON)
fuzz_fuzz_conf_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_fuzz_conf_CFLAGS = $(AM_CFLAGS) $(FUZZ_ALL_CFLAGS)
fuzz_fuzz_conf_LDADD = $(CASEWATCHD_LIBS)
fuzz_fuzz_govuk_SOURCES = fuzz/fuzz_govuk.c $(FUZZ_COMMON)
fuzz_fuzz_govuk_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_fuzz_govuk_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
fuzz_fuzz_govuk_LDADD = $(CASEWATCH_LIBS)
fuzz_fuzz_facts_SOURCES = fuzz/fuzz_facts.c $(FUZZ_COMMON)
fuzz_fuzz_facts_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_fuzz_facts_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
fuzz_fuzz_facts_LDADD = $(CASEWATCH_LIBS)
fuzz_fuzz_socket_SOURCES = fuzz/fuzz_socket.c $(FUZZ_COMMON)
fuzz_fuzz_socket_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_fuzz_socket_CFLAGS = $(AM_CFLAGS) $(FUZZ_ALL_CFLAGS)
fuzz_fuzz_socket_LDADD = $(CASEWATCHD_LIBS)
dist_check_SCRIPTS += tests/fuzz-regress.sh fuzz/seeds.sh
TESTS += tests/fuzz-regress.sh
EXTRA_DIST += fuzz/seeds fuzz/regress fuzz/README.md

# make fuzz: the engine and the daemon's library compiled once with
# coverage for libFuzzer, then one fuzzer per harness.
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CC_FLAGS = -g -O1 -fno-omit-frame-pointer $(FUZZ_SANITIZE) $(FUZZ_CPPFLAGS) $(FUZZ_ALL_CFLAGS)
FUZZ_LIB_SRCS = $(lib_libcasewatch_a_SOURCES) $(daemon_libcasewatchd_a_SOURCES) fuzz/fuzz.h fuzz/fuzz_util.c
FUZZ_LIBS = $(JANSSON_LIBS) $(LIBEVENT_LIBS) $(LIBPQ_LIBS) $(LIBSYSTEMD_LIBS) -lm
.PHONY: fuzz
if HAVE_FUZZER
fuzz: fuzz/profile-fuzzer fuzz/conf-fuzzer fuzz/govuk-fuzzer fuzz/facts-fuzzer fuzz/socket-fuzzer
fuzz/libcw-fuzz.a: $(FUZZ_LIB_SRCS) config.h
	$(AM_V_GEN)rm -rf fuzz/obj && $(MKDIR_P) fuzz/obj && \
	for f in $(FUZZ_LIB_SRCS); do \
		case $$f in *.c) ;; *) continue ;; esac; \
		$(FUZZ_CC) $(FUZZ_CC_FLAGS) -fsanitize=fuzzer-no-link -c $(srcdir)/$$f \
			-o fuzz/obj/`echo $$f | tr / _`.o || exit 1; \
	done && rm -f $@ && $(AR) cr $@ fuzz/obj/*.o
fuzz/profile-fuzzer fuzz/conf-fuzzer fuzz/govuk-fuzzer fuzz/facts-fuzzer fuzz/socket-fuzzer: fuzz/libcw-fuzz.a
	$(AM_V_GEN)name=`basename $@ -fuzzer` && \
	$(FUZZ_CC) $(FUZZ_CC_FLAGS) -fsanitize=fuzzer $(srcdir)/fuzz/fuzz_$$name.c fuzz/libcw-fuzz.a \
		$(FUZZ_LIBS) -o $@
fuzz/profile-fuzzer: $(srcdir)/fuzz/fuzz_profile.c
fuzz/conf-fuzzer: $(srcdir)/fuzz/fuzz_conf.c
fuzz/govuk-fuzzer: $(srcdir)/fuzz/fuzz_govuk.c
fuzz/facts-fuzzer: $(srcdir)/fuzz/fuzz_facts.c
fuzz/socket-fuzzer: $(srcdir)/fuzz/fuzz_socket.c
else
fuzz:
	@echo "make fuzz: no clang that links -fsanitize=fuzzer (Debian: apt-get install clang; then configure again): skipped"
endif
CLEANFILES += fuzz/libcw-fuzz.a fuzz/obj/*.o fuzz/profile-fuzzer fuzz/conf-fuzzer fuzz/govuk-fuzzer \
	fuzz/facts-fuzzer fuzz/socket-fuzzer
