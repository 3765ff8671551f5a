#include "textedit.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qregularexpression.h>

namespace d2a::textedit {

namespace {

// --- a JSON scanner that keeps byte positions ----------------------------------------------------------

struct Member
{
    QString key;
    qsizetype keyStart = 0; ///< the opening quote of the key
    qsizetype valueStart = 0;
    qsizetype valueEnd = 0; ///< one past the value
};

struct ObjectSpan
{
    qsizetype open = 0; ///< '{'
    qsizetype close = 0; ///< '}'
    QList<Member> members;
};

class Scanner
{
public:
    explicit Scanner(const QString &t) : s(t) { }

    void ws(qsizetype &i) const
    {
        while (i < s.size() && (s[i] == u' ' || s[i] == u'\t' || s[i] == u'\n' || s[i] == u'\r'))
            ++i;
    }
    bool string(qsizetype &i, QString *out) const
    {
        if (i >= s.size() || s[i] != u'"')
            return false;
        const qsizetype start = i++;
        while (i < s.size() && s[i] != u'"') {
            if (s[i] == u'\\')
                ++i;
            ++i;
        }
        if (i >= s.size())
            return false;
        ++i;
        if (out)
            *out = QJsonDocument::fromJson(QStringLiteral("[%1]").arg(s.mid(start, i - start)).toUtf8()).array().first().toString();
        return true;
    }
    bool value(qsizetype &i) const
    {
        ws(i);
        if (i >= s.size())
            return false;
        const QChar c = s[i];
        if (c == u'"')
            return string(i, nullptr);
        if (c == u'{' || c == u'[') {
            const QChar close = c == u'{' ? u'}' : u']';
            ++i;
            ws(i);
            if (i < s.size() && s[i] == close) {
                ++i;
                return true;
            }
            for (;;) {
                if (c == u'{') {
                    ws(i);
                    if (!string(i, nullptr))
                        return false;
                    ws(i);
                    if (i >= s.size() || s[i] != u':')
                        return false;
                    ++i;
                }
                if (!value(i))
                    return false;
                ws(i);
                if (i < s.size() && s[i] == u',') {
                    ++i;
                    continue;
                }
                if (i < s.size() && s[i] == close) {
                    ++i;
                    return true;
                }
                return false;
            }
        }
        while (i < s.size() && (s[i].isLetterOrNumber() || s[i] == u'-' || s[i] == u'+' || s[i] == u'.'))
            ++i;
        return true;
    }
    std::optional<ObjectSpan> object(qsizetype at) const
    {
        qsizetype i = at;
        ws(i);
        if (i >= s.size() || s[i] != u'{')
            return std::nullopt;
        ObjectSpan o;
        o.open = i++;
        ws(i);
        if (i < s.size() && s[i] == u'}') {
            o.close = i;
            return o;
        }
        for (;;) {
            ws(i);
            Member m;
            m.keyStart = i;
            if (!string(i, &m.key))
                return std::nullopt;
            ws(i);
            if (i >= s.size() || s[i] != u':')
                return std::nullopt;
            ++i;
            ws(i);
            m.valueStart = i;
            if (!value(i))
                return std::nullopt;
            m.valueEnd = i;
            o.members.append(m);
            ws(i);
            if (i < s.size() && s[i] == u',') {
                ++i;
                continue;
            }
            if (i < s.size() && s[i] == u'}') {
                o.close = i;
                return o;
            }
            return std::nullopt;
        }
    }
    const QString &s;
};

QString quoted(const QString &v)
{
    QString json = QString::fromUtf8(QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact));
    return json.mid(1, json.size() - 2);
}

/// The indentation of the line `pos` is on.
QString indentAt(const QString &s, qsizetype pos)
{
    qsizetype start = s.lastIndexOf(u'\n', pos - 1) + 1;
    qsizetype end = start;
    while (end < s.size() && (s[end] == u' ' || s[end] == u'\t'))
        ++end;
    return s.mid(start, end - start);
}

Error notJson(const QString &why)
{
    return Error::badRequest(QStringLiteral("not valid JSON (%1); the file was not changed").arg(why));
}

std::optional<Error> checkJson(const QString &text)
{
    if (text.trimmed().isEmpty())
        return std::nullopt;
    QJsonParseError pe;
    const QJsonDocument d = QJsonDocument::fromJson(text.toUtf8(), &pe);
    if (pe.error != QJsonParseError::NoError)
        return notJson(pe.errorString());
    if (!d.isObject())
        return notJson(QStringLiteral("the top level is not an object"));
    return std::nullopt;
}

} // namespace

