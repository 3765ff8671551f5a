#include "jsonwriter.h"

#include "json.h"
#include "text_p.h"

#include <QtCore/qlocale.h>

#include <algorithm>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h> // Platform-specific (x86-64): the ASCII run in appendString
#endif

namespace d2a::json {

namespace {
inline void appendEscape(QByteArray &out, char16_t c)
{
    char bytes[6];
    out.append(bytes, text::writeEscape(bytes, c) - bytes);
}
} // namespace

void appendStringUtf8(QByteArray &out, QByteArrayView utf8)
{
    out += '"';
    const char *p = utf8.data();
    const char *end = p + utf8.size();
    const char *run = p;
    for (; p < end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(run, p - run);
        appendEscape(out, c);
        run = p + 1;
    }
    out.append(run, end - run);
    out += '"';
}

void appendString(QByteArray &out, QStringView s)
{
    // Written through a pointer into room made a block at a time (6 bytes a unit at most: a control character
    // or a lone surrogate as \uXXXX), not appended a piece at a time: an agent's text has an escape every 16
    // bytes or so. The block bounds the room beyond the text (a 30 MiB string takes 30 MiB, not 180).
    constexpr qsizetype kBlock = 4096;
    const char16_t *p = s.utf16();
    const char16_t *end = p + s.size();
    qsizetype at = out.size();
    out.reserve(at + s.size() + 2);
    out.resize(at + 1);
    out.data()[at++] = '"';
    while (p < end) {
        const char16_t *stop = p + std::min<qsizetype>(end - p, kBlock);
        out.resize(at + (stop - p) * 6 + 6);
        char *const base = out.data();
        char *dst = base + at;
        while (p < stop) {
#if defined(__SSE2__)
            // Platform-specific (x86-64): 8 units at a time while all are plain ASCII.
            while (stop - p >= 8) {
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
                const __m128i zero = _mm_setzero_si128();
                const __m128i ascii = _mm_cmpeq_epi16(_mm_and_si128(v, _mm_set1_epi16(short(0xFF80))), zero);
                const __m128i control = _mm_cmpeq_epi16(_mm_and_si128(v, _mm_set1_epi16(short(0xFFE0))), zero);
                const __m128i special =
                    _mm_or_si128(_mm_cmpeq_epi16(v, _mm_set1_epi16('"')), _mm_cmpeq_epi16(v, _mm_set1_epi16('\\')));
                if (_mm_movemask_epi8(
                        _mm_or_si128(_mm_andnot_si128(ascii, _mm_set1_epi16(-1)), _mm_or_si128(control, special))))
                    break;
                _mm_storel_epi64(reinterpret_cast<__m128i *>(dst), _mm_packus_epi16(v, v));
                dst += 8;
                p += 8;
            }
            if (p == stop)
                break;
#endif
            const char16_t c = *p;
            if (c < 0x80) {
                ++p;
                if (c >= 0x20 && c != u'"' && c != u'\\')
                    *dst++ = char(c);
                else
                    dst = text::writeEscape(dst, c);
                continue;
            }
            char32_t cp = c;
            if (QChar::isHighSurrogate(c) && p + 1 < end && QChar::isLowSurrogate(p[1])) {
                cp = QChar::surrogateToUcs4(c, p[1]);
                ++p;
            } else if (QChar::isSurrogate(c)) {
                // A lone surrogate has no UTF-8 form: kept as an escape, as the client may have sent it.
                dst = text::writeEscape(dst, c);
                ++p;
                continue;
            }
            ++p;
            dst = text::writeUtf8(dst, cp);
        }
        at = dst - base;
    }
    out.resize(at + 1);
    out.data()[at] = '"';
}

QByteArray quoted(QStringView s)
{
    QByteArray out;
    appendString(out, s);
    return out;
}

void appendNumber(QByteArray &out, double d)
{
    if (!std::isfinite(d)) {
        out += "null"; // JSON has no NaN or infinity
        return;
    }
    if (d == std::floor(d) && std::fabs(d) < 9.007199254740992e15) {
        out += QByteArray::number(qint64(d));
        return;
    }
    out += QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
}

void Writer::separate()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_first.isEmpty()) {
        if (m_first.back())
            m_first.back() = false;
        else
            *m_out += ',';
    }
}

Writer &Writer::beginObject()
{
    separate();
    *m_out += '{';
    m_first.append(true);
    return *this;
}

Writer &Writer::endObject()
{
    *m_out += '}';
    m_first.removeLast();
    return *this;
}

Writer &Writer::beginArray()
{
    separate();
    *m_out += '[';
    m_first.append(true);
    return *this;
}

Writer &Writer::endArray()
{
    *m_out += ']';
    m_first.removeLast();
    return *this;
}

Writer &Writer::key(QLatin1StringView name)
{
    separate();
    *m_out += '"';
    m_out->append(name.data(), name.size());
    *m_out += "\":";
    m_afterKey = true;
    return *this;
}

Writer &Writer::key(QStringView name)
{
    separate();
    appendString(*m_out, name);
    *m_out += ':';
    m_afterKey = true;
    return *this;
}

Writer &Writer::string(QStringView s)
{
    separate();
    appendString(*m_out, s);
    return *this;
}

Writer &Writer::string(QLatin1StringView ascii)
{
    separate();
    appendStringUtf8(*m_out, QByteArrayView(ascii.data(), ascii.size()));
    return *this;
}

Writer &Writer::stringUtf8(QByteArrayView utf8)
{
    separate();
    appendStringUtf8(*m_out, utf8);
    return *this;
}

Writer &Writer::string(const Text &t)
{
    const QByteArrayView token = t.token();
    if (token.isEmpty())
        return string(QStringView(t.toString()));
    return raw(token);
}

Writer &Writer::number(qint64 n)
{
    separate();
    *m_out += QByteArray::number(n);
    return *this;
}

Writer &Writer::number(double d)
{
    separate();
    appendNumber(*m_out, d);
    return *this;
}

Writer &Writer::boolean(bool b)
{
    separate();
    *m_out += b ? "true" : "false";
    return *this;
}

Writer &Writer::null()
{
    separate();
    *m_out += "null";
    return *this;
}

Writer &Writer::raw(QByteArrayView json)
{
    separate();
    m_out->append(json.data(), json.size());
    return *this;
}

Writer &Writer::value(const Value &v)
{
    return raw(v.isUndefined() ? QByteArrayView("null") : v.raw());
}

} // namespace d2a::json
