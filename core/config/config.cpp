#include "config.h"

#include "../json/jsonedit.h"
#include "../log/log.h"
#include "../text.h"
#include "fields_p.h"
#include "models_p.h"
#include "save_p.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qsavefile.h>
#include <QtCore/qstandardpaths.h>

namespace d2a {

using namespace cfg;

const BackendConfig *Config::findBackend(const QString &name) const
{
    for (const BackendConfig &b : backends)
        if (b.name == name)
            return &b;
    return nullptr;
}

const ModelConfig *Config::findModel(const QString &id) const
{
    for (const ModelConfig &m : models)
        if (m.id == id)
            return &m;
    return nullptr;
}

QString Config::redirect(const QString &id) const
{
    return modelRedirects.value(id, id);
}

ReasoningLevel Config::effectiveLevel(const ModelConfig &model, std::optional<ReasoningLevel> header) const
{
    if (header)
        return *header;
    return model.reasoning != ReasoningLevel::Auto ? model.reasoning : reasoningDefault;
}

int Config::budgetFor(ReasoningLevel level) const
{
    static const QMap<ReasoningLevel, int> defaults {
        { ReasoningLevel::Minimal, 4096 }, { ReasoningLevel::Low, 4096 },    { ReasoningLevel::Medium, 12288 },
        { ReasoningLevel::High, 24576 },   { ReasoningLevel::XHigh, 40960 }, { ReasoningLevel::Max, 40960 }
    };
    return reasoningBudgets.value(level, defaults.value(level, 0));
}

QJsonObject ConfigLoader::defaultsJson()
{
    return QJsonDocument::fromJson(shippedDefaultsText()).object();
}

QByteArray ConfigLoader::firstRunText()
{
    // The shipped defaults as they are written (order, layout), without the model catalog: the app ships it,
    // and the file lists only what the user adds or changes.
    const QByteArray text = shippedDefaultsText();
    auto r = json::remove(text, { "models" });
    return r ? r.value() : text;
}

QList<ModelConfig> ConfigLoader::shippedModels()
{
    return catalog();
}

Config ConfigLoader::defaults()
{
    auto r = fromJson(shippedDefaultsText(), QStringLiteral("defaults.json"));
    return r.ok() ? r.value() : Config();
}

Result<Config> ConfigLoader::fromJson(const QByteArray &json, const QString &fileName)
{
    Validator v(fileName);
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError)
        return Error::badRequest(
            ConfigText::tr("%1: invalid JSON at %2: %3").arg(fileName, lineColumn(json, pe.offset), pe.errorString()));
    if (!doc.isObject())
        return Error::badRequest(ConfigText::tr("%1: the top level must be a JSON object").arg(fileName));

    // Keys the file leaves out come from the shipped defaults, so an original config.json keeps working.
    QJsonObject o = defaultsJson();
    QJsonObject user = doc.object();
    // An unedited copy of the Stainless headers earlier versions shipped: the built-in set replaces it.
    if (user.value(u"upstream_headers") == previousDefaults().value(u"upstream_headers"))
        user.remove(QStringLiteral("upstream_headers"));
    for (auto it = user.begin(); it != user.end(); ++it)
        o.insert(it.key(), it.value());

    for (const Group &g : groups()) {
        const QString key = QString::fromLatin1(g.key);
        const QJsonValue value = o.value(key);
        if (value.isUndefined() || value.isNull())
            continue;
        if (auto e = v.expect(key, value, QJsonValue::Object, ConfigText::tr("an object")))
            return *e;
        if (!g.members.isEmpty())
            for (const QString &k : value.toObject().keys())
                if (!g.members.contains(k))
                    return v.fail(key + u'.' + k,
                                  ConfigText::tr("expected %1").arg(g.members.join(QStringLiteral(", "))));
    }

    Config c;
    for (const Field &f : fields()) {
        const QJsonValue value = at(o, f.path);
        if (value.isUndefined() || (f.skipNull && value.isNull()))
            continue;
        if (auto e = f.load(v, f.path.join(u'.'), value, c))
            return *e;
    }
    // Types the file's endpoint[] leaves out (an original config.json has no google) keep the shipped URL.
    const QJsonArray shippedEndpoints = defaultsJson().value(u"endpoint").toArray();
    for (const QJsonValue &ep : shippedEndpoints) {
        const auto type = parseModelType(ep.toObject().value(u"name").toString());
        if (type && !c.endpoints.contains(*type))
            c.endpoints.insert(*type, QUrl(ep.toObject().value(u"base_url").toString()));
    }
    if (auto e = loadModels(v, user.value(u"models"), user.value(u"model_order"), c))
        return *e;
    for (const ModelConfig &m : std::as_const(c.models))
        if (!m.backend.isEmpty() && !c.findBackend(m.backend))
            return v.fail(
                QStringLiteral("models"),
                ConfigText::tr("model '%1' names backend '%2', which backends[] does not define").arg(m.id, m.backend));
    // A rule of the user's names a configured model; the active preset exists.
    for (qsizetype i = 0; i < c.routing.presets.size(); ++i)
        for (qsizetype j = 0; j < c.routing.presets.at(i).rules.size(); ++j)
            if (const QString &t = c.routing.presets.at(i).rules.at(j).target; !c.findModel(t))
                return v.fail(QStringLiteral("routing.presets[%1].rules[%2].model").arg(i).arg(j),
                              ConfigText::tr("'%1' is not a configured model").arg(t));
    if (!c.routing.preset.isEmpty()) {
        QStringList names;
        for (const RoutingPreset &p : c.routing.allPresets())
            names << p.name;
        if (!names.contains(c.routing.preset))
            return v.fail(QStringLiteral("routing.preset"),
                          ConfigText::tr("no preset is named '%1' (presets: %2)")
                              .arg(c.routing.preset, names.join(QStringLiteral(", "))));
    }
    return c;
}

