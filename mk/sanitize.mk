# sanitize.mk - the hosted program and unit tests again with AddressSanitizer
# and UndefinedBehaviorSanitizer (build/san), for tests/suites/sanitize.sh.
#   make san    build/san/baremu and build/san/tests/test-*
# gcc's sanitizers confuse some of its flow warnings (format-truncation false
# positives), so -Werror is relaxed here only; the normal build keeps it.
SAN_BUILD := build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -Wno-error
SAN_UNITS := $(UNIT_SRCS:tests/unit/%.c=$(SAN_BUILD)/tests/%)

.PHONY: san
san: | $(DEPS_STAMP)
	$(MAKE) HOST_BUILD=$(SAN_BUILD) EXTRA_CFLAGS="$(SAN_FLAGS) $(EXTRA_CFLAGS)" \
	    $(SAN_BUILD)/baremu $(SAN_UNITS)
test: san
