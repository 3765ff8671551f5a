// Private to core/json: the byte-level pieces of JSON string text that the reader and the writer share (how an
// escape is written and read, how a code point is written as UTF-8), written through a pointer into room the
// caller made.
#pragma once

#include <QtCore/qglobal.h>

namespace d2a::json::text {

inline constexpr char kHex[] = "0123456789abcdef";

/// The character a one-letter escape stands for (`n` -> newline; `"`, `\` and `/` stand for themselves).
constexpr char unescaped(char e)
{
    switch (e) {
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return e;
    }
}

/// Writes the escape of `c` (a quote, a backslash, a control character, or a lone surrogate as \uXXXX: at most
/// 6 bytes) at `dst`; returns one past it.
inline char *writeEscape(char *dst, char16_t c)
{
    *dst++ = '\\';
    switch (c) {
    case u'"': *dst++ = '"'; return dst;
    case u'\\': *dst++ = '\\'; return dst;
    case u'\b': *dst++ = 'b'; return dst;
    case u'\f': *dst++ = 'f'; return dst;
    case u'\n': *dst++ = 'n'; return dst;
    case u'\r': *dst++ = 'r'; return dst;
    case u'\t': *dst++ = 't'; return dst;
    default: break;
    }
    *dst++ = 'u';
    *dst++ = kHex[(c >> 12) & 0xF];
    *dst++ = kHex[(c >> 8) & 0xF];
    *dst++ = kHex[(c >> 4) & 0xF];
    *dst++ = kHex[c & 0xF];
    return dst;
}

/// Writes `cp` as UTF-8 (at most 4 bytes) at `dst`; returns one past it.
inline char *writeUtf8(char *dst, char32_t cp)
{
    if (cp < 0x80) {
        *dst++ = char(cp);
    } else if (cp < 0x800) {
        *dst++ = char(0xC0 | (cp >> 6));
        *dst++ = char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *dst++ = char(0xE0 | (cp >> 12));
        *dst++ = char(0x80 | ((cp >> 6) & 0x3F));
        *dst++ = char(0x80 | (cp & 0x3F));
    } else {
        *dst++ = char(0xF0 | (cp >> 18));
        *dst++ = char(0x80 | ((cp >> 12) & 0x3F));
        *dst++ = char(0x80 | ((cp >> 6) & 0x3F));
        *dst++ = char(0x80 | (cp & 0x3F));
    }
    return dst;
}

} // namespace d2a::json::text
