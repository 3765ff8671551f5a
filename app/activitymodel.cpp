#include "activitymodel.h"

#include "uicolors.h"

#include <QtCore/qlocale.h>
#include <QtGui/qbrush.h>
#include <QtGui/qcolor.h>

ActivityModel::ActivityModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_batch.setSingleShot(true);
    m_batch.setInterval(100);
    m_batch.setTimerType(Qt::CoarseTimer);
    connect(&m_batch, &QTimer::timeout, this, &ActivityModel::flush);
}

void ActivityModel::add(const d2a::RequestRecord &record)
{
    m_pending.append({ record, record.at.isValid() ? record.at.toLocalTime() : QDateTime::currentDateTime() });
    if (m_pending.size() > kMaxRows)
        m_pending.removeFirst();
    if (!m_batch.isActive())
        m_batch.start();
}

void ActivityModel::flush()
{
    if (m_pending.isEmpty())
        return;
    const int incoming = int(m_pending.size());
    const int overflow = int(m_rows.size()) + incoming - kMaxRows;
    if (overflow > 0) {
        const int drop = qMin(overflow, int(m_rows.size()));
        beginRemoveRows({}, int(m_rows.size()) - drop, int(m_rows.size()) - 1);
        m_rows.erase(m_rows.end() - drop, m_rows.end());
        endRemoveRows();
    }
    beginInsertRows({}, 0, incoming - 1);
    for (const Row &r : std::as_const(m_pending))
        m_rows.push_front(r);
    endInsertRows();
    m_pending.clear();
}

int ActivityModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ActivityModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ActivityModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const Row &row = m_rows.at(std::size_t(index.row()));
    const d2a::RequestRecord &r = row.record;
    if (role == Qt::TextAlignmentRole)
        return index.column() >= Status && index.column() <= Out ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                                 : QVariant();
    // Errors stand out: red for ours and the upstream's (5xx), orange for the client's (4xx).
    if (role == Qt::ForegroundRole && r.status >= 400)
        return QBrush(toneColor(r.status >= 500 || r.status == 0 ? Tone::Error : Tone::Warning));
    if (role == Qt::ToolTipRole) { // the whole model and rule names where the column cuts them, else the error
        if (index.column() == Model || index.column() == Rule)
            return data(index, Qt::DisplayRole);
        return r.error.isEmpty() ? QVariant() : QVariant(r.error);
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Time: return QLocale().toString(row.at.time(), QStringLiteral("HH:mm:ss"));
    case Route: return QString(r.method + u' ' + r.path);
    case Model: // the model that answered, after the one asked for when another took its place
        if (r.model.isEmpty())
            return !r.requested.isEmpty() ? r.requested : QStringLiteral("-");
        return r.requested.isEmpty() || r.requested == r.model ? r.model : tr("%1 → %2").arg(r.requested, r.model);
    case Rule: return r.rule.isEmpty() ? QStringLiteral("-") : r.rule;
    case Backend: return r.backend.isEmpty() ? QStringLiteral("-") : r.backend;
    case Status: return r.status;
    case Duration: return tr("%1 ms").arg(r.durationMs);
    case In: return QLocale().formattedDataSize(r.bytesIn, 1, QLocale::DataSizeSIFormat);
    case Out: return QLocale().formattedDataSize(r.bytesOut, 1, QLocale::DataSizeSIFormat);
    case Streamed: return r.streamed ? tr("yes") : tr("no");
    default: return {};
    }
}

QString ActivityModel::details(int row) const
{
    if (row < 0 || row >= int(m_rows.size()))
        return {};
    const Row &w = m_rows.at(std::size_t(row));
    const d2a::RequestRecord &r = w.record;
    QStringList lines;
    lines << tr("Request #%1 at %2")
                 .arg(r.id)
                 .arg(w.at.toOffsetFromUtc(w.at.offsetFromUtc()).toString(Qt::ISODateWithMs));
    lines << tr("Route: %1 %2").arg(r.method, r.path);
    lines << tr("Model asked for: %1").arg(r.requested.isEmpty() ? tr("(none)") : r.requested);
    if (!r.model.isEmpty() && r.model != r.requested)
        lines << tr("Model served: %1").arg(r.model);
    if (!r.rule.isEmpty())
        lines << tr("Chosen by the routing rule: %1").arg(r.rule);
    if (!r.replacedFrom.isEmpty())
        lines << (r.replacedWhy.isEmpty()
                      ? tr("Factory no longer serves %1 (it refused it earlier in this run); %2 answered")
                            .arg(r.replacedFrom, r.model)
                      : tr("Factory refused %1 (%2); %3 answered").arg(r.replacedFrom, r.replacedWhy, r.model));
    lines << tr("Backend: %1").arg(r.backend.isEmpty() ? tr("(not reached)") : r.backend);
    lines << tr("Status: %1%2").arg(r.status).arg(r.clientAborted ? tr(" (the client left)") : QString());
    if (!r.error.isEmpty())
        lines << tr("Error: %1").arg(r.error);
    lines << tr("Took %1 ms; %2 in, %3 out%4")
                 .arg(r.durationMs)
                 .arg(QLocale().formattedDataSize(r.bytesIn, 1, QLocale::DataSizeSIFormat),
                      QLocale().formattedDataSize(r.bytesOut, 1, QLocale::DataSizeSIFormat),
                      r.streamed ? tr(", streamed") : QString());
    return lines.join(u'\n');
}

QVariant ActivityModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Time");
    case Route: return tr("Route");
    case Model: return tr("Model");
    case Backend: return tr("Backend");
    case Status: return tr("Status");
    case Duration: return tr("Duration");
    case In: return tr("In");
    case Out: return tr("Out");
    case Streamed: return tr("Streamed");
    case Rule: return tr("Rule");
    default: return {};
    }
}
