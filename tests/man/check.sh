#!/bin/bash
# The man pages (man/): groff renders them without a warning, and each
# lists exactly the options its program's --help lists, short and long.
# Usage: tests/man/check.sh BUILD_DIR
set -u
B=$(realpath "$1")
cd "$(dirname "$0")/../.."
. tests/lib.sh
MAN=$PWD/man
# long options (--name) and short ones (-x) a --help text names
help_opts() { grep -oE '(^|[ ,])--?[A-Za-z][A-Za-z-]*' | sed 's/^[ ,]*//' | sort -u; }
# the same from the page's OPTIONS section: its ".It Fl ..." lines
man_opts() {
	sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$1" | grep '^\.It Fl' |
		grep -oE 'Fl \\?-?[A-Za-z][A-Za-z\\-]*' | sed 's/^Fl //; s/\\//g; s/^/-/' | sort -u
}
for page in prhelper.8:prhelper prhelper-client.1:prhelper-client; do
	src=$MAN/${page%%:*}
	bin=$B/${page##*:}
	check "${page%%:*}: groff -mandoc -ww renders it without warnings" \
		sh -c "out=\$(groff -mandoc -ww -z '$src' 2>&1); echo \"\$out\"; [ -z \"\$out\" ]"
	check "${page%%:*}: the same options as ${page##*:} --help" \
		diff <("$bin" --help | sed -n '1,/^Commands:/p' | help_opts) <(man_opts "$src")
done
finish