Result<Config> ConfigLoader::loadFile(const QString &path)
{
    QFile f(path);
    if (!f.exists())
        return Error::badRequest(ConfigText::tr("%1: the file does not exist").arg(path));
    if (!f.open(QIODevice::ReadOnly))
        return Error::badRequest(ConfigText::tr("%1: cannot read it: %2").arg(path, f.errorString()));
    return fromJson(f.readAll(), QDir::toNativeSeparators(QFileInfo(path).absoluteFilePath()));
}

QString ConfigLoader::userConfigPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QStringLiteral("/config.json");
}

Result<Config> ConfigLoader::loadOrCreateUserConfig(QString *createdPath)
{
    const QString path = userConfigPath();
    if (!QFileInfo::exists(path)) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly))
            return Error::internal(ConfigText::tr("%1: cannot create it: %2").arg(path, out.errorString()));
        out.write(firstRunText());
        if (!out.commit())
            return Error::internal(ConfigText::tr("%1: cannot write it: %2").arg(path, out.errorString()));
        if (createdPath)
            *createdPath = path;
        qCInfo(lcConfig) << "created" << path << "from the shipped defaults";
    }
    return loadFile(path);
}

Result<QByteArray> ConfigLoader::edit(const QByteArray &fileText, const Config &next, const Config &base)
{
    QByteArray text = fileText.trimmed().isEmpty() ? QByteArray("{}\n") : fileText;
    for (const Field &f : fields()) {
        if (auto e = applyDiff(text, toPath(f.path), f.save(base), f.save(next)))
            return *e;
    }
    return saveModels(text, base.models, next.models);
}

Result<bool> ConfigLoader::save(const QString &path, const Config &next, const Config &base)
{
    QByteArray before;
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly))
        before = existing.readAll();
    existing.close();
    auto edited = edit(before.isEmpty() ? firstRunText() : before, next, base);
    if (!edited)
        return Error::badRequest(QStringLiteral("%1: %2").arg(path, edited.error().message));
    const QByteArray &text = edited.value();
    if (text == before)
        return true; // nothing changed: the file is not touched
    auto check = fromJson(text, path);
    if (!check)
        return check.error();
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (QFile::exists(path)) {
        // The previous version stays next to it, so a bad edit can always be undone by hand.
        QFile::remove(path + QStringLiteral(".bak"));
        if (!QFile::copy(path, path + QStringLiteral(".bak")))
            return Error::internal(ConfigText::tr("%1: cannot keep the previous version as .bak").arg(path));
    }
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return Error::internal(ConfigText::tr("%1: cannot write it: %2").arg(path, out.errorString()));
    out.write(text);
    if (!out.commit())
        return Error::internal(ConfigText::tr("%1: cannot write it: %2").arg(path, out.errorString()));
    return true;
}

Result<bool> ConfigLoader::save(const QString &path, const Config &next)
{
    QFile existing(path);
    Config base = defaults();
    if (existing.open(QIODevice::ReadOnly)) {
        auto loaded = fromJson(existing.readAll(), path);
        if (loaded)
            base = loaded.value();
    }
    return save(path, next, base);
}

void ConfigLoader::applyEnvironment(Config &config, const Environment &env)
{
    if (env.port && *env.port >= 0 && *env.port <= 65535)
        config.port = *env.port;
    // FACTORY_API_BASE_URL moves the Factory endpoints that point at Factory's default host (their paths kept).
    if (env.factoryApiBase.isValid() && !env.factoryApiBase.isEmpty()) {
        for (auto it = config.endpoints.begin(); it != config.endpoints.end(); ++it) {
            if (it.value().host() != config.factoryApiBase.host())
                continue;
            QUrl moved = env.factoryApiBase;
            moved.setPath(env.factoryApiBase.path().chopped(env.factoryApiBase.path().endsWith(u'/') ? 1 : 0)
                          + it.value().path());
            it.value() = moved;
        }
        config.factoryApiBase = env.factoryApiBase;
    }
    if (env.factoryApiBaseEu.isValid() && !env.factoryApiBaseEu.isEmpty())
        config.factoryApiBaseEu = env.factoryApiBaseEu;
    if (env.workosBase.isValid() && !env.workosBase.isEmpty()) {
        QUrl base = env.workosBase;
        QString path = base.path();
        if (path.endsWith(u'/'))
            path.chop(1);
        if (path.endsWith(u"/user_management"))
            path.chop(int(qstrlen("/user_management")));
        base.setPath(path);
        config.workosBaseUrl = base;
    }
}

} // namespace d2a
