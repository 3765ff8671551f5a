#pragma once
// Recent requests and the log, each in a bounded buffer; lines come already redacted from core's log handler.
// Both are updated in batches, so the window costs the proxy (which shares the GUI thread) nothing measurable.

#include "activitymodel.h"

#include <QtCore/qtimer.h>
#include <QtWidgets/qwidget.h>

QT_BEGIN_NAMESPACE
class QComboBox;
class QPlainTextEdit;
class QTableView;
QT_END_NAMESPACE

class AppController;

class ActivityWindow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityWindow)

public:
    static constexpr int kMaxRequests = ActivityModel::kMaxRows;
    static constexpr int kMaxLogLines = 2000;

    explicit ActivityWindow(AppController *controller, QWidget *parent = nullptr);
    ~ActivityWindow() override;

    void addRequest(const d2a::RequestRecord &record);
    void addLogLine(QtMsgType type, const QString &line);
    /// Shows what is queued now (tests; the window does it every 100 ms).
    void flush();
    ActivityModel *requestModel() const { return m_model; }
    QTableView *requests() const { return m_requests; }
    QPlainTextEdit *log() const { return m_log; }
    QPlainTextEdit *details() const { return m_details; }
    QComboBox *levelFilter() const { return m_level; }

private:
    void refilter();
    void flushLog();
    void appendLines(const QList<QPair<QtMsgType, QString>> &lines);

    ActivityModel *m_model;
    QTableView *m_requests;
    QPlainTextEdit *m_log;
    QPlainTextEdit *m_details;
    QComboBox *m_level;
    QList<QPair<QtMsgType, QString>> m_lines;
    QList<QPair<QtMsgType, QString>> m_pendingShown; ///< lines that pass the filter, not yet in the view
    QTimer m_logBatch;
};
