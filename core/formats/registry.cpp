#include "registry.h"

#include "formats_p.h"

namespace d2a {

const QList<const FormatSpec *> &allFormats()
{
    // The registration: one line per format (its folder fills in the record).
    static const QList<const FormatSpec *> formats {
        &fmt::chat::spec(),
        &fmt::responses::spec(),
        &fmt::anthropic::spec(),
        &fmt::gemini::spec(),
    };
    return formats;
}

const FormatSpec &formatSpec(WireFormat format)
{
    // Indexed by the WireFormat value, checked once against each record's own id.
    static const QList<const FormatSpec *> byId = [] {
        QList<const FormatSpec *> out(allFormats().size(), nullptr);
        for (const FormatSpec *f : allFormats()) {
            Q_ASSERT(int(f->id) < out.size() && !out[int(f->id)]);
            out[int(f->id)] = f;
        }
        return out;
    }();
    return *byId.at(int(format));
}

const FormatSpec *formatForTag(QStringView tag)
{
    for (const FormatSpec *f : allFormats())
        if (tag == QLatin1StringView(f->tag))
            return f;
    return nullptr;
}

QString wireFormatName(WireFormat f)
{
    return QString::fromLatin1(formatSpec(f).name);
}

} // namespace d2a
