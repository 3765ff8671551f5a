#include "activitymodel.h"

ActivityModel::ActivityModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_batch.setSingleShot(true);
    m_batch.setInterval(100);
    m_batch.setTimerType(Qt::CoarseTimer);
    connect(&m_batch, &QTimer::timeout, this, &ActivityModel::flush);
}

void ActivityModel::add(const d2a::RequestRecord &record)
{
    m_pending.append({ record, QTime::currentTime() });
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
        return index.column() >= Status && index.column() <= Out ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Time: return row.at.toString(QStringLiteral("HH:mm:ss"));
    case Route: return r.method + u' ' + r.path;
    case Model: return r.model.isEmpty() ? QStringLiteral("-") : r.model;
    case Backend: return r.modelType.isEmpty() ? QStringLiteral("-") : r.modelType;
    case Status: return r.status;
    case Duration: return tr("%1 ms").arg(r.durationMs);
    case In: return r.bytesIn;
    case Out: return r.bytesOut;
    case Streamed: return r.streamed ? tr("yes") : tr("no");
    default: return {};
    }
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
    default: return {};
    }
}
