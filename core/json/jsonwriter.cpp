#include "jsonwriter.h"

#include "json.h"

#include <QtCore/qlocale.h>

#include <cmath>

namespace d2a::json {

namespace {
const char kHex[] = "0123456789abcdef";

inline void appendEscapedControl(QByteArray &out, unsigned c)
{
    switch (c) {
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
    }
    const char esc[6] = { '\\', 'u', '0', '0', kHex[(c >> 4) & 0xF], kHex[c & 0xF] };
    out.append(esc, 6);
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
        if (c == '"')
            out += "\\\"";
        else if (c == '\\')
            out += "\\\\";
        else
            appendEscapedControl(out, c);
        run = p + 1;
    }
    out.append(run, end - run);
    out += '"';
}

void appendString(QByteArray &out, QStringView s)
{
    out.reserve(out.size() + s.size() + 2);
    out += '"';
    const char16_t *p = s.utf16();
    const char16_t *end = p + s.size();
    while (p < end) {
        const char16_t c = *p;
        if (c < 0x80) {
            if (c >= 0x20 && c != u'"' && c != u'\\') {
                // A run of plain ASCII.
                const char16_t *q = p;
                while (q < end && *q < 0x80 && *q >= 0x20 && *q != u'"' && *q != u'\\')
                    ++q;
                const qsizetype n = q - p;
                const qsizetype at = out.size();
                out.resize(at + n);
                char *dst = out.data() + at;
                for (qsizetype i = 0; i < n; ++i)
                    dst[i] = char(p[i]);
                p = q;
                continue;
            }
            if (c == u'"')
                out += "\\\"";
            else if (c == u'\\')
                out += "\\\\";
            else
                appendEscapedControl(out, c);
            ++p;
            continue;
        }
        char32_t cp = c;
        if (QChar::isHighSurrogate(c) && p + 1 < end && QChar::isLowSurrogate(p[1])) {
            cp = QChar::surrogateToUcs4(c, p[1]);
            ++p;
        } else if (QChar::isSurrogate(c)) {
            // A lone surrogate has no UTF-8 form: keep it as an escape, as the client may have sent it.
            const char esc[6] = { '\\',         'u', kHex[(c >> 12) & 0xF], kHex[(c >> 8) & 0xF], kHex[(c >> 4) & 0xF],
                                  kHex[c & 0xF] };
            out.append(esc, 6);
            ++p;
            continue;
        }
        ++p;
        if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }
    out += '"';
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
