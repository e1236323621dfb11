#!/bin/sh
# $BROWSER for tests/e2e/github.e2e.mjs: with no desktop environment, xdg-open (which the
# app's opener runs) hands a web address to $BROWSER. This one opens nothing: it writes the
# address to opened-urls.log in run.sh's private $HOME, where the test reads what was opened.
printf '%s\n' "$1" >> "$HOME/opened-urls.log"
