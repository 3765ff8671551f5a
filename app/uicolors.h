#pragma once
// The few colours the app draws with (errors, warnings, all-good), chosen for the palette in use so they stay
// readable on dark themes too (contrast of at least 4.5:1 against the window background).

#include <QtGui/qcolor.h>
#include <QtGui/qguiapplication.h>
#include <QtGui/qpalette.h>

enum class Tone { Error, Warning, Good };

inline bool isDarkPalette(const QPalette &palette = QGuiApplication::palette())
{
    return palette.color(QPalette::Window).lightness() < 128;
}

inline QColor toneColor(Tone tone, const QPalette &palette = QGuiApplication::palette())
{
    const bool dark = isDarkPalette(palette);
    switch (tone) {
    case Tone::Error: return dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xc6, 0x28, 0x28);
    case Tone::Warning: return dark ? QColor(0xff, 0xb7, 0x4d) : QColor(0x9a, 0x4f, 0x00);
    case Tone::Good: return dark ? QColor(0x81, 0xc7, 0x84) : QColor(0x1b, 0x5e, 0x20);
    }
    return palette.color(QPalette::WindowText);
}
