#pragma once
// JSON as the client wrote it: a strict validating parser that keeps every value's byte span, key order,
// duplicate-free objects and numbers as their exact text. Values are light handles into one Document; the
// bytes are never re-serialised unless something changes them (see jsonwriter.h and jsonedit.h).

#include "../error.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qstring.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace d2a::json {

enum class Type : std::uint8_t { Undefined, Null, Bool, Number, String, Array, Object };

class Document;
class Text;

/// One value of a Document (or Undefined when a lookup found nothing). Cheap to copy; valid while its
/// Document lives.
class Value
{
public:
    Value() = default;

    Type type() const;
    bool isUndefined() const { return type() == Type::Undefined; }
    bool isNull() const { return type() == Type::Null; }
    bool isBool() const { return type() == Type::Bool; }
    bool isNumber() const { return type() == Type::Number; }
    bool isString() const { return type() == Type::String; }
    bool isArray() const { return type() == Type::Array; }
    bool isObject() const { return type() == Type::Object; }
    /// Present and not null.
    bool isSet() const { return type() != Type::Undefined && type() != Type::Null; }

    /// The value's exact bytes in the source (a string includes its quotes).
    QByteArrayView raw() const;
    QByteArray rawBytes() const { return raw().toByteArray(); }

    /// Strings: the decoded text; anything else gives `fallback`.
    QString toString(const QString &fallback = {}) const;
    /// Strings: the text kept as its token, decoded only when asked (Text); anything else gives empty text.
    Text toText() const;
    /// Strings: the decoded text as UTF-8.
    QByteArray toUtf8() const;
    /// True for a string equal to `ascii` (no decoding when it has no escapes).
    bool stringIs(QLatin1StringView ascii) const;
    template<std::size_t N> bool stringIs(const char (&ascii)[N]) const
    {
        return stringIs(QLatin1StringView(ascii, N - 1));
    }
    bool toBool(bool fallback = false) const;
    double toDouble(double fallback = 0) const;
    /// Numbers with an integral value that fits; `fallback` otherwise.
    qint64 toInteger(qint64 fallback = 0) const;
    /// True for a number written as an integer (no fraction or exponent).
    bool isIntegerText() const;

    /// Members (object) or elements (array).
    int size() const;
    bool isEmpty() const { return size() == 0; }
    /// The member `key` of an object, or Undefined.
    Value operator[](QLatin1StringView key) const;
    template<std::size_t N> Value operator[](const char (&key)[N]) const
    {
        return (*this)[QLatin1StringView(key, N - 1)];
    }
    /// Not an index: `v[0]` would otherwise look up a key through a null pointer. Use at(i).
    Value operator[](int) const = delete;
    Value value(QLatin1StringView key) const { return (*this)[key]; }
    bool contains(QLatin1StringView key) const { return !(*this)[key].isUndefined(); }
    template<std::size_t N> bool contains(const char (&key)[N]) const
    {
        return contains(QLatin1StringView(key, N - 1));
    }
    /// Element `i` of an array, or Undefined.
    Value at(int i) const;

    /// For a member value: its key, decoded, and the key token's span (with quotes).
    QString key() const;
    bool keyIs(QLatin1StringView ascii) const;
    template<std::size_t N> bool keyIs(const char (&ascii)[N]) const { return keyIs(QLatin1StringView(ascii, N - 1)); }
    QByteArrayView rawKey() const;

    /// Byte offsets in the source.
    qsizetype start() const;
    qsizetype end() const;
    qsizetype keyStart() const;

    /// Iterates members or elements in source order: `for (Value v : obj.children())`.
    class Iterator
    {
    public:
        Value operator*() const { return Value(m_doc, m_index); }
        Iterator &operator++();
        bool operator!=(const Iterator &o) const { return m_index != o.m_index; }

    private:
        friend class Value;
        Iterator(const Document *d, std::uint32_t i) : m_doc(d), m_index(i) { }
        const Document *m_doc;
        std::uint32_t m_index;
    };
    struct Range
    {
        Iterator b, e;
        Iterator begin() const { return b; }
        Iterator end() const { return e; }
    };
    Range children() const;

    const Document *document() const { return m_doc; }
    std::uint32_t index() const { return m_index; }
    bool operator==(const Value &o) const { return m_doc == o.m_doc && m_index == o.m_index; }

private:
    friend class Document;
    Value(const Document *d, std::uint32_t i) : m_doc(d), m_index(i) { }
    const Document *m_doc = nullptr;
    std::uint32_t m_index = 0;
};

/// A parsed JSON text. Keeps the source bytes and one node per value (pre-order).
class Document
{
public:
    struct Options
    {
        int maxDepth = 512;
        bool rejectDuplicateKeys = true;
    };

    Document() = default;
    /// Parses `source` strictly (RFC 8259, UTF-8). On failure the error is a 400 whose message names the
    /// byte offset and the place, e.g. "invalid JSON at byte 17 (messages[0].content): expected ',' or '}'".
    static Result<Document> parse(QByteArray source, Options options);
    static Result<Document> parse(QByteArray source) { return parse(std::move(source), Options {}); }
    /// The same, refusing (413) a text of more than `maxValues` values: memory is about 28 bytes a value, so a
    /// dense body ("[1,1,1,...]") would take 14 times its size.
    static Result<Document> parse(QByteArray source, Options options, std::size_t maxValues);
    /// What client bodies and upstream answers may hold (README Security).
    static constexpr std::size_t kMaxValues = 2'000'000;

