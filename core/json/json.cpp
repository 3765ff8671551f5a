#include "json.h"
#include "scan_p.h"
#include "jsonwriter.h"
#include "text_p.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qhash.h>
#include <QtCore/qset.h>
#include <QtCore/qvarlengtharray.h>

#include <cmath>
#include <cstring>
#include <utility>

namespace d2a::json {

namespace {

// Byte classes for the string scanner: 0 = plain, 1 = stop ('"', '\\', control, non-ASCII).
struct StringTable
{
    unsigned char stop[256] {};
    constexpr StringTable()
    {
        for (int c = 0; c < 0x20; ++c)
            stop[c] = 1;
        stop[unsigned('"')] = 1;
        stop[unsigned('\\')] = 1;
        for (int c = 0x80; c < 0x100; ++c)
            stop[c] = 1;
    }
};
constexpr StringTable kString;

/// The bytes that may follow a backslash in a string: 1 for " \\ / b f n r t, 2 for u (four hex digits follow).
struct EscapeTable
{
    unsigned char kind[256] {};
    constexpr EscapeTable()
    {
        for (char c : { '"', '\\', '/', 'b', 'f', 'n', 'r', 't' })
            kind[unsigned(c)] = 1;
        kind[unsigned('u')] = 2;
    }
};
constexpr EscapeTable kEscape;

inline bool isWs(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

inline int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/// Length of a valid UTF-8 sequence starting at p (lead byte >= 0x80), or 0 when invalid (overlong,
/// surrogate, above U+10FFFF, truncated).
inline int utf8Length(const unsigned char *p, const unsigned char *end)
{
    const unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF) {
        if (end - p < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p[1] < 0xA0)
            return 0; // overlong
        if (c == 0xED && p[1] >= 0xA0)
            return 0; // UTF-16 surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && p[1] < 0x90)
            return 0; // overlong
        if (c == 0xF4 && p[1] >= 0x90)
            return 0; // above U+10FFFF
        return 4;
    }
    return 0;
}

QString tr(const char *text)
{
    return QCoreApplication::translate("d2a::json", text);
}

} // namespace

// --- the parser ----------------------------------------------------------------------------------------------

class Parser
{
public:
    Parser(Document &doc, const Document::Options &options, std::size_t maxValues)
        : m_doc(doc), m_options(options), m_maxValues(maxValues),
          m_begin(reinterpret_cast<const unsigned char *>(doc.m_source.constData())), m_p(m_begin),
          m_end(m_begin + doc.m_source.size())
    {
    }

    std::optional<Error> run()
    {
        if (m_doc.m_source.size() >= 0xFFFFFFF0u)
            return Error::tooLarge(tr("JSON text of 4 GiB or more"));
        std::size_t expected = std::size_t(m_doc.m_source.size() / 12) + 8;
        if (m_maxValues)
            expected = qMin(expected, m_maxValues + 1);
        m_doc.m_nodes.reserve(expected);
        ws();
        if (m_p == m_end)
            return fail(tr("empty body"));
        if (!value())
            return m_error;
        // Close the containers still open: value() returns once the whole tree is read.
        ws();
        if (m_p != m_end)
            return fail(tr("unexpected data after the JSON value"));
        return std::nullopt;
    }

private:
    using Node = Document::Node;

    std::uint32_t pos() const { return std::uint32_t(m_p - m_begin); }

    void ws()
    {
        while (m_p < m_end && isWs(char(*m_p)))
            ++m_p;
    }

