#!/bin/sh
# Every symbol a leadpack library exports is lp_-prefixed (STYLE.md,
# "Names"): file-private helpers are static, the rest carry the prefix.
# Names starting with "__" are the compiler's own (such as the sanitizers'
# __odr_asan.NAME) and are left out.
# usage: symbols_check.sh LIBRARY.a...
status=0
for lib in "$@"; do
    bad=$(nm -g --defined-only "$lib" | awk 'NF == 3 && $3 !~ /^lp_/ && $3 !~ /^__/ {print $3}' | sort -u)
    if [ -n "$bad" ]; then
        echo "symbols_check: $lib exports symbols without the lp_ prefix:" $bad >&2
        status=1
    fi
done
[ $status -eq 0 ] && echo "symbols_check: every exported symbol of $# libraries is lp_-prefixed"
exit $status