    Value root() const { return m_nodes.empty() ? Value() : Value(this, 0); }
    const QByteArray &source() const { return m_source; }
    std::size_t nodeCount() const { return m_nodes.size(); }

    /// True when both hold the same text and the same tree (every value's span, key, size and escapes): what
    /// Writer::recordTree records must equal what parse() finds.
    bool sameTreeAs(const Document &other) const;

    // Not copyable (Values point at it), movable.
    Document(const Document &) = delete;
    Document &operator=(const Document &) = delete;
    Document(Document &&) = default;
    Document &operator=(Document &&) = default;

private:
    friend class Value;
    friend class Parser;
    friend class Writer;
    friend class Fragment;
    struct Node
    {
        std::uint32_t start = 0;
        std::uint32_t end = 0;
        std::uint32_t keyStart = 0; ///< member values: the key token's opening quote
        std::uint32_t keyEnd = 0; ///< one past the key token's closing quote; 0 when not a member
        std::uint32_t next = 0; ///< the node after this value's subtree
        std::uint32_t count = 0; ///< members or elements
        Type type = Type::Undefined;
        bool escaped = false; ///< strings: contains a backslash escape
        bool keyEscaped = false;
    };
    /// A member name read or written, waiting for its value.
    struct PendingKey
    {
        std::uint32_t start = 0;
        std::uint32_t end = 0; ///< 0 when there is none
        bool escaped = false;
    };
    /// Appends the node of a value of `type` starting at byte `start`, with the pending member name (which is
    /// then taken): the parser and a writer recording its tree build nodes the same way.
    static Node &appendNode(std::vector<Node> &nodes, Type type, std::uint32_t start, PendingKey &key)
    {
        Node &n = nodes.emplace_back();
        n.type = type;
        n.start = start;
        if (key.end) {
            n.keyStart = key.start;
            n.keyEnd = key.end;
            n.keyEscaped = key.escaped;
            key.end = 0;
        }
        return n;
    }
    QByteArray m_source;
    std::vector<Node> m_nodes;
};

/// One value kept on its own with its tree (its bytes and nodes copied out of its document), so it can be
/// written into another document with Writer::value, without parsing it again, after its document is gone:
/// a client's tool schemas, carried through the shared model. Cheap to copy (shared).
class Fragment
{
public:
    Fragment() = default;
    /// A copy of `v`; empty when `v` is undefined.
    explicit Fragment(const Value &v);
    /// A whole document (e.g. one written with its tree recorded).
    explicit Fragment(Document &&doc);
    bool isEmpty() const { return !m_doc; }
    /// The value's exact JSON text.
    QByteArray text() const { return m_doc ? m_doc->source() : QByteArray(); }
    Value root() const { return m_doc ? m_doc->root() : Value(); }

private:
    std::shared_ptr<const Document> m_doc;
};

/// Text read from a JSON string, kept as the string's token (the document's bytes, shared, not copied) until
/// something asks for it decoded. A translation carries most of a conversation's text from one JSON body to
/// another: written back by Writer::string as it came, it needs neither decoding nor escaping. Text made from a
/// QString is just that QString; changing a Text makes it one.
class Text
{
public:
    Text() = default;
    Text(const QString &s) : m_text(s) { }
    Text(QString &&s) : m_text(std::move(s)) { }

    const QString &toString() const
    {
        if (m_length && !m_decoded)
            decode();
        return m_text;
    }
    operator const QString &() const { return toString(); }
    bool isEmpty() const { return m_length ? m_length <= 2 : m_text.isEmpty(); }
    qsizetype size() const { return toString().size(); }
    /// The JSON string token (quotes included) this text was read from; empty when it was not.
    QByteArrayView token() const
    {
        return m_length ? QByteArrayView(m_source.constData() + m_start, m_length) : QByteArrayView();
    }
    void clear() { *this = Text(); }
    Text &operator+=(const QString &s)
    {
        QString joined = toString();
        joined += s;
        return *this = Text(std::move(joined));
    }

    friend bool operator==(const Text &a, const Text &b) { return a.toString() == b.toString(); }
    friend bool operator!=(const Text &a, const Text &b) { return !(a == b); }

private:
    friend class Value;
    friend class Writer;
    void decode() const;
    QByteArray m_source; ///< the whole document's bytes (shared) when read from a token
    qsizetype m_start = 0;
    qsizetype m_length = 0;
    bool m_escaped = false; ///< the token has a backslash escape
    mutable QString m_text;
    mutable bool m_decoded = false;
};

/// `json` (valid JSON text) without the whitespace between tokens; every token (strings, numbers) unchanged.
QByteArray compact(QByteArrayView json);

/// The raw text of the value of `object`'s top-level member `key` (a key written without escapes), found by
/// skipping over the other members without parsing them; nullopt when absent or when the text is not shaped
/// like an object. Nothing is validated: parse the span before trusting it.
std::optional<QByteArrayView> memberSpan(QByteArrayView object, QByteArrayView key);

/// Decodes a JSON string token (with quotes) that the parser accepted.
QString decodeString(QByteArrayView token);
QByteArray decodeStringUtf8(QByteArrayView token);

} // namespace d2a::json