    /// Where in the tree the parser is, e.g. "messages[2].content".
    QString path() const
    {
        QString out;
        for (std::size_t level = 0; level < m_stack.size(); ++level) {
            const std::uint32_t containerIndex = m_stack[level];
            const Node &c = m_doc.m_nodes[containerIndex];
            if (c.type == Type::Array) {
                if (c.count == 0)
                    break;
                out += QStringLiteral("[%1]").arg(c.count - 1); // the element being read is counted already
                continue;
            }
            QByteArrayView key;
            if (level + 1 == m_stack.size() && m_pendingKey.end) {
                key = QByteArrayView(m_begin + m_pendingKey.start, m_pendingKey.end - m_pendingKey.start);
            } else {
                // The last member on the way down is the open container of the next level.
                std::uint32_t child = containerIndex + 1, last = 0;
                for (std::uint32_t k = 0; k < c.count && child < m_doc.m_nodes.size(); ++k) {
                    last = child;
                    child = m_doc.m_nodes[child].next;
                    if (child == 0)
                        break;
                }
                if (!last)
                    break;
                const Node &m = m_doc.m_nodes[last];
                key = QByteArrayView(m_begin + m.keyStart, m.keyEnd - m.keyStart);
            }
            out += (out.isEmpty() ? QString() : QStringLiteral(".")) + decodeString(key);
        }
        return out;
    }

    Error fail(const QString &what, qsizetype at = -1)
    {
        const qsizetype offset = at >= 0 ? at : qsizetype(m_p - m_begin);
        const QString where = path();
        m_error =
            Error::badRequest(where.isEmpty() ? tr("invalid JSON at byte %1: %2").arg(offset).arg(what)
                                              : tr("invalid JSON at byte %1 (%2): %3").arg(offset).arg(where, what));
        return m_error;
    }

    bool literal(const char *word, std::size_t n, Type type)
    {
        if (std::size_t(m_end - m_p) < n || std::memcmp(m_p, word, n) != 0) {
            fail(tr("unexpected character"));
            return false;
        }
        Node &node = push(type);
        m_p += n;
        node.end = pos();
        return true;
    }

    Node &push(Type type) { return Document::appendNode(m_doc.m_nodes, type, pos(), m_pendingKey); }

    /// Scans a string token at m_p ('"'); sets *escaped. False with the error set when invalid.
    bool scanString(bool *escaped)
    {
        const unsigned char *start = m_p;
        ++m_p;
        *escaped = false;
#if defined(__SSE2__)
        if (m_end - m_p >= 16) {
            // Most strings (keys, names, short values) end within their first 16 bytes, unescaped.
            if (const unsigned first = scan::specialMask16(m_p)) {
                const unsigned char *q = m_p + __builtin_ctz(first);
                if (*q == '"') {
                    m_p = q + 1;
                    return true;
                }
            }
        }
        // Platform-specific (x86-64): 64 bytes at a time while they are text with valid escapes, the common case
        // (an agent's code and prose: an escape every 16 bytes or so). Which bytes are escaped comes from bit
        // arithmetic on the backslash mask, so a chunk costs the same however many escapes it holds; the closing
        // quote is the first quote not escaped. Each multi-byte UTF-8 character is checked where it starts, and
        // one that runs on into the next chunk is carried there. A chunk with a control character, a byte that
        // is not UTF-8 or an escape that is not valid is scanned byte by byte (scanCarefully: it validates and
        // names any fault), and the chunks go on after it.
        quint64 carry = 0; // the chunk's first byte is escaped by the previous chunk's last backslash
        quint64 goesOn = 0; // the chunk's first bytes end a character the previous chunk started
        const unsigned char *character = nullptr; // where that character started
        while (m_end - m_p >= 64) {
            const scan::ChunkMasks m = scan::chunkMasks(m_p);
            quint64 nextCarry = carry;
            const quint64 escapedBits = scan::escapedBytes(m.backslashes, &nextCarry);
            const quint64 closing = m.quotes & ~escapedBits;
            const quint64 inside = closing ? (quint64(1) << __builtin_ctzll(closing)) - 1 : ~quint64(0);
            bool careful = (m.controls & inside) != 0;
            for (quint64 escapes = escapedBits & inside; escapes && !careful; escapes &= escapes - 1) {
                const unsigned char *e = m_p + __builtin_ctzll(escapes); // the letter after a backslash
                const unsigned char kind = kEscape.kind[*e];
                careful = kind == 0
                          || (kind == 2
                              && (m_end - e < 5 || hexValue(char(e[1])) < 0 || hexValue(char(e[2])) < 0
                                  || hexValue(char(e[3])) < 0 || hexValue(char(e[4])) < 0));
            }
            quint64 nextGoesOn = 0;
            const unsigned char *nextCharacter = nullptr;
            for (quint64 starts = m.nonAscii & inside & ~goesOn; starts && !careful;) {
                const int at = __builtin_ctzll(starts);
                const int len = utf8Length(m_p + at, m_end);
                if (!len) {
                    careful = true;
                } else if (at + len > 64) {
                    nextGoesOn = (quint64(1) << (at + len - 64)) - 1;
                    nextCharacter = m_p + at;
                    starts = 0;
                } else {
                    starts &= at + len == 64 ? 0 : ~quint64(0) << (at + len);
                }
            }
            if (careful) {
                if (std::exchange(carry, 0))
                    --m_p; // from the backslash whose escape crosses into this chunk
                else if (goesOn)
                    m_p = character; // from the start of the character that runs into it
                if (const int done = scanCarefully(start, escaped, m_p + 64))
                    return done > 0;
                goesOn = 0;
                continue; // at the start of a character: the chunks go on
            }
            if ((m.backslashes & inside) || carry)
                *escaped = true;
            if (closing) {
                m_p += __builtin_ctzll(closing) + 1;
                return true;
            }
            carry = nextCarry;
            goesOn = nextGoesOn;
            character = nextCharacter;
            m_p += 64;
        }
        if (carry)
            --m_p; // the rest from the backslash whose escape crosses into it
        else if (goesOn)
            m_p = character; // the rest from the start of the character that runs into it
#endif
        return scanCarefully(start, escaped, nullptr) > 0;
    }

