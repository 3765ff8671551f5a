#include "clientsetup.h"

#include "textedit.h"
#include "../text.h"

#include <QtCore/qcryptographichash.h>
#include <QtCore/qdatetime.h>
#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qsavefile.h>
#include <QtCore/qstandardpaths.h>

namespace d2a {

namespace {

const QStringList kClaudeKeys { QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("ANTHROPIC_AUTH_TOKEN"),
                                QStringLiteral("ANTHROPIC_MODEL") };
const QString kCodexTable = QStringLiteral("model_providers.droid2api");

QString sha256(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

Result<QString> readText(const QString &path, bool *existed)
{
    QFile f(path);
    *existed = f.exists();
    if (!*existed)
        return QString();
    if (!f.open(QIODevice::ReadOnly))
        return Error::badRequest(SetupText::tr("%1: cannot read it: %2").arg(path, f.errorString()));
    return QString::fromUtf8(f.readAll());
}

QString writeText(const QString &path, const QString &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return SetupText::tr("%1: cannot write it: %2").arg(path, out.errorString());
    out.write(text.toUtf8());
    return out.commit() ? QString() : SetupText::tr("%1: cannot write it: %2").arg(path, out.errorString());
}

QString toml(const QString &s)
{
    QString out = s;
    out.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
    return u'"' + out + u'"';
}

} // namespace

QStringList ClientSetup::clients()
{
    return { QStringLiteral("claude-code"), QStringLiteral("codex"), QStringLiteral("cursor"),
             QStringLiteral("continue"), QStringLiteral("openai-sdk") };
}

bool ClientSetup::writesFile(const QString &client)
{
    return client == u"claude-code" || client == u"codex";
}

QString ClientSetup::configPath(const QString &client, const QString &homeIn)
{
    const QString home = homeIn.isEmpty() ? QDir::homePath() : homeIn;
    if (client == u"claude-code")
        return home + QStringLiteral("/.claude/settings.json");
    if (client == u"codex")
        return home + QStringLiteral("/.codex/config.toml");
    return {};
}

QString ClientSetup::instructions(const QString &client, const ClientSettings &s)
{
    if (client == u"cursor")
        return QStringLiteral("Cursor: Settings > Models > API Keys > OpenAI API Key: %2\n"
                              "        turn on \"Override OpenAI Base URL\" and enter: %1/v1\n"
                              "        then add the model ids you want (GET %1/v1/models lists them).\n")
            .arg(s.baseUrl, s.key);
    if (client == u"continue")
        return QStringLiteral(
                   "Continue (~/.continue/config.yaml):\nmodels:\n  - name: %3 via droid2api\n    provider: openai\n"
                   "    model: %3\n    apiBase: %1/v1\n    apiKey: %2\n")
            .arg(s.baseUrl, s.key, s.model.isEmpty() ? QStringLiteral("claude-sonnet-4-6") : s.model);
    if (client == u"openai-sdk")
        return QStringLiteral("OpenAI SDK:\n  Python:  client = OpenAI(base_url=\"%1/v1\", api_key=\"%2\")\n"
                              "  Node:    const client = new OpenAI({ baseURL: '%1/v1', apiKey: '%2' })\n"
                              "  Or set OPENAI_BASE_URL=%1/v1 and OPENAI_API_KEY=%2\n")
            .arg(s.baseUrl, s.key);
    return {};
}

ClientSettings ClientSetup::settingsFor(const QString &baseUrl, const QString &accessKey, const QString &model)
{
    return { baseUrl, accessKey.isEmpty() ? QStringLiteral("droid2api") : accessKey, model };
}

ClientSetup::ClientSetup(QString home, QString stateDir)
    : m_home(home.isEmpty() ? QDir::homePath() : home),
      m_stateDir(stateDir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : stateDir)
{
}

QString ClientSetup::statePath() const
{
    return m_stateDir + QStringLiteral("/connections.json");
}

Result<ClientChange> ClientSetup::planConnect(const QString &client, const ClientSettings &s) const
{
    if (!writesFile(client))
        return Error::badRequest(
            SetupText::tr("droid2api does not write %1's settings; see `droid2api connect %1` for instructions")
                .arg(client));
    ClientChange c;
    c.client = client;
    c.path = configPath(client, m_home);
    auto read = readText(c.path, &c.existed);
    if (!read)
        return read.error();
    c.before = read.value();
    if (client == u"claude-code") {
        QString text = c.before;
        QList<QPair<QString, QString>> sets { { kClaudeKeys[0], s.baseUrl }, { kClaudeKeys[1], s.key } };
        if (!s.model.isEmpty())
            sets.append({ kClaudeKeys[2], s.model });
        for (const auto &kv : sets) {
            auto r = textedit::jsonSetString(text, { QStringLiteral("env"), kv.first }, kv.second);
            if (!r)
                return Error::badRequest(QStringLiteral("%1: %2").arg(c.path, r.error().message));
            text = r.value();
        }
        c.after = text;
    } else {
        auto ok = textedit::tomlValidate(c.before);
        if (!ok)
            return Error::badRequest(QStringLiteral("%1: %2").arg(c.path, ok.error().message));
        QString text =
            textedit::tomlSetRoot(c.before, QStringLiteral("model_provider"), toml(QStringLiteral("droid2api")));
        if (!s.model.isEmpty())
            text = textedit::tomlSetRoot(text, QStringLiteral("model"), toml(s.model));
        QString block = QStringLiteral("[%1]\nname = \"droid2api\"\nbase_url = %2\nwire_api = \"responses\"\n")
                            .arg(kCodexTable, toml(s.baseUrl + QStringLiteral("/v1")));
        if (!s.key.isEmpty())
            block += QStringLiteral("http_headers = { \"Authorization\" = %1 }\n")
                         .arg(toml(QStringLiteral("Bearer ") + s.key));
        c.after = textedit::tomlSetTable(text, kCodexTable, block);
    }
    c.diff = textedit::lineDiff(c.before, c.after, c.path);
    return c;
}

Result<QString> ClientSetup::apply(const ClientChange &c) const
{
    QJsonObject state = QJsonDocument::fromJson([&] {
                            QFile f(statePath());
                            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
                        }())
                            .object();
    QJsonObject entry = state.value(c.client).toObject();
    const bool reconnect =
        !entry.isEmpty() && QFile::exists(c.path) && entry.value(u"written_sha256").toString() == sha256(c.before);
    QString backup;
    if (c.existed) {
        const QString stem = c.path + QStringLiteral(".droid2api-backup-")
                             + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        backup = stem;
        for (int n = 1; QFile::exists(backup); ++n) // never overwrite an earlier backup
            backup = stem + u'-' + QString::number(n);
        if (!QFile::copy(c.path, backup))
            return Error::internal(
                SetupText::tr("%1: cannot keep a backup at %2; nothing was changed").arg(c.path, backup));
    }
    if (!reconnect) {
        // What the user had before droid2api's first connect: restored by disconnect.
        QJsonObject previous;
        if (c.client == u"claude-code") {
            for (const QString &k : kClaudeKeys) {
                const auto v = textedit::jsonGet(c.before, { QStringLiteral("env"), k });
                previous.insert(k, v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null));
            }
        } else {
            for (const QString &k : { QStringLiteral("model_provider"), QStringLiteral("model") }) {
                const auto v = textedit::tomlRootValue(c.before, k);
                previous.insert(k, v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null));
            }
        }
        entry = QJsonObject { { QStringLiteral("path"), c.path },
                              { QStringLiteral("existed"), c.existed },
                              { QStringLiteral("original_backup"), backup },
                              { QStringLiteral("previous"), previous } };
    }
    const QString err = writeText(c.path, c.after);
    if (!err.isEmpty())
        return Error::internal(err);
    entry.insert(QStringLiteral("written_sha256"), sha256(c.after));
    entry.insert(QStringLiteral("set_model"),
                 c.client == u"codex" ? textedit::tomlRootValue(c.after, QStringLiteral("model"))
                                                != textedit::tomlRootValue(c.before, QStringLiteral("model"))
                                            || entry.value(u"set_model").toBool()
                                      : false);
    state.insert(c.client, entry);
    const QString stateErr = writeText(statePath(), QString::fromUtf8(QJsonDocument(state).toJson()));
    if (!stateErr.isEmpty())
        return Error::internal(stateErr);
    return backup.isEmpty() ? SetupText::tr("wrote %1 (a new file)").arg(c.path)
                            : SetupText::tr("wrote %1 (the previous version is in %2)").arg(c.path, backup);
}

