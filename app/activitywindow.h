#pragma once
// Recent requests and the log, each in a bounded buffer; lines come already redacted from core's log handler.

#include "server/exchange.h"

#include <QtWidgets/qwidget.h>

QT_BEGIN_NAMESPACE
class QComboBox;
class QPlainTextEdit;
class QTableWidget;
QT_END_NAMESPACE

class AppController;

class ActivityWindow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityWindow)

public:
    static constexpr int kMaxRequests = 500;
    static constexpr int kMaxLogLines = 2000;

    explicit ActivityWindow(AppController *controller, QWidget *parent = nullptr);
    ~ActivityWindow() override;

    void addRequest(const d2a::RequestRecord &record);
    void addLogLine(QtMsgType type, const QString &line);
    QTableWidget *requests() const { return m_requests; }
    QPlainTextEdit *log() const { return m_log; }
    QComboBox *levelFilter() const { return m_level; }

private:
    void refilter();

    QTableWidget *m_requests;
    QPlainTextEdit *m_log;
    QComboBox *m_level;
    QList<QPair<QtMsgType, QString>> m_lines;
};