std::optional<QString> jsonGet(const QString &text, const QStringList &path)
{
    Scanner sc(text);
    qsizetype at = 0;
    for (int depth = 0; depth < path.size(); ++depth) {
        auto o = sc.object(at);
        if (!o)
            return std::nullopt;
        const Member *found = nullptr;
        for (const Member &m : o->members)
            if (m.key == path[depth])
                found = &m;
        if (!found)
            return std::nullopt;
        if (depth == path.size() - 1)
            return text.mid(found->valueStart, found->valueEnd - found->valueStart);
        at = found->valueStart;
    }
    return std::nullopt;
}

Result<QString> jsonSetString(const QString &text, const QStringList &path, const QString &value)
{
    return jsonSetRaw(text, path, quoted(value));
}

Result<QString> jsonSetRaw(const QString &textIn, const QStringList &path, const QString &rawJson)
{
    if (auto e = checkJson(textIn))
        return *e;
    QString text = textIn.trimmed().isEmpty() ? QStringLiteral("{}\n") : textIn;
    Scanner sc(text);
    qsizetype at = 0;
    for (int depth = 0; depth < path.size(); ++depth) {
        auto o = sc.object(at);
        if (!o)
            return notJson(QStringLiteral("'%1' is not an object").arg(path.mid(0, depth).join(u'.')));
        const Member *found = nullptr;
        for (const Member &m : o->members)
            if (m.key == path[depth])
                found = &m;
        const bool last = depth == path.size() - 1;
        if (found && last) {
            text.replace(found->valueStart, found->valueEnd - found->valueStart, rawJson);
            return text;
        }
        if (found) {
            at = found->valueStart;
            continue;
        }
        // Insert the rest of the path as a new member of this object, indented like its siblings.
        QString newValue = rawJson;
        const QString closeIndent = indentAt(text, o->close);
        const QString indent = o->members.isEmpty() ? closeIndent + QStringLiteral("  ") : indentAt(text, o->members.first().keyStart);
        for (int k = int(path.size()) - 1; k > depth; --k) {
            const QString inner = indent + QString((k - depth) * 2, u' ');
            const QString outer = indent + QString((k - depth - 1) * 2, u' ');
            newValue = QStringLiteral("{\n%1%2: %3\n%4}").arg(inner, quoted(path[k]), newValue, outer);
        }
        const QString member = quoted(path[depth]) + QStringLiteral(": ") + newValue;
        if (o->members.isEmpty()) {
            text.replace(o->open, o->close - o->open + 1, QStringLiteral("{\n%1%2\n%3}").arg(indent, member, closeIndent));
        } else {
            const Member &lastMember = o->members.last();
            text.insert(lastMember.valueEnd, QStringLiteral(",\n") + indent + member);
        }
        return text;
    }
    return text;
}