Result<ClientChange> ClientSetup::planDisconnect(const QString &client) const
{
    QFile sf(statePath());
    const QJsonObject state =
        QJsonDocument::fromJson(sf.open(QIODevice::ReadOnly) ? sf.readAll() : QByteArray()).object();
    const QJsonObject entry = state.value(client).toObject();
    if (entry.isEmpty())
        return Error::notFound(
            SetupText::tr("droid2api has not connected %1 on this machine; nothing to undo").arg(client));
    ClientChange c;
    c.client = client;
    c.path = entry.value(u"path").toString();
    auto read = readText(c.path, &c.existed);
    if (!read)
        return read.error();
    c.before = read.value();
    if (c.existed && sha256(c.before) == entry.value(u"written_sha256").toString()) {
        // Untouched since droid2api wrote it: restore exactly what was there.
        if (!entry.value(u"existed").toBool()) {
            c.removeFile = true;
        } else {
            QFile backup(entry.value(u"original_backup").toString());
            if (!backup.open(QIODevice::ReadOnly))
                return Error::internal(
                    SetupText::tr("the backup %1 is gone; remove droid2api's keys by hand").arg(backup.fileName()));
            c.after = QString::fromUtf8(backup.readAll());
        }
    } else if (!c.existed) {
        c.after.clear();
    } else {
        // Edited since: take out only droid2api's keys, putting back what they replaced.
        const QJsonObject previous = entry.value(u"previous").toObject();
        QString text = c.before;
        if (client == u"claude-code") {
            for (const QString &k : kClaudeKeys) {
                const QJsonValue prev = previous.value(k);
                auto r = prev.isString() ? textedit::jsonSetRaw(text, { QStringLiteral("env"), k }, prev.toString())
                                         : textedit::jsonRemove(text, { QStringLiteral("env"), k });
                if (!r)
                    return Error::badRequest(QStringLiteral("%1: %2").arg(c.path, r.error().message));
                text = r.value();
            }
        } else {
            auto ok = textedit::tomlValidate(text);
            if (!ok)
                return Error::badRequest(QStringLiteral("%1: %2").arg(c.path, ok.error().message));
            text = textedit::tomlSetTable(text, kCodexTable, QString());
            QStringList keys { QStringLiteral("model_provider") };
            if (entry.value(u"set_model").toBool())
                keys << QStringLiteral("model");
            for (const QString &k : keys) {
                const QJsonValue prev = previous.value(k);
                text = prev.isString() ? textedit::tomlSetRoot(text, k, prev.toString())
                                       : textedit::tomlRemoveRoot(text, k);
            }
        }
        c.after = text;
    }
    c.diff = c.removeFile ? SetupText::tr("--- %1\n(droid2api created this file; it is removed)\n").arg(c.path)
                          : textedit::lineDiff(c.before, c.after, c.path);
    return c;
}

Result<QString> ClientSetup::applyDisconnect(const ClientChange &c) const
{
    QString result;
    if (c.removeFile) {
        if (!QFile::remove(c.path))
            return Error::internal(SetupText::tr("%1: cannot remove it").arg(c.path));
        result = SetupText::tr("removed %1, which droid2api had created").arg(c.path);
    } else if (c.existed) {
        const QString err = writeText(c.path, c.after);
        if (!err.isEmpty())
            return Error::internal(err);
        result = SetupText::tr("restored %1").arg(c.path);
    }
    QFile sf(statePath());
    QJsonObject state = QJsonDocument::fromJson(sf.open(QIODevice::ReadOnly) ? sf.readAll() : QByteArray()).object();
    sf.close();
    state.remove(c.client);
    writeText(statePath(), QString::fromUtf8(QJsonDocument(state).toJson()));
    return result;
}

} // namespace d2a
