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

/// Placeholder text for a colour group: between the text and the field's background, so a hint never reads as a
/// value. Some dark styles (Adwaita-Dark) make it as bright as the text; Qt's default for a palette that sets only
/// Text is half-transparent black, unreadable on a dark field.
inline QColor placeholderColor(const QPalette &palette, QPalette::ColorGroup group = QPalette::Active)
{
    const QColor text = palette.color(group, QPalette::Text);
    const QColor base = palette.color(group, QPalette::Base);
    constexpr double kText = 0.55; // about 4.5:1 against the field on light and dark palettes alike
    return QColor::fromRgbF(float(text.redF() * kText + base.redF() * (1 - kText)),
                            float(text.greenF() * kText + base.greenF() * (1 - kText)),
                            float(text.blueF() * kText + base.blueF() * (1 - kText)));
}