    /// The string scan byte by byte from m_p, at the start of a character or escape, for the string that
    /// starts at `start`: 1 at its end, -1 on a fault (the error set), 0 once m_p reaches `limit` (when given)
    /// at the start of a character.
    int scanCarefully(const unsigned char *start, bool *escaped, const unsigned char *limit)
    {
        for (;;) {
            if (limit && m_p >= limit)
                return 0;
            m_p = scan::skipPlainStringBytes(m_p, m_end);
            while (m_p < m_end && !kString.stop[*m_p])
                ++m_p;
            if (m_p >= m_end) {
                fail(tr("unterminated string"), start - m_begin);
                return -1;
            }
            const unsigned char c = *m_p;
            if (c == '"') {
                ++m_p;
                return 1;
            }
            if (c == '\\') {
                *escaped = true;
                if (m_end - m_p < 2) {
                    fail(tr("unterminated string"), start - m_begin);
                    return -1;
                }
                const char e = char(m_p[1]);
                if (e == 'u') {
                    if (m_end - m_p < 6 || hexValue(char(m_p[2])) < 0 || hexValue(char(m_p[3])) < 0
                        || hexValue(char(m_p[4])) < 0 || hexValue(char(m_p[5])) < 0) {
                        fail(tr("invalid \\u escape"));
                        return -1;
                    }
                    m_p += 6;
                } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r'
                           || e == 't') {
                    m_p += 2;
                } else {
                    fail(tr("invalid escape"));
                    return -1;
                }
                continue;
            }
            if (c < 0x20) {
                fail(tr("control character in a string"));
                return -1;
            }
            const int len = utf8Length(m_p, m_end);
            if (!len) {
                fail(tr("invalid UTF-8"));
                return -1;
            }
            m_p += len;
        }
    }

