# sw: stream-processing tools for the shell.  Plain GNU make.
#
#   make                 build every tool into bin/, and the bash and zsh
#                        completions each writes into build/rel/completions/
#   make check           install missing packages, build, run all tests,
#                        then again under ASan+UBSan
#   make demo            a real pipeline on the embedded Kafka
#   make install PREFIX=/usr/local DESTDIR=
#   make SANITIZE=1      build with AddressSanitizer and UBSan (build/san/)

PREFIX ?= /usr/local
DESTDIR ?=
PKG_CONFIG ?= pkg-config
CC ?= cc

WARN = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes
ifeq ($(WERROR),1)
WARN += -Werror
endif
OPT ?= -O2
CFLAGS ?= $(OPT) -g
PKGS = rdkafka libcurl libmosquitto uuid zlib libzstd snappy liblzma

# Goals that build nothing here themselves: `deps` installs the libraries,
# and `check` and `demo` run it first, then build in a new make that reads
# pkg-config only once the libraries are there.
SETUP_GOALS = deps check demo clean
ifneq ($(filter-out $(SETUP_GOALS),$(or $(MAKECMDGOALS),all)),)
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
PKG_MISSING := $(foreach p,$(PKGS),$(if $(shell $(PKG_CONFIG) --exists $p && echo y),,$p))
ifeq ($(shell printf '\043include <jq.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo y),)
PKG_MISSING += jq
endif
ifneq ($(strip $(PKG_MISSING)),)
$(error build libraries missing: $(strip $(PKG_MISSING)). 'make deps' installs them (Debian, apt-get); 'make check' and 'make demo' do it by themselves)
endif
SNAPPY_VERSION := $(shell $(PKG_CONFIG) --modversion snappy)
endif
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(PKG_CFLAGS) -Icommon \
	-DSW_SNAPPY_VERSION='"$(SNAPPY_VERSION)"'
LDLIBS = -Wl,--as-needed $(PKG_LIBS) -ljq -lm -lpthread

ifeq ($(SANITIZE),1)
BUILD ?= build/san
BIN ?= build/san/bin
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
# The runtimes linked in: one sanitizer_common instead of two shared copies,
# whose 11 MB of .bss LeakSanitizer scans at every exit (a tool run costs
# ~35 ms less CPU, and the suite runs a few thousand).
LDFLAGS += -fsanitize=address,undefined -static-libasan -static-libubsan
else
BUILD ?= build/rel
BIN ?= bin
endif

COMMON_SRC := $(sort $(wildcard common/*.c))
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
TOOLS := $(sort $(notdir $(basename $(wildcard cmd/sw-*.c))))
TOOL_BINS := $(TOOLS:%=$(BIN)/%)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
MANPAGES := $(sort $(wildcard man/*.1 man/*.7))
BASH_COMPLETIONS := $(TOOLS:%=$(BUILD)/completions/bash/%)
ZSH_COMPLETIONS := $(TOOLS:%=$(BUILD)/completions/zsh/_%)
COMPLETIONS := $(BASH_COMPLETIONS) $(ZSH_COMPLETIONS)

all: $(TOOL_BINS) $(COMPLETIONS)

# Fuzz targets (libFuzzer, clang): `make fuzz` runs each for FUZZ_SECONDS;
# `make fuzz-regress` runs each once over its committed corpus (below).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer-no-link,address,undefined
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_OBJ := $(COMMON_SRC:%.c=build/fuzz/%.o)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libsw.a: $(COMMON_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# Linked under a temporary name: a link cut off half-way leaves no binary
# that make would take for up to date.
$(BIN)/%: $(BUILD)/cmd/%.o $(BUILD)/libsw.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@.tmp $^ $(LDLIBS) && mv -f $@.tmp $@

$(BUILD)/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libsw.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@.tmp $^ $(LDLIBS) && mv -f $@.tmp $@

unit: $(UNIT_BINS)

# Each tool writes its completions from its own option table.
$(BUILD)/completions/bash/%: $(BIN)/%
	@mkdir -p $(dir $@)
	$< --completion=bash >$@.tmp && mv -f $@.tmp $@

$(BUILD)/completions/zsh/_%: $(BIN)/%
	@mkdir -p $(dir $@)
	$< --completion=zsh >$@.tmp && mv -f $@.tmp $@

build/fuzz/common/%.o: common/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE $(filter-out -Werror,$(WARN)) $(FUZZ_FLAGS) $(PKG_CFLAGS) -Icommon -MMD -MP -c -o $@ $<

build/fuzz/libsw.a: $(FUZZ_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

build/fuzz/%: tests/fuzz/%.c build/fuzz/libsw.a
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE $(filter-out -Werror,$(WARN)) $(FUZZ_FLAGS) -fsanitize=fuzzer -Icommon -o $@.tmp $^ $(LDLIBS) && mv -f $@.tmp $@

fuzz-build: $(FUZZ_BINS)

fuzz:
	@$(INSTALL_DEPS) fuzz
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: fuzz-build
	@for f in $(FUZZ_BINS); do n=$${f##*/fuzz_}; mkdir -p build/fuzz/corpus/$$n; \
		echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
		LSAN_OPTIONS=suppressions=tests/lsan.supp:print_suppressions=0 $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 build/fuzz/corpus/$$n tests/fuzz/corpus/$$n || exit 1; done

# The corpora are replayed through the ASan+UBSan build (tests/fuzz/replay.c
# stands in for libFuzzer's main): no second build of the tree.
REPLAY_BINS := $(FUZZ_SRC:tests/fuzz/%.c=build/san/fuzz/%)

build/san/fuzz/%: build/san/tests/fuzz/%.o build/san/tests/fuzz/replay.o build/san/libsw.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@.tmp $^ $(LDLIBS) && mv -f $@.tmp $@

ifeq ($(SANITIZE),1)
fuzz-replay-build: $(REPLAY_BINS)
else
fuzz-replay-build:
	@$(MAKE) --no-print-directory SANITIZE=1 fuzz-replay-build
endif

fuzz-regress: fuzz-replay-build
	@i=0; for f in $(REPLAY_BINS); do n=$${f##*/fuzz_}; i=$$((i+1)); \
		if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 LSAN_OPTIONS=suppressions=tests/lsan.supp:print_suppressions=0 \
			$$f tests/fuzz/corpus/$$n/* >build/san/fuzz/$$n.log 2>&1; then \
		echo "ok $$i - fuzz corpus $$n ($$(ls tests/fuzz/corpus/$$n | wc -l) inputs)"; \
		else echo "not ok $$i - fuzz corpus $$n"; sed 's/^/# /' build/san/fuzz/$$n.log | tail -20; fi; done

INSTALL_DEPS ?= scripts/install-deps

deps:
	@$(INSTALL_DEPS)

check: deps
	@scripts/check

check-valgrind: all
	@scripts/check-valgrind

demo:
	@$(INSTALL_DEPS) build
	@$(MAKE) --no-print-directory all
	@examples/01-web-funnel.sh

bench: all
	@for b in bench/*; do [ -x "$$b" ] && "$$b"; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man7 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 $(TOOL_BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 644 $(BASH_COMPLETIONS) \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/
	install -m 644 $(ZSH_COMPLETIONS) \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/

clean:
	rm -rf build bin

.PHONY: all unit deps check check-valgrind demo bench install clean fuzz fuzz-run fuzz-build fuzz-regress fuzz-replay-build
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)
