#pragma once
// What the command line prints: one line at a time, in the locale's encoding, flushed at once (a script or
// the e2e tests read it while droid2api keeps running).

#include <QtCore/qstring.h>

#include <cstdio>

namespace cli {
void printLine(FILE *stream, const QString &text);
} // namespace cli