    bool number()
    {
        Node &node = push(Type::Number);
        if (*m_p == '-')
            ++m_p;
        if (m_p >= m_end) {
            fail(tr("invalid number"));
            return false;
        }
        if (*m_p == '0') {
            ++m_p;
        } else if (*m_p >= '1' && *m_p <= '9') {
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        } else {
            fail(tr("invalid number"));
            return false;
        }
        if (m_p < m_end && *m_p == '.') {
            ++m_p;
            if (m_p >= m_end || *m_p < '0' || *m_p > '9') {
                fail(tr("invalid number"));
                return false;
            }
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            if (m_p >= m_end || *m_p < '0' || *m_p > '9') {
                fail(tr("invalid number"));
                return false;
            }
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        // Re-fetch: push() may have reallocated, but nothing was pushed since.
        m_doc.m_nodes.back().end = pos();
        Q_UNUSED(node);
        return true;
    }

    /// Duplicate member names are a client bug that upstream parsers resolve differently (first or last
    /// wins): refuse them rather than guess.
    bool checkDuplicates(std::uint32_t objectIndex)
    {
        const Node &obj = m_doc.m_nodes[objectIndex];
        if (obj.count < 2 || !m_options.rejectDuplicateKeys)
            return true;
        auto keyView = [this](const Node &n) {
            return QByteArrayView(m_begin + n.keyStart + 1, n.keyEnd - n.keyStart - 2);
        };
        std::vector<std::uint32_t> members;
        members.reserve(obj.count);
        bool anyEscaped = false;
        for (std::uint32_t i = objectIndex + 1; members.size() < obj.count; i = m_doc.m_nodes[i].next) {
            members.push_back(i);
            anyEscaped = anyEscaped || m_doc.m_nodes[i].keyEscaped;
        }
        auto duplicate = [&](std::uint32_t nodeIndex) {
            const Node &n = m_doc.m_nodes[nodeIndex];
            fail(
                tr("duplicate key '%1'").arg(decodeString(QByteArrayView(m_begin + n.keyStart, n.keyEnd - n.keyStart))),
                n.keyStart);
            return false;
        };
        if (!anyEscaped && members.size() <= 16) {
            for (std::size_t a = 1; a < members.size(); ++a)
                for (std::size_t b = 0; b < a; ++b)
                    if (keyView(m_doc.m_nodes[members[a]]) == keyView(m_doc.m_nodes[members[b]]))
                        return duplicate(members[a]);
            return true;
        }
        QSet<QByteArray> seen;
        seen.reserve(qsizetype(members.size()));
        for (std::uint32_t m : members) {
            const Node &n = m_doc.m_nodes[m];
            const QByteArray k = n.keyEscaped
                                     ? decodeStringUtf8(QByteArrayView(m_begin + n.keyStart, n.keyEnd - n.keyStart))
                                     : keyView(n).toByteArray();
            if (seen.contains(k))
                return duplicate(m);
            seen.insert(k);
        }
        return true;
    }

    /// Closes the container on top of the stack at m_p (its closing bracket).
    bool close()
    {
        const std::uint32_t index = m_stack.back();
        m_stack.pop_back();
        ++m_p;
        Node &n = m_doc.m_nodes[index];
        n.end = pos();
        n.next = std::uint32_t(m_doc.m_nodes.size());
        if (n.type == Type::Object && !checkDuplicates(index))
            return false;
        return true;
    }

    /// Parses the whole value at m_p, containers iteratively (no recursion: deep nesting cannot overflow
    /// the stack; it is refused past maxDepth).
    bool value()
    {
        for (;;) {
            // One value at m_p.
            if (m_maxValues && m_doc.m_nodes.size() >= m_maxValues) {
                m_error = Error::tooLarge(
                    tr("the JSON text holds more than %1 values (so dense a body would take too much memory)")
                        .arg(m_maxValues));
                return false;
            }
            ws();
            if (m_p >= m_end) {
                fail(tr("unexpected end of data"));
                return false;
            }
            const unsigned char c = *m_p;
            bool opened = false;
            if (c == '{' || c == '[') {
                if (int(m_stack.size()) >= m_options.maxDepth) {
                    fail(tr("nested deeper than %1 levels").arg(m_options.maxDepth));
                    return false;
                }
                const std::uint32_t index = std::uint32_t(m_doc.m_nodes.size());
                push(c == '{' ? Type::Object : Type::Array);
                if (!m_stack.empty())
                    ++m_doc.m_nodes[m_stack.back()].count;
                m_stack.push_back(index);
                ++m_p;
                opened = true;
            } else {
                if (!m_stack.empty())
                    ++m_doc.m_nodes[m_stack.back()].count;
                if (c == '"') {
                    const std::uint32_t at = pos();
                    bool escaped = false;
                    if (!scanString(&escaped))
                        return false;
                    Node &n = push(Type::String);
                    n.start = at;
                    n.end = pos();
                    n.escaped = escaped;
                } else if (c == '-' || (c >= '0' && c <= '9')) {
                    if (!number())
                        return false;
                } else if (c == 't') {
                    if (!literal("true", 4, Type::Bool))
                        return false;
                } else if (c == 'f') {
                    if (!literal("false", 5, Type::Bool))
                        return false;
                } else if (c == 'n') {
                    if (!literal("null", 4, Type::Null))
                        return false;
                } else {
                    fail(tr("unexpected character"));
                    return false;
                }
                m_doc.m_nodes.back().next = std::uint32_t(m_doc.m_nodes.size());
            }

            // After a value (or an opening bracket): commas, closing brackets, the next key.
            bool expectValue = false;
            while (!m_stack.empty() && !expectValue) {
                const Node &top = m_doc.m_nodes[m_stack.back()];
                const bool isObject = top.type == Type::Object;
                ws();
                if (m_p >= m_end) {
                    fail(tr("unexpected end of data"));
                    return false;
                }
                const char closer = isObject ? '}' : ']';
                if (opened) {
                    opened = false;
                    if (char(*m_p) == closer) {
                        if (!close())
                            return false;
                        continue;
                    }
                } else if (char(*m_p) == ',') {
                    ++m_p;
                    ws();
                } else if (char(*m_p) == closer) {
                    if (!close())
                        return false;
                    continue;
                } else {
                    fail(isObject ? tr("expected ',' or '}'") : tr("expected ',' or ']'"));
                    return false;
                }
                if (isObject) {
                    if (m_p >= m_end || *m_p != '"') {
                        fail(tr("expected a member name in double quotes"));
                        return false;
                    }
                    const std::uint32_t keyStart = pos();
                    bool escaped = false;
                    if (!scanString(&escaped))
                        return false;
                    const std::uint32_t keyEnd = pos();
                    ws();
                    if (m_p >= m_end || *m_p != ':') {
                        fail(tr("expected ':' after a member name"));
                        return false;
                    }
                    ++m_p;
                    m_pendingKey = { keyStart, keyEnd, escaped };
                }
                expectValue = true;
            }
            if (m_stack.empty())
                return true;
        }
    }

    Document &m_doc;
    const Document::Options &m_options;
    std::size_t m_maxValues; ///< 0: no bound
    const unsigned char *m_begin;
    const unsigned char *m_p;
    const unsigned char *m_end;
    std::vector<std::uint32_t> m_stack;
    Document::PendingKey m_pendingKey;
    Error m_error;
};

Result<Document> Document::parse(QByteArray source, Options options)
{
    return parse(std::move(source), options, 0);
}

Result<Document> Document::parse(QByteArray source, Options options, std::size_t maxValues)
{
    Document doc;
    doc.m_source = std::move(source);
    Parser p(doc, options, maxValues);
    if (auto e = p.run())
        return *e;
    return doc;
}

// --- decoding ------------------------------------------------------------------------------------------------

namespace {

/// The code unit four hex digits at `h` spell.
char32_t hex4(const char *h)
{
    return char32_t((hexValue(h[0]) << 12) | (hexValue(h[1]) << 8) | (hexValue(h[2]) << 4) | hexValue(h[3]));
}

/// Copies a string token's body [p, end) to `o` as UTF-8 with its escapes undone; `o` has room for end - p bytes
/// (every escape is longer than what it stands for: a \u's six bytes are at most three of UTF-8, a surrogate
/// pair's twelve are four). A \u is decoded (a lone surrogate, which UTF-8 cannot hold, as U+FFFD) unless
/// `stopAtU`, where the copy stops at it. Returns one past the last byte written; *stopped is where the copy
/// stopped, `end` when it got there.
char *unescapeUtf8(const char *p, const char *end, char *o, bool stopAtU, const char **stopped)
{
    while (const char *bs = static_cast<const char *>(std::memchr(p, '\\', std::size_t(end - p)))) {
        std::memcpy(o, p, std::size_t(bs - p));
        o += bs - p;
        p = bs;
        if (end - p < 2 || (p[1] == 'u' && (stopAtU || end - p < 6))) {
            *stopped = p;
            return o;
        }
        if (p[1] != 'u') {
            *o++ = text::unescaped(p[1]);
            p += 2;
            continue;
        }
        char32_t cp = hex4(p + 2);
        p += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
            const char32_t lo = hex4(p + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        o = text::writeUtf8(o, cp);
    }
    std::memcpy(o, p, std::size_t(end - p));
    *stopped = end;
    return o + (end - p);
}

} // namespace

QByteArray decodeStringUtf8(QByteArrayView token)
{
    if (token.size() < 2)
        return {};
    const QByteArrayView body = token.sliced(1, token.size() - 2);
    QByteArray out(body.size(), Qt::Uninitialized);
    const char *stopped = nullptr;
    out.resize(unescapeUtf8(body.data(), body.data() + body.size(), out.data(), false, &stopped) - out.constData());
    return out;
}

QString decodeString(QByteArrayView token)
{
    if (token.size() < 2)
        return {};
    const QByteArrayView body = token.sliced(1, token.size() - 2);
    const char *p = body.data();
    const char *end = p + body.size();
    if (!std::memchr(p, '\\', std::size_t(end - p)))
        return QString::fromUtf8(body);
    {
        // Most text with escapes (code: \n, \") has no \u: its escapes are undone in UTF-8 into one buffer and
        // converted once, not once per run between two escapes. A \u goes to the UTF-16 decoder below.
        QVarLengthArray<char, 1024> utf8(body.size());
        const char *stopped = nullptr;
        const char *o = unescapeUtf8(p, end, utf8.data(), true, &stopped);
        if (stopped == end)
            return QString::fromUtf8(utf8.data(), o - utf8.data());
    }
    // Decode to UTF-16 directly so lone surrogates (legal in JSON escapes) survive.
    QString out;
    out.reserve(body.size());
    while (p < end) {
        const char *bs = static_cast<const char *>(std::memchr(p, '\\', std::size_t(end - p)));
        if (!bs) {
            out += QString::fromUtf8(p, end - p);
            break;
        }
        out += QString::fromUtf8(p, bs - p);
        p = bs + 1;
        if (p >= end)
            break;
        const char e = *p++;
        switch (e) {
        case 'u':
            if (end - p < 4)
                return out;
            out += QChar(char16_t(hex4(p)));
            p += 4;
            break;
        default: out += QChar(char16_t(text::unescaped(e))); break;
        }
    }
    return out;
}

namespace {

/// Past the string at `p` ('"'): one past its closing quote, or null when it does not end.
const char *skipStringToken(const char *p, const char *end)
{
    ++p;
    for (;;) {
        const char *q = static_cast<const char *>(std::memchr(p, '"', std::size_t(end - p)));
        if (!q)
            return nullptr;
        const char *b = q;
        while (b > p && b[-1] == '\\')
            --b;
        if (((q - b) & 1) == 0) // an odd run of backslashes escapes the quote
            return q + 1;
        p = q + 1;
    }
}

/// Past the value at `p`, or null when it does not end.
const char *skipValueToken(const char *p, const char *end)
{
    if (p >= end)
        return nullptr;
    if (*p == '"')
        return skipStringToken(p, end);
    if (*p != '{' && *p != '[') {
        while (p < end && *p != ',' && *p != '}' && *p != ']' && !isWs(*p))
            ++p;
        return p;
    }
    int depth = 0;
    while (p < end) {
        const char c = *p;
        if (c == '"') {
            p = skipStringToken(p, end);
            if (!p)
                return nullptr;
            continue;
        }
        if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return p + 1;
        }
        ++p;
    }
    return nullptr;
}

} // namespace

std::optional<QByteArrayView> memberSpan(QByteArrayView object, QByteArrayView key)
{
    const char *p = object.data();
    const char *end = p + object.size();
    auto skipSpace = [&] {
        while (p < end && isWs(*p))
            ++p;
    };
    skipSpace();
    if (p >= end || *p != '{')
        return std::nullopt;
    ++p;
    for (;;) {
        skipSpace();
        if (p >= end || *p != '"')
            return std::nullopt;
        const char *keyStart = p + 1;
        const char *keyEnd = skipStringToken(p, end);
        if (!keyEnd)
            return std::nullopt;
        p = keyEnd;
        skipSpace();
        if (p >= end || *p != ':')
            return std::nullopt;
        ++p;
        skipSpace();
        const char *valueStart = p;
        p = skipValueToken(p, end);
        if (!p || p == valueStart)
            return std::nullopt;
        if (QByteArrayView(keyStart, keyEnd - 1 - keyStart) == key)
            return QByteArrayView(valueStart, p - valueStart);
        skipSpace();
        if (p >= end || *p != ',')
            return std::nullopt;
        ++p;
    }
}

QByteArray compact(QByteArrayView json)
{
    QByteArray out;
    out.reserve(json.size());
    const char *p = json.data();
    const char *end = p + json.size();
    while (p < end) {
        const char c = *p;
        if (c == '"') {
            const char *start = p++;
            while (p < end && *p != '"')
                p += *p == '\\' ? 2 : 1;
            p = p < end ? p + 1 : end;
            out.append(start, p - start);
        } else {
            if (!isWs(c))
                out += c;
            ++p;
        }
    }
    return out;
}

// --- Value -----------------------------------------------------------------------------------------------------

Type Value::type() const
{
    return m_doc ? m_doc->m_nodes[m_index].type : Type::Undefined;
}

QByteArrayView Value::raw() const
{
    if (!m_doc)
        return {};
    const auto &n = m_doc->m_nodes[m_index];
    return QByteArrayView(m_doc->m_source.constData() + n.start, n.end - n.start);
}

QString Value::toString(const QString &fallback) const
{
    if (type() != Type::String)
        return fallback;
    return decodeString(raw());
}

Text Value::toText() const
{
    Text t;
    if (type() != Type::String)
        return t;
    t.m_source = m_doc->m_source;
    t.m_start = start();
    t.m_length = end() - start();
    t.m_escaped = m_doc->m_nodes[m_index].escaped;
    return t;
}

Fragment::Fragment(const Value &v)
{
    if (v.isUndefined())
        return;
    // Written out on its own by a writer recording its tree: the value's bytes, and its nodes moved to them.
    QByteArray text;
    text.reserve(v.end() - v.start());
    Writer w(&text);
    w.recordTree();
    w.value(v);
    if (auto doc = w.takeDocument())
        m_doc = std::make_shared<const Document>(std::move(doc.value()));
}

Fragment::Fragment(Document &&doc)
{
    if (doc.nodeCount())
        m_doc = std::make_shared<const Document>(std::move(doc));
}

bool Document::sameTreeAs(const Document &other) const
{
    if (m_source != other.m_source || m_nodes.size() != other.m_nodes.size())
        return false;
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
        const Node &a = m_nodes[i];
        const Node &b = other.m_nodes[i];
        if (a.start != b.start || a.end != b.end || a.keyStart != b.keyStart || a.keyEnd != b.keyEnd || a.next != b.next
            || a.count != b.count || a.type != b.type || a.escaped != b.escaped || a.keyEscaped != b.keyEscaped)
            return false;
    }
    return true;
}

