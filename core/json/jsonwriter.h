#pragma once
// Writes compact JSON text in the caller's key order: the vendors' own orders for answers and stream events,
// the client's order for what is copied (raw() embeds exact source bytes). No DOM, no sorting.

#include "json.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qstring.h>
#include <QtCore/qvarlengtharray.h>

#include <memory>
#include <vector>

namespace d2a::json {

/// Appends `s` to `out` as a JSON string token (quotes included); UTF-8, escaping only what JSON requires.
void appendString(QByteArray &out, QStringView s);
void appendStringUtf8(QByteArray &out, QByteArrayView utf8);
/// Shortest text that reads back as `d` (integers without a fraction).
void appendNumber(QByteArray &out, double d);
QByteArray quoted(QStringView s);
/// The same for a QString, so a concatenation (a QStringBuilder under QT_USE_QSTRINGBUILDER) can be passed as is.
inline QByteArray quoted(const QString &s)
{
    return quoted(QStringView(s));
}

class Writer
{
public:
    explicit Writer(QByteArray *out);
    ~Writer();

    /// Also records the tree of what is written (each value's span, key and size, as Document::parse would
    /// find them), so the text can be used as a Document without parsing it again: a translated request is
    /// edited right after it is written. Call before writing. Exact JSON given to raw() is parsed for its tree
    /// (value() and string(Text) copy theirs from the source).
    void recordTree();
    /// The text written (moved out of the buffer) with its recorded tree; an error when raw() was given
    /// something that is not one JSON value, or a container is still open.
    Result<Document> takeDocument();

    Writer &beginObject();
    Writer &endObject();
    Writer &beginArray();
    Writer &endArray();
    /// The next member's name (ASCII literal or text).
    Writer &key(QLatin1StringView name);
    Writer &key(QStringView name);

    Writer &string(QStringView s);
    Writer &string(QLatin1StringView ascii);
    Writer &stringUtf8(QByteArrayView utf8);
    /// Text read from JSON goes out as its token, unchanged; other text is escaped as string() does.
    Writer &string(const Text &t);
    Writer &string(const QString &s) { return string(QStringView(s)); }
    Writer &number(qint64 n);
    Writer &number(double d);
    Writer &boolean(bool b);
    Writer &null();
    /// Exact JSON text (a token or a whole value kept from the source).
    Writer &raw(QByteArrayView json);
    Writer &value(const Value &v);

    // Literal keys and values (ASCII) without ceremony: w.member("type", "text").member("index", 0).
    template<std::size_t N> Writer &key(const char (&name)[N]) { return key(QLatin1StringView(name, N - 1)); }
    template<std::size_t N> Writer &string(const char (&ascii)[N]) { return string(QLatin1StringView(ascii, N - 1)); }
    template<std::size_t N> Writer &member(const char (&k)[N], const char *ascii)
    {
        return key(k).string(QLatin1StringView(ascii));
    }
    template<std::size_t N> Writer &member(const char (&k)[N], const QString &v)
    {
        return key(k).string(QStringView(v));
    }
    template<std::size_t N> Writer &member(const char (&k)[N], QStringView v) { return key(k).string(v); }
    template<std::size_t N> Writer &member(const char (&k)[N], const Text &v) { return key(k).string(v); }
    template<std::size_t N> Writer &member(const char (&k)[N], QLatin1StringView v) { return key(k).string(v); }
    template<std::size_t N> Writer &member(const char (&k)[N], qint64 n) { return key(k).number(n); }
    template<std::size_t N> Writer &member(const char (&k)[N], int n) { return key(k).number(qint64(n)); }
    template<std::size_t N> Writer &member(const char (&k)[N], bool b) { return key(k).boolean(b); }
    template<std::size_t N> Writer &memberRaw(const char (&k)[N], QByteArrayView json) { return key(k).raw(json); }
    template<std::size_t N> Writer &memberNull(const char (&k)[N]) { return key(k).null(); }

    Writer &member(QLatin1StringView k, QStringView s) { return key(k).string(s); }
    Writer &member(QLatin1StringView k, QLatin1StringView s) { return key(k).string(s); }
    Writer &member(QLatin1StringView k, const char *s) { return key(k).string(QLatin1StringView(s)); }
    Writer &member(QLatin1StringView k, const QString &s) { return key(k).string(QStringView(s)); }
    Writer &member(QLatin1StringView k, const Text &t) { return key(k).string(t); }
    Writer &member(QLatin1StringView k, qint64 n) { return key(k).number(n); }
    Writer &member(QLatin1StringView k, int n) { return key(k).number(qint64(n)); }
    Writer &member(QLatin1StringView k, bool b) { return key(k).boolean(b); }
    Writer &memberRaw(QLatin1StringView k, QByteArrayView json) { return key(k).raw(json); }

    QByteArray &buffer() { return *m_out; }

private:
    struct Tree;
    void separate();
    /// separate(), then where the next value starts.
    qsizetype next()
    {
        separate();
        return m_out->size();
    }
    /// Records a value written at [at, end of the buffer) when recording.
    void leaf(Type type, qsizetype at, bool escaped = false);
    /// Records the string token written at [at, end of the buffer) when recording.
    void stringWritten(qsizetype at);
    void open(Type type, qsizetype at);
    void close();
    QByteArray *m_out;
    std::unique_ptr<Tree> m_tree;
    QVarLengthArray<bool, 32> m_first; ///< per open container: nothing written in it yet
    bool m_afterKey = false;
};

} // namespace d2a::json
