#include "jsonwriter.h"

#include "json.h"
#include "text_p.h"

#include <QtCore/qlocale.h>

#include <algorithm>
#include <cmath>
#include <cstring>

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

struct Writer::Tree
{
    std::vector<Document::Node> nodes;
    std::vector<std::uint32_t> open; ///< the containers being written
    Document::PendingKey key; ///< the member name just written
    std::optional<Error> error;

    /// A node for the value starting at `at`, counted in its container, with the pending member name.
    Document::Node &add(Type type, qsizetype at)
    {
        if (!open.empty())
            ++nodes[open.back()].count;
        return Document::appendNode(nodes, type, std::uint32_t(at), key);
    }

    /// The nodes of a value copied from `source` (its nodes [first, last)), written at `at`.
    void copy(const std::vector<Document::Node> &source, std::uint32_t first, std::uint32_t last, qsizetype at)
    {
        const std::uint32_t shift = std::uint32_t(at) - source[first].start; // unsigned arithmetic wraps back
        const std::uint32_t base = std::uint32_t(nodes.size()) - first;
        Document::Node &root = add(source[first].type, at);
        root.end = source[first].end + shift;
        root.next = source[first].next + base;
        root.count = source[first].count;
        root.escaped = source[first].escaped;
        for (std::uint32_t i = first + 1; i < last; ++i) {
            Document::Node n = source[i];
            n.start += shift;
            n.end += shift;
            if (n.keyEnd) {
                n.keyStart += shift;
                n.keyEnd += shift;
            }
            n.next += base;
            nodes.push_back(n);
        }
    }
};

Writer::Writer(QByteArray *out) : m_out(out)
{
}

Writer::~Writer() = default;

void Writer::recordTree()
{
    m_tree = std::make_unique<Tree>();
    m_tree->nodes.reserve(std::size_t(m_out->capacity() / 24) + 64);
}

Result<Document> Writer::takeDocument()
{
    if (!m_tree)
        return Error::internal(QStringLiteral("no tree recorded"));
    if (m_tree->error)
        return *m_tree->error;
    if (!m_tree->open.empty() || m_tree->nodes.empty())
        return Error::internal(QStringLiteral("the JSON written is not one whole value"));
    Document doc;
    doc.m_source = std::move(*m_out);
    doc.m_nodes = std::move(m_tree->nodes);
    m_out->clear();
    m_tree.reset();
    return doc;
}

void Writer::leaf(Type type, qsizetype at, bool escaped)
{
    if (!m_tree)
        return;
    const std::uint32_t index = std::uint32_t(m_tree->nodes.size());
    Document::Node &n = m_tree->add(type, at);
    n.end = std::uint32_t(m_out->size());
    n.next = index + 1;
    n.escaped = escaped;
}

void Writer::open(Type type, qsizetype at)
{
    if (!m_tree)
        return;
    const std::uint32_t index = std::uint32_t(m_tree->nodes.size());
    m_tree->add(type, at); // counted in its container before it becomes the open one
    m_tree->open.push_back(index);
}

void Writer::close()
{
    if (!m_tree || m_tree->open.empty())
        return;
    Document::Node &n = m_tree->nodes[m_tree->open.back()];
    m_tree->open.pop_back();
    n.end = std::uint32_t(m_out->size());
    n.next = std::uint32_t(m_tree->nodes.size());
}

namespace {

bool hasEscape(QByteArrayView token)
{
    return std::memchr(token.data(), '\\', std::size_t(token.size())) != nullptr;
}

} // namespace

void Writer::stringWritten(qsizetype at)
{
    if (m_tree)
        leaf(Type::String, at, hasEscape(QByteArrayView(*m_out).sliced(at)));
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
    open(Type::Object, next());
    *m_out += '{';
    m_first.append(true);
    return *this;
}

Writer &Writer::endObject()
{
    *m_out += '}';
    m_first.removeLast();
    close();
    return *this;
}

Writer &Writer::beginArray()
{
    open(Type::Array, next());
    *m_out += '[';
    m_first.append(true);
    return *this;
}

Writer &Writer::endArray()
{
    *m_out += ']';
    m_first.removeLast();
    close();
    return *this;
}

Writer &Writer::key(QLatin1StringView name)
{
    const qsizetype at = next();
    *m_out += '"';
    m_out->append(name.data(), name.size());
    *m_out += "\":";
    if (m_tree) {
        m_tree->key = { std::uint32_t(at), std::uint32_t(m_out->size() - 1), false };
    }
    m_afterKey = true;
    return *this;
}

Writer &Writer::key(QStringView name)
{
    const qsizetype at = next();
    appendString(*m_out, name);
    if (m_tree) {
        m_tree->key = { std::uint32_t(at), std::uint32_t(m_out->size()), hasEscape(QByteArrayView(*m_out).sliced(at)) };
    }
    *m_out += ':';
    m_afterKey = true;
    return *this;
}

Writer &Writer::string(QStringView s)
{
    const qsizetype at = next();
    appendString(*m_out, s);
    stringWritten(at);
    return *this;
}

Writer &Writer::string(QLatin1StringView ascii)
{
    const qsizetype at = next();
    appendStringUtf8(*m_out, QByteArrayView(ascii.data(), ascii.size()));
    stringWritten(at);
    return *this;
}

Writer &Writer::stringUtf8(QByteArrayView utf8)
{
    const qsizetype at = next();
    appendStringUtf8(*m_out, utf8);
    stringWritten(at);
    return *this;
}

Writer &Writer::string(const Text &t)
{
    const QByteArrayView token = t.token();
    if (token.isEmpty())
        return string(QStringView(t.toString()));
    const qsizetype at = next();
    m_out->append(token.data(), token.size());
    leaf(Type::String, at, t.m_escaped);
    return *this;
}

Writer &Writer::number(qint64 n)
{
    const qsizetype at = next();
    *m_out += QByteArray::number(n);
    leaf(Type::Number, at);
    return *this;
}

Writer &Writer::number(double d)
{
    const qsizetype at = next();
    appendNumber(*m_out, d);
    leaf(std::isfinite(d) ? Type::Number : Type::Null, at);
    return *this;
}

Writer &Writer::boolean(bool b)
{
    const qsizetype at = next();
    *m_out += b ? "true" : "false";
    leaf(Type::Bool, at);
    return *this;
}

Writer &Writer::null()
{
    const qsizetype at = next();
    *m_out += "null";
    leaf(Type::Null, at);
    return *this;
}

Writer &Writer::raw(QByteArrayView json)
{
    const qsizetype at = next();
    m_out->append(json.data(), json.size());
    if (!m_tree)
        return *this;
    // Exact JSON from elsewhere: its tree is read from it (a value of a parsed document goes through value()).
    auto parsed = Document::parse(json.toByteArray(), { 4096, false });
    if (!parsed) {
        if (!m_tree->error)
            m_tree->error = Error::internal(QStringLiteral("invalid JSON written: %1").arg(parsed.error().message));
        leaf(Type::Null, at); // keeps the counts whole; takeDocument refuses the text
        return *this;
    }
    const auto &nodes = parsed.value().m_nodes;
    m_tree->copy(nodes, 0, std::uint32_t(nodes.size()), at);
    return *this;
}

Writer &Writer::value(const Value &v)
{
    if (v.isUndefined())
        return null();
    const qsizetype at = next();
    m_out->append(v.raw().data(), v.raw().size());
    if (m_tree) {
        const auto &nodes = v.document()->m_nodes;
        m_tree->copy(nodes, v.index(), nodes[v.index()].next, at);
    }
    return *this;
}

} // namespace d2a::json