void Text::decode() const
{
    m_text = decodeString(token());
    m_decoded = true;
}

QByteArray Value::toUtf8() const
{
    if (type() != Type::String)
        return {};
    return decodeStringUtf8(raw());
}

bool Value::stringIs(QLatin1StringView ascii) const
{
    if (type() != Type::String)
        return false;
    const auto &n = m_doc->m_nodes[m_index];
    if (!n.escaped) {
        const QByteArrayView r = raw();
        return r.size() == ascii.size() + 2 && std::memcmp(r.data() + 1, ascii.data(), std::size_t(ascii.size())) == 0;
    }
    return decodeStringUtf8(raw()) == QByteArrayView(ascii.data(), ascii.size());
}

bool Value::toBool(bool fallback) const
{
    if (type() != Type::Bool)
        return fallback;
    return raw().front() == 't';
}

double Value::toDouble(double fallback) const
{
    if (type() != Type::Number)
        return fallback;
    bool ok = false;
    const double d = raw().toDouble(&ok);
    return ok ? d : fallback;
}

bool Value::isIntegerText() const
{
    if (type() != Type::Number)
        return false;
    const QByteArrayView r = raw();
    return !r.contains('.') && !r.contains('e') && !r.contains('E');
}

qint64 Value::toInteger(qint64 fallback) const
{
    if (type() != Type::Number)
        return fallback;
    bool ok = false;
    if (isIntegerText()) {
        const qint64 v = raw().toLongLong(&ok);
        return ok ? v : fallback;
    }
    const double d = toDouble(std::nan(""));
    if (std::isnan(d) || d != std::floor(d) || d < -9.2e18 || d > 9.2e18)
        return fallback;
    return qint64(d);
}

