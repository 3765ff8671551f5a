#include "activitywindow.h"

#include "appcontroller.h"
#include "log/log.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qpointer.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qsplitter.h>
#include <QtWidgets/qtablewidget.h>

namespace {
int severity(QtMsgType t)
{
    switch (t) {
    case QtDebugMsg: return 0;
    case QtInfoMsg: return 1;
    case QtWarningMsg: return 2;
    case QtCriticalMsg:
    case QtFatalMsg: return 3;
    }
    return 1;
}
} // namespace

ActivityWindow::ActivityWindow(AppController *controller, QWidget *parent) : QWidget(parent)
{
    setWindowTitle(tr("droid2api Activity"));
    setWindowIcon(QIcon(QStringLiteral(":/droid2api/icons/droid2api.svg")));
    resize(900, 600);
    m_requests = new QTableWidget(0, 9, this);
    m_requests->setHorizontalHeaderLabels({ tr("Time"), tr("Route"), tr("Model"), tr("Backend"), tr("Status"), tr("Duration"),
                                            tr("In"), tr("Out"), tr("Streamed") });
    m_requests->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_requests->horizontalHeader()->setStretchLastSection(true);
    m_requests->verticalHeader()->setVisible(false);
    m_requests->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_level = new QComboBox(this);
    m_level->addItem(tr("Debug and above"), 0);
    m_level->addItem(tr("Info and above"), 1);
    m_level->addItem(tr("Warnings and errors"), 2);
    m_level->addItem(tr("Errors only"), 3);
    m_level->setCurrentIndex(1);
    m_log = new QPlainTextEdit(this);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(kMaxLogLines);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    auto *logPane = new QWidget(this);
    auto *logLayout = new QVBoxLayout(logPane);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Log:"), logPane));
    filterRow->addWidget(m_level);
    filterRow->addStretch();
    logLayout->addLayout(filterRow);
    logLayout->addWidget(m_log);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_requests);
    split->addWidget(logPane);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);
    connect(m_level, &QComboBox::currentIndexChanged, this, &ActivityWindow::refilter);
    connect(controller, &AppController::requestFinished, this, &ActivityWindow::addRequest);
    QPointer<ActivityWindow> self(this);
    d2a::log::setSink([self](QtMsgType type, const QString &, const QString &line) {
        if (self)
            QMetaObject::invokeMethod(self, [self, type, line] { if (self) self->addLogLine(type, line); }, Qt::QueuedConnection);
    });
}

ActivityWindow::~ActivityWindow()
{
    d2a::log::setSink({});
}

void ActivityWindow::addRequest(const d2a::RequestRecord &r)
{
    if (m_requests->rowCount() >= kMaxRequests)
        m_requests->removeRow(m_requests->rowCount() - 1);
    m_requests->insertRow(0);
    const QStringList cells { QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), r.method + u' ' + r.path,
                              r.model.isEmpty() ? QStringLiteral("-") : r.model, r.modelType.isEmpty() ? QStringLiteral("-") : r.modelType,
                              QString::number(r.status), tr("%1 ms").arg(r.durationMs), QString::number(r.bytesIn), QString::number(r.bytesOut),
                              r.streamed ? tr("yes") : tr("no") };
    for (int i = 0; i < cells.size(); ++i)
        m_requests->setItem(0, i, new QTableWidgetItem(cells[i]));
}

void ActivityWindow::addLogLine(QtMsgType type, const QString &line)
{
    m_lines.append({ type, line });
    if (m_lines.size() > kMaxLogLines)
        m_lines.removeFirst();
    if (severity(type) >= m_level->currentData().toInt())
        m_log->appendPlainText(line);
}

void ActivityWindow::refilter()
{
    m_log->clear();
    const int min = m_level->currentData().toInt();
    for (const auto &l : std::as_const(m_lines))
        if (severity(l.first) >= min)
            m_log->appendPlainText(l.second);
}
