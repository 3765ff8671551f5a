#include "jsonedit.h"

#include "jsonwriter.h"

#include <QtCore/qcoreapplication.h>

#include <algorithm>

namespace d2a::json {

// --- Patcher ---------------------------------------------------------------------------------------------------

void Patcher::add(qsizetype start, qsizetype end, QByteArray text)
{
    m_patches.push_back({ start, end, std::move(text), int(m_patches.size()) });
}

void Patcher::replace(const Value &v, QByteArray json)
{
    add(v.start(), v.end(), std::move(json));
}

void Patcher::insertAt(qsizetype offset, QByteArray text)
{
    add(offset, offset, std::move(text));
}

Patcher::ObjectEdit &Patcher::edits(const Value &obj)
{
    for (ObjectEdit &e : m_objects)
        if (e.object == obj)
            return e;
    m_objects.push_back({ obj, {}, {} });
    return m_objects.back();
}

void Patcher::setMember(const Value &obj, QLatin1StringView key, QByteArray json)
{
    const Value existing = obj[key];
    if (!existing.isUndefined())
        return replace(existing, std::move(json));
    ObjectEdit &e = edits(obj);
    e.added += ",\"";
    e.added.append(key.data(), key.size());
    e.added += "\":";
    e.added += json;
}

void Patcher::removeMember(const Value &obj, QLatin1StringView key)
{
    const Value target = obj[key];
    if (!target.isUndefined())
        edits(obj).removed.append(target.index());
}

void Patcher::removeElement(const Value &array, const Value &element)
{
    if (array.isArray() && element.document() == array.document())
        edits(array).removed.append(element.index());
}

void Patcher::insertElement(const Value &array, int index, QByteArray json)
{
    const int n = array.size();
    if (n == 0)
        return insertAt(array.start() + 1, std::move(json));
    if (index >= n)
        return insertAt(array.at(n - 1).end(), ',' + json);
    json += ',';
    insertAt(array.at(index).start(), std::move(json));
}

QByteArray Patcher::apply() const
{
    const QByteArray &src = m_doc.source();
    std::vector<Patch> patches = m_patches;
    int seq = int(patches.size());
    // Member edits, per object: runs of removed members go with the commas between them and what is kept;
    // added members follow the last member kept.
    for (const ObjectEdit &e : m_objects) {
        QList<Value> members;
        for (Value m : e.object.children())
            members.append(m);
        auto removed = [&e](const Value &m) { return e.removed.contains(m.index()); };
        // A member starts at its key; an array element at its value.
        const bool isArray = e.object.isArray();
        auto startOf = [isArray](const Value &m) { return isArray ? m.start() : m.keyStart(); };
        int lastKept = -1;
        for (int i = 0; i < members.size(); ++i)
            if (!removed(members[i]))
                lastKept = i;
        for (int i = 0; i < members.size();) {
            if (!removed(members[i])) {
                ++i;
                continue;
            }
            int j = i;
            while (j + 1 < members.size() && removed(members[j + 1]))
                ++j;
            if (j + 1 < members.size()) // a kept member follows: up to its key
                patches.push_back({ startOf(members[i]), startOf(members[j + 1]), {}, seq++ });
            else if (lastKept >= 0) // the run ends the object: from the end of the last kept member
                patches.push_back({ members[lastKept].end(), members[j].end(), {}, seq++ });
            else // every member goes
                patches.push_back({ e.object.start() + 1, e.object.end() - 1, {}, seq++ });
            i = j + 1;
        }
        if (!e.added.isEmpty()) {
            if (lastKept >= 0)
                patches.push_back({ members[lastKept].end(), members[lastKept].end(), e.added, seq++ });
            else
                patches.push_back({ e.object.start() + 1, e.object.start() + 1, e.added.mid(1), seq++ });
        }
    }
    if (patches.empty())
        return src;
    std::sort(patches.begin(), patches.end(), [](const Patch &a, const Patch &b) {
        if (a.start != b.start)
            return a.start < b.start;
        if ((a.end == a.start) != (b.end == b.start))
            return a.end == a.start; // an insertion before a removal that starts at the same byte
        return a.seq < b.seq;
    });
    qsizetype growth = 0;
    for (const Patch &p : patches)
        growth += p.text.size() - (p.end - p.start);
    QByteArray out;
    out.reserve(src.size() + qMax<qsizetype>(growth, 0) + 16);
    qsizetype at = 0;
    for (const Patch &p : patches) {
        Q_ASSERT(p.start >= at); // splices never overlap
        if (p.start < at)
            continue;
        out.append(src.constData() + at, p.start - at);
        out += p.text;
        at = p.end;
    }
    out.append(src.constData() + at, src.size() - at);
    return out;
}

// --- edits by path ----------------------------------------------------------------------------------------------

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("d2a::json", text);
}