Result<QString> jsonRemove(const QString &textIn, const QStringList &path)
{
    if (auto e = checkJson(textIn))
        return *e;
    QString text = textIn;
    Scanner sc(text);
    qsizetype at = 0;
    for (int depth = 0; depth < path.size(); ++depth) {
        auto o = sc.object(at);
        if (!o)
            return text;
        int index = -1;
        for (int k = 0; k < o->members.size(); ++k)
            if (o->members[k].key == path[depth])
                index = k;
        if (index < 0)
            return text;
        const Member &m = o->members[index];
        if (depth < path.size() - 1) {
            at = m.valueStart;
            continue;
        }
        qsizetype from, to;
        if (index > 0) { // from the end of the previous member (its comma goes too)
            from = o->members[index - 1].valueEnd;
            to = m.valueEnd;
        } else if (o->members.size() > 1) { // the first of several: up to the next key
            from = m.keyStart;
            to = o->members[1].keyStart;
        } else { // the only member: leave an empty object
            from = o->open + 1;
            to = o->close;
        }
        text.remove(from, to - from);
        return text;
    }
    return text;
}

// --- TOML ------------------------------------------------------------------------------------------------

namespace {
const QRegularExpression kHeader(QStringLiteral("^\\s*\\[\\[?\\s*([A-Za-z0-9_.\"' -]+?)\\s*\\]\\]?\\s*(#.*)?$"));
const QRegularExpression kKeyValue(QStringLiteral("^\\s*([A-Za-z0-9_\"'.-]+(?:\\s*\\.\\s*[A-Za-z0-9_\"'-]+)*)\\s*=\\s*(.+?)\\s*$"));

struct TomlLine
{
    qsizetype start; ///< offset of the line
    qsizetype end; ///< offset past its newline
    QString text;
};

QList<TomlLine> lines(const QString &s)
{
    QList<TomlLine> out;
    qsizetype pos = 0;
    while (pos < s.size()) {
        qsizetype nl = s.indexOf(u'\n', pos);
        const qsizetype end = nl < 0 ? s.size() : nl + 1;
        out.append({ pos, end, s.mid(pos, (nl < 0 ? s.size() : nl) - pos) });
        pos = end;
    }
    return out;
}
} // namespace

Result<bool> tomlValidate(const QString &text)
{
    const QList<TomlLine> ls = lines(text);
    int bracketDepth = 0;
    bool inMultiString = false;
    for (int i = 0; i < ls.size(); ++i) {
        const QString line = ls[i].text.trimmed();
        if (inMultiString) {
            if (line.contains(QStringLiteral("\"\"\"")) || line.contains(QStringLiteral("'''")))
                inMultiString = false;
            continue;
        }
        if (bracketDepth > 0) {
            bracketDepth += int(line.count(u'[') - line.count(u']')) + int(line.count(u'{') - line.count(u'}'));
            continue;
        }
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        if (line.startsWith(u'[')) {
            if (!kHeader.match(line).hasMatch())
                return Error::badRequest(QStringLiteral("not valid TOML at line %1 (a malformed table header); the file was not changed").arg(i + 1));
            continue;
        }
        const auto m = kKeyValue.match(line);
        if (!m.hasMatch())
            return Error::badRequest(QStringLiteral("not valid TOML at line %1; the file was not changed").arg(i + 1));
        const QString value = m.captured(2);
        if ((value.startsWith(QStringLiteral("\"\"\"")) && value.count(QStringLiteral("\"\"\"")) == 1)
            || (value.startsWith(QStringLiteral("'''")) && value.count(QStringLiteral("'''")) == 1)) {
            inMultiString = true;
            continue;
        }
        if (value.startsWith(u'"') && (value.count(u'"') - value.count(QStringLiteral("\\\""))) % 2 != 0)
            return Error::badRequest(QStringLiteral("not valid TOML at line %1 (an unterminated string); the file was not changed").arg(i + 1));
        bracketDepth = int(value.count(u'[') - value.count(u']')) + int(value.count(u'{') - value.count(u'}'));
        if (bracketDepth < 0)
            return Error::badRequest(QStringLiteral("not valid TOML at line %1 (unbalanced brackets); the file was not changed").arg(i + 1));
    }
    if (bracketDepth != 0 || inMultiString)
        return Error::badRequest(QStringLiteral("not valid TOML (an unterminated array, table or string); the file was not changed"));
    return true;
}