int Value::size() const
{
    const Type t = type();
    if (t != Type::Array && t != Type::Object)
        return 0;
    return int(m_doc->m_nodes[m_index].count);
}

Value Value::operator[](QLatin1StringView key) const
{
    if (type() != Type::Object)
        return {};
    const auto &nodes = m_doc->m_nodes;
    const auto &obj = nodes[m_index];
    const char *src = m_doc->m_source.constData();
    std::uint32_t i = m_index + 1;
    for (std::uint32_t k = 0; k < obj.count; ++k) {
        const auto &n = nodes[i];
        const std::uint32_t len = n.keyEnd - n.keyStart - 2;
        if (!n.keyEscaped) {
            if (len == std::uint32_t(key.size()) && std::memcmp(src + n.keyStart + 1, key.data(), len) == 0)
                return Value(m_doc, i);
        } else if (decodeStringUtf8(QByteArrayView(src + n.keyStart, n.keyEnd - n.keyStart))
                   == QByteArrayView(key.data(), key.size())) {
            return Value(m_doc, i);
        }
        i = n.next;
    }
    return {};
}

Value Value::at(int index) const
{
    if (type() != Type::Array || index < 0 || index >= size())
        return {};
    std::uint32_t i = m_index + 1;
    for (int k = 0; k < index; ++k)
        i = m_doc->m_nodes[i].next;
    return Value(m_doc, i);
}