QString pathName(const Path &path)
{
    QString out;
    for (const Step &s : path)
        out += s.isIndex() ? QStringLiteral("[%1]").arg(s.index)
                           : (out.isEmpty() ? QString() : QStringLiteral(".")) + s.key;
    return out.isEmpty() ? QStringLiteral("(top level)") : out;
}

/// The indentation of the line offset `pos` is on.
QByteArray indentAt(const QByteArray &s, qsizetype pos)
{
    const qsizetype start = s.lastIndexOf('\n', pos - 1) + 1;
    qsizetype end = start;
    while (end < s.size() && (s[end] == ' ' || s[end] == '\t'))
        ++end;
    return s.mid(start, end - start);
}

/// The indentation unit a file uses (from its first indented line), two spaces when it has none.
QByteArray indentUnit(const QByteArray &s)
{
    const qsizetype nl = s.indexOf('\n');
    if (nl < 0)
        return "  ";
    qsizetype end = nl + 1;
    while (end < s.size() && (s[end] == ' ' || s[end] == '\t'))
        ++end;
    return end > nl + 1 ? s.mid(nl + 1, end - nl - 1) : QByteArray("  ");
}

/// How a container written on one line separates its items: "," or ", ", ":" or ": ".
struct InlineStyle
{
    QByteArray comma = ",";
    QByteArray colon = ":";
};

/// The inline style of container `v` when it is written on one line; nullopt when it spans lines.
std::optional<InlineStyle> inlineStyle(const QByteArray &s, const Value &v)
{
    const QByteArrayView body(s.constData() + v.start(), v.end() - v.start());
    if (body.contains('\n'))
        return std::nullopt;
    InlineStyle style;
    if (body.contains(", ") || body.contains("\", ") || body.contains("}, "))
        style.comma = ", ";
    if (body.contains("\": "))
        style.colon = ": ";
    return style;
}

/// `json` on one line with the given separators.
QByteArray inlined(const QByteArray &json, const InlineStyle &style)
{
    auto doc = Document::parse(json);
    if (!doc)
        return json;
    QByteArray out;
    auto write = [&](const Value &v, auto &self) -> void {
        if (!v.isArray() && !v.isObject()) {
            out += v.raw();
            return;
        }
        const bool object = v.isObject();
        out += object ? '{' : '[';
        if (object && !v.isEmpty() && style.colon.size() > 1)
            out += ' ';
        bool first = true;
        for (Value c : v.children()) {
            if (!first)
                out += style.comma;
            first = false;
            if (object) {
                out += c.rawKey();
                out += style.colon;
            }
            self(c, self);
        }
        if (object && !v.isEmpty() && style.colon.size() > 1)
            out += ' ';
        out += object ? '}' : ']';
    };
    write(doc.value().root(), write);
    return out;
}

Value child(const Value &v, const Step &step)
{
    if (step.isIndex())
        return v.isArray() ? v.at(step.index) : Value();
    if (!v.isObject())
        return {};
    for (Value m : v.children())
        if (m.key() == step.key)
            return m;
    return {};
}

} // namespace

std::optional<QByteArray> get(const QByteArray &text, const Path &path)
{
    auto doc = Document::parse(text);
    if (!doc)
        return std::nullopt;
    Value v = doc.value().root();
    for (const Step &s : path) {
        v = child(v, s);
        if (v.isUndefined())
            return std::nullopt;
    }
    return v.rawBytes();
}

QByteArray pretty(const QByteArray &json, const QByteArray &base, const QByteArray &unit)
{
    auto doc = Document::parse(json);
    if (!doc)
        return json;
    QByteArray out;
    auto write = [&](const Value &v, const QByteArray &indent, auto &self) -> void {
        if (!v.isArray() && !v.isObject()) {
            out += v.raw();
            return;
        }
        const bool object = v.isObject();
        if (v.isEmpty()) {
            out += object ? "{}" : "[]";
            return;
        }
        out += object ? "{\n" : "[\n";
        const QByteArray inner = indent + unit;
        bool first = true;
        for (Value c : v.children()) {
            if (!first)
                out += ",\n";
            first = false;
            out += inner;
            if (object) {
                out += c.rawKey();
                out += ": ";
            }
            self(c, inner, self);
        }
        out += '\n' + indent + (object ? '}' : ']');
    };
    write(doc.value().root(), base, write);
    return out;
}