std::optional<QString> tomlRootValue(const QString &text, const QString &key)
{
    for (const TomlLine &l : lines(text)) {
        if (l.text.trimmed().startsWith(u'['))
            return std::nullopt;
        const auto m = kKeyValue.match(l.text);
        if (m.hasMatch() && m.captured(1) == key)
            return m.captured(2);
    }
    return std::nullopt;
}

QString tomlSetRoot(const QString &text, const QString &key, const QString &value)
{
    QString out = text;
    qsizetype afterLastRootLine = 0; // new keys go right after the root table's last line
    bool sawHeader = false;
    for (const TomlLine &l : lines(text)) {
        const QString t = l.text.trimmed();
        if (t.startsWith(u'[')) {
            sawHeader = true;
            break;
        }
        const auto m = kKeyValue.match(l.text);
        if (m.hasMatch() && m.captured(1) == key) {
            const qsizetype valueStart = l.start + m.capturedStart(2);
            out.replace(valueStart, m.capturedLength(2), value);
            return out;
        }
        if (!t.isEmpty())
            afterLastRootLine = l.end;
    }
    const QString line = key + QStringLiteral(" = ") + value + u'\n';
    if (!sawHeader && afterLastRootLine == out.size() && !out.isEmpty() && !out.endsWith(u'\n')) {
        out += u'\n';
        afterLastRootLine = out.size();
    }
    out.insert(afterLastRootLine, line + (afterLastRootLine == 0 && sawHeader ? QStringLiteral("\n") : QString()));
    return out;
}

QString tomlRemoveRoot(const QString &text, const QString &key)
{
    for (const TomlLine &l : lines(text)) {
        if (l.text.trimmed().startsWith(u'['))
            break;
        const auto m = kKeyValue.match(l.text);
        if (m.hasMatch() && m.captured(1) == key) {
            QString out = text;
            out.remove(l.start, l.end - l.start);
            return out;
        }
    }
    return text;
}

QString tomlSetTable(const QString &text, const QString &header, const QString &block)
{
    const QList<TomlLine> ls = lines(text);
    qsizetype from = -1, to = text.size();
    for (const TomlLine &l : ls) {
        const QString t = l.text.trimmed();
        if (!t.startsWith(u'['))
            continue;
        if (from >= 0) {
            to = l.start;
            break;
        }
        if (t == u'[' + header + u']')
            from = l.start;
    }
    QString out = text;
    if (from >= 0) {
        out.replace(from, to - from, block);
        return out;
    }
    if (block.isEmpty())
        return out;
    if (!out.isEmpty() && !out.endsWith(u'\n'))
        out += u'\n';
    if (!out.isEmpty() && !out.endsWith(QStringLiteral("\n\n")))
        out += u'\n';
    return out + block;
}

QString lineDiff(const QString &before, const QString &after, const QString &name, int context)
{
    const QStringList a = before.split(u'\n');
    const QStringList b = after.split(u'\n');
    qsizetype prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    if (prefix == a.size() && prefix == b.size())
        return {};
    QString out = QStringLiteral("--- %1\n+++ %1 (droid2api)\n").arg(name);
    const qsizetype ctxStart = qMax<qsizetype>(0, prefix - context);
    out += QStringLiteral("@@ line %1 @@\n").arg(ctxStart + 1);
    for (qsizetype i = ctxStart; i < prefix; ++i)
        out += u' ' + a[i] + u'\n';
    for (qsizetype i = prefix; i < a.size() - suffix; ++i)
        out += u'-' + a[i] + u'\n';
    for (qsizetype i = prefix; i < b.size() - suffix; ++i)
        out += u'+' + b[i] + u'\n';
    for (qsizetype i = a.size() - suffix; i < qMin(a.size(), a.size() - suffix + context); ++i)
        out += u' ' + a[i] + u'\n';
    return out;
}

} // namespace d2a::textedit
