#pragma once
// `droid2api --screenshots DIR`: PNGs of the tray menu and every settings page, for the docs and for looking
// at the app as a user would (make screenshots runs it under Xvfb in English and Chinese).

#include <QtCore/qstring.h>

class AppController;
class DesktopApp;

int writeScreenshots(DesktopApp &desktop, AppController &controller, const QString &dir);
