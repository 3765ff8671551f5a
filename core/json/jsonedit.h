#pragma once
// Edits to JSON text that leave every other byte as it was: splices for request bodies (Patcher) and
// indentation-aware edits by path for files people write by hand (config.json, other programs' settings).

#include "json.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>

#include <optional>
#include <vector>

namespace d2a::json {

/// Byte splices on one Document's source. Member edits of an object are resolved together when applied, so
/// removing neighbours or every member, and adding members, never produce overlapping splices.
class Patcher
{
public:
    explicit Patcher(const Document &doc) : m_doc(doc) { }

    /// Replaces the value's bytes with `json`.
    void replace(const Value &v, QByteArray json);
    /// Sets member `key` of object `obj`: replaces its value, or adds `"key":json` after the members it keeps.
    void setMember(const Value &obj, QLatin1StringView key, QByteArray json);
    template<std::size_t N> void setMember(const Value &obj, const char (&key)[N], QByteArray json)
    {
        setMember(obj, QLatin1StringView(key, N - 1), std::move(json));
    }
    /// Removes member `key` of `obj` (with its comma); absent: nothing.
    void removeMember(const Value &obj, QLatin1StringView key);
    template<std::size_t N> void removeMember(const Value &obj, const char (&key)[N])
    {
        removeMember(obj, QLatin1StringView(key, N - 1));
    }
    /// Removes element `element` of `array` (with its comma). Element removals of one array are resolved together,
    /// like member removals; nothing inside a removed element may be edited too.
    void removeElement(const Value &array, const Value &element);
    /// Inserts `json` as element `index` of `array` (0: first).
    void insertElement(const Value &array, int index, QByteArray json);
    /// Inserts raw text at a byte offset.
    void insertAt(qsizetype offset, QByteArray text);

    bool isEmpty() const { return m_patches.empty() && m_objects.empty(); }
    /// The source with every splice applied.
    QByteArray apply() const;

private:
    struct Patch
    {
        qsizetype start;
        qsizetype end;
        QByteArray text;
        int seq;
    };
    struct ObjectEdit
    {
        Value object;
        QList<std::uint32_t> removed; ///< member value (or array element) node indexes
        QByteArray added; ///< ,"key":json pairs to add (leading comma included)
    };
    void add(qsizetype start, qsizetype end, QByteArray text);
    ObjectEdit &edits(const Value &obj);
    const Document &m_doc;
    std::vector<Patch> m_patches;
    std::vector<ObjectEdit> m_objects;
};

/// One step of a path into a JSON text: an object key or an array index.
struct Step
{
    QString key;
    int index = -1;
    Step(QString k) : key(std::move(k)) { }
    Step(const char *k) : key(QString::fromLatin1(k)) { }
    Step(int i) : index(i) { }
    bool isIndex() const { return index >= 0; }
};
using Path = QList<Step>;

/// The value at `path` in `text`, as its exact bytes; nullopt when absent (or `text` is not JSON).
std::optional<QByteArray> get(const QByteArray &text, const Path &path);
/// Sets the value at `path` to `json` (JSON text, pretty-printed to match the file), creating objects on the
/// way; an index one past an array's end appends. Other bytes unchanged. Fails when `text` is not JSON or the
/// path crosses something that is not an object/array.
Result<QByteArray> set(const QByteArray &text, const Path &path, const QByteArray &json);
/// Removes the member or element at `path` (and its comma). Absent: unchanged.
Result<QByteArray> remove(const QByteArray &text, const Path &path);

/// `json` (any valid JSON text) indented by `unit` per level, nested lines starting with `base`.
QByteArray pretty(const QByteArray &json, const QByteArray &base = {}, const QByteArray &unit = "  ");

} // namespace d2a::json
