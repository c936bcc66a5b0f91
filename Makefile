# sw: stream-processing tools for the shell.  Plain GNU make.
#
#   make                 build every tool into bin/
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
PKGS = rdkafka libcurl libmosquitto avro-c uuid zlib libzstd
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(PKG_CFLAGS) -Icommon
LDLIBS = -Wl,--as-needed $(PKG_LIBS) -ljq -lm -lpthread

ifeq ($(SANITIZE),1)
BUILD ?= build/san
BIN ?= build/san/bin
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=address,undefined
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

all: $(TOOL_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libsw.a: $(COMMON_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN)/%: $(BUILD)/cmd/%.o $(BUILD)/libsw.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libsw.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

unit: $(UNIT_BINS)

deps:
	@scripts/install-deps

check: deps
	@scripts/check

demo: deps all
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
	install -m 644 $(wildcard completions/bash/*) \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/
	install -m 644 $(wildcard completions/zsh/_*) \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/

clean:
	rm -rf build bin

.PHONY: all unit deps check demo bench install clean
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)
