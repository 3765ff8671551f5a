#include "registry.h"

#include "formats_p.h"

namespace d2a {

namespace {

struct Registry
{
    QList<const FormatSpec *> formats; ///< in registration order
    QList<const FormatSpec *> byId; ///< indexed by the WireFormat value
};

void add(Registry &r, const FormatSpec *f)
{
    // Each id and each envelope tag once: a tag two formats shared would send one vendor's reasoning to the other.
    Q_ASSERT(f->tag && !formatForTag(QString::fromLatin1(f->tag)));
    if (r.byId.size() <= int(f->id))
        r.byId.resize(int(f->id) + 1, nullptr);
    Q_ASSERT(!r.byId[int(f->id)]);
    r.byId[int(f->id)] = f;
    r.formats.append(f);
}

Registry &registry()
{
    // The registration: one line per format (its folder fills in the record).
    static Registry r = [] {
        Registry built;
        for (const FormatSpec *f :
             { &fmt::chat::spec(), &fmt::responses::spec(), &fmt::anthropic::spec(), &fmt::gemini::spec() }) {
            built.byId.resize(qMax<qsizetype>(built.byId.size(), int(f->id) + 1), nullptr);
            built.byId[int(f->id)] = f;
            built.formats.append(f);
        }
        return built;
    }();
    return r;
}

} // namespace

const QList<const FormatSpec *> &allFormats()
{
    return registry().formats;
}

void registerFormat(const FormatSpec &spec)
{
    add(registry(), &spec);
}

const FormatSpec &formatSpec(WireFormat format)
{
    return *registry().byId.at(int(format));
}

const FormatSpec *formatForTag(QStringView tag)
{
    for (const FormatSpec *f : allFormats())
        if (tag == QLatin1StringView(f->tag))
            return f;
    return nullptr;
}

QString withoutModelPrefix(const QString &model)
{
    for (const FormatSpec *f : allFormats())
        if (f->modelPrefix && model.startsWith(QLatin1StringView(f->modelPrefix)))
            return model.mid(qsizetype(qstrlen(f->modelPrefix)));
    return model;
}

QString wireFormatName(WireFormat f)
{
    return QString::fromLatin1(formatSpec(f).name);
}

} // namespace d2a
