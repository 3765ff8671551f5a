#include "textedit.h"

#include "../json/jsonedit.h"
#include "../json/jsonwriter.h"
#include "../text.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qregularexpression.h>

namespace d2a::textedit {

namespace {

json::Path toPath(const QStringList &keys)
{
    json::Path p;
    for (const QString &k : keys)
        p.append(json::Step(k));
    return p;
}

Error notJson(const QString &why)
{
    return Error::badRequest(SetupText::tr("not valid JSON (%1); the file was not changed").arg(why));
}

/// Another program's JSON file: it must parse, and its top level must be an object (empty is allowed).
std::optional<Error> checkJson(const QByteArray &text)
{
    if (text.trimmed().isEmpty())
        return std::nullopt;
    auto doc = json::Document::parse(text, { 512, false });
    if (!doc)
        return notJson(doc.error().message);
    if (!doc.value().root().isObject())
        return notJson(SetupText::tr("the top level is not an object"));
    return std::nullopt;
}

} // namespace

std::optional<QString> jsonGet(const QString &text, const QStringList &path)
{
    const auto v = json::get(text.toUtf8(), toPath(path));
    if (!v)
        return std::nullopt;
    return QString::fromUtf8(*v);
}

Result<QString> jsonSetString(const QString &text, const QStringList &path, const QString &value)
{
    return jsonSetRaw(text, path, QString::fromUtf8(json::quoted(value)));
}

Result<QString> jsonSetRaw(const QString &text, const QStringList &path, const QString &rawJson)
{
    const QByteArray bytes = text.toUtf8();
    if (auto e = checkJson(bytes))
        return *e;
    auto r = json::set(bytes, toPath(path), rawJson.toUtf8());
    if (!r)
        return r.error();
    return QString::fromUtf8(r.value());
}

Result<QString> jsonRemove(const QString &text, const QStringList &path)
{
    const QByteArray bytes = text.toUtf8();
    if (auto e = checkJson(bytes))
        return *e;
    auto r = json::remove(bytes, toPath(path));
    if (!r)
        return r.error();
    return QString::fromUtf8(r.value());
}

// --- TOML ------------------------------------------------------------------------------------------------

namespace {
const QRegularExpression kHeader(QStringLiteral("^\\s*\\[\\[?\\s*([A-Za-z0-9_.\"' -]+?)\\s*\\]\\]?\\s*(#.*)?$"));
const QRegularExpression
    kKeyValue(QStringLiteral("^\\s*([A-Za-z0-9_\"'.-]+(?:\\s*\\.\\s*[A-Za-z0-9_\"'-]+)*)\\s*=\\s*(.+?)\\s*$"));

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
                return Error::badRequest(
                    SetupText::tr("not valid TOML at line %1 (a malformed table header); the file was not changed")
                        .arg(i + 1));
            continue;
        }
        const auto m = kKeyValue.match(line);
        if (!m.hasMatch())
            return Error::badRequest(SetupText::tr("not valid TOML at line %1; the file was not changed").arg(i + 1));
        const QString value = m.captured(2);
        if ((value.startsWith(QStringLiteral("\"\"\"")) && value.count(QStringLiteral("\"\"\"")) == 1)
            || (value.startsWith(QStringLiteral("'''")) && value.count(QStringLiteral("'''")) == 1)) {
            inMultiString = true;
            continue;
        }
        if (value.startsWith(u'"') && (value.count(u'"') - value.count(QStringLiteral("\\\""))) % 2 != 0)
            return Error::badRequest(
                SetupText::tr("not valid TOML at line %1 (an unterminated string); the file was not changed")
                    .arg(i + 1));
        bracketDepth = int(value.count(u'[') - value.count(u']')) + int(value.count(u'{') - value.count(u'}'));
        if (bracketDepth < 0)
            return Error::badRequest(
                SetupText::tr("not valid TOML at line %1 (unbalanced brackets); the file was not changed").arg(i + 1));
    }
    if (bracketDepth != 0 || inMultiString)
        return Error::badRequest(
            SetupText::tr("not valid TOML (an unterminated array, table or string); the file was not changed"));
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
    while (suffix < a.size() - prefix && suffix < b.size() - prefix
           && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
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