QString Value::key() const
{
    if (!m_doc || !m_doc->m_nodes[m_index].keyEnd)
        return {};
    return decodeString(rawKey());
}

bool Value::keyIs(QLatin1StringView ascii) const
{
    if (!m_doc)
        return false;
    const auto &n = m_doc->m_nodes[m_index];
    if (!n.keyEnd)
        return false;
    if (!n.keyEscaped)
        return n.keyEnd - n.keyStart - 2 == std::uint32_t(ascii.size())
               && std::memcmp(m_doc->m_source.constData() + n.keyStart + 1, ascii.data(), std::size_t(ascii.size()))
                      == 0;
    return decodeStringUtf8(rawKey()) == QByteArrayView(ascii.data(), ascii.size());
}

QByteArrayView Value::rawKey() const
{
    if (!m_doc)
        return {};
    const auto &n = m_doc->m_nodes[m_index];
    return QByteArrayView(m_doc->m_source.constData() + n.keyStart, n.keyEnd - n.keyStart);
}

qsizetype Value::start() const
{
    return m_doc ? qsizetype(m_doc->m_nodes[m_index].start) : -1;
}

qsizetype Value::end() const
{
    return m_doc ? qsizetype(m_doc->m_nodes[m_index].end) : -1;
}

qsizetype Value::keyStart() const
{
    return m_doc && m_doc->m_nodes[m_index].keyEnd ? qsizetype(m_doc->m_nodes[m_index].keyStart) : -1;
}

Value::Iterator &Value::Iterator::operator++()
{
    m_index = m_doc->m_nodes[m_index].next;
    return *this;
}

Value::Range Value::children() const
{
    const Type t = type();
    if (t != Type::Array && t != Type::Object)
        return { Iterator(m_doc, 0), Iterator(m_doc, 0) };
    const auto &n = m_doc->m_nodes[m_index];
    const std::uint32_t first = n.count ? m_index + 1 : n.next;
    return { Iterator(m_doc, first), Iterator(m_doc, n.next) };
}

} // namespace d2a::json