Result<QByteArray> set(const QByteArray &textIn, const Path &path, const QByteArray &json)
{
    const QByteArray text = textIn.trimmed().isEmpty() ? QByteArray("{}\n") : textIn;
    auto parsed = Document::parse(text);
    if (!parsed)
        return Error::badRequest(tr("not valid JSON (%1); the file was not changed").arg(parsed.error().message));
    const Document &doc = parsed.value();
    const QByteArray unit = indentUnit(text);
    Value v = doc.root();
    if (path.isEmpty())
        return inlineStyle(text, v) ? json : pretty(json, {}, unit) + '\n';
    for (int depth = 0; depth < path.size(); ++depth) {
        const Step &step = path[depth];
        if (step.isIndex() ? !v.isArray() : !v.isObject())
            return Error::badRequest(tr("'%1' is not an %2")
                                         .arg(pathName(path.mid(0, depth)),
                                              step.isIndex() ? QStringLiteral("array") : QStringLiteral("object")));
        // Values go in written like their container: on one line with its separators, or indented. An empty
        // container takes the style of the whole text (a fresh "{}" file is indented).
        const auto style =
            v.isEmpty() ? (doc.root().isEmpty() ? std::nullopt : inlineStyle(text, doc.root())) : inlineStyle(text, v);
        const Value next = child(v, step);
        if (!next.isUndefined()) {
            if (depth == path.size() - 1) {
                Patcher p(doc);
                p.replace(
                    next,
                    style ? inlined(json, *style)
                          : pretty(json, indentAt(text, next.keyStart() >= 0 ? next.keyStart() : next.start()), unit));
                return p.apply();
            }
            v = next;
            continue;
        }
        // Build the rest of the path as a new member (or element) of v, written like its siblings.
        if (step.isIndex() && step.index != v.size())
            return Error::badRequest(tr("index %1 is past the end of the array").arg(step.index));
        QByteArray value = json;
        for (int k = int(path.size()) - 1; k > depth; --k) {
            const Step &s = path[k];
            value = s.isIndex() ? QByteArray('[' + value + ']') : QByteArray('{' + quoted(s.key) + ':' + value + '}');
        }
        Value last;
        for (Value c : v.children())
            last = c;
        Patcher p(doc);
        if (style) {
            QByteArray item = step.isIndex() ? QByteArray() : quoted(step.key) + style->colon;
            item += inlined(value, *style);
            if (last.isUndefined())
                p.insertAt(v.start() + 1, item);
            else
                p.insertAt(last.end(), style->comma + item);
            return p.apply();
        }
        const QByteArray closeIndent = indentAt(text, v.end() - 1);
        const QByteArray indent = last.isUndefined()
                                      ? closeIndent + unit
                                      : indentAt(text, last.keyStart() >= 0 ? last.keyStart() : last.start());
        QByteArray item = step.isIndex() ? QByteArray() : quoted(step.key) + ": ";
        item += pretty(value, indent, unit);
        if (last.isUndefined())
            p.replace(v, QByteArray(v.isObject() ? "{" : "[") + '\n' + indent + item + '\n' + closeIndent
                             + (v.isObject() ? '}' : ']'));
        else
            p.insertAt(last.end(), ",\n" + indent + item);
        return p.apply();
    }
    return text;
}

Result<QByteArray> remove(const QByteArray &text, const Path &path)
{
    auto parsed = Document::parse(text);
    if (!parsed)
        return Error::badRequest(tr("not valid JSON (%1); the file was not changed").arg(parsed.error().message));
    const Document &doc = parsed.value();
    if (path.isEmpty())
        return text;
    Value parent = doc.root();
    for (int depth = 0; depth < path.size() - 1; ++depth) {
        parent = child(parent, path[depth]);
        if (parent.isUndefined())
            return text;
    }
    const Step &last = path.last();
    const Value target = child(parent, last);
    if (target.isUndefined())
        return text;
    Value prev, next;
    bool found = false;
    for (Value c : parent.children()) {
        if (found) {
            next = c;
            break;
        }
        if (c == target)
            found = true;
        else
            prev = c;
    }
    const qsizetype targetStart = target.keyStart() >= 0 ? target.keyStart() : target.start();
    if (!prev.isUndefined()) // from the end of the previous item: its comma goes too
        return QByteArray(text.left(prev.end()) + text.mid(target.end()));
    if (!next.isUndefined()) // the first of several: up to the next item
        return QByteArray(text.left(targetStart) + text.mid(next.keyStart() >= 0 ? next.keyStart() : next.start()));
    return QByteArray(text.left(parent.start() + 1) + text.mid(parent.end() - 1)); // the only item
}

} // namespace d2a::json
