#include "activitywindow.h"

#include <iterator>

#include "appcontroller.h"
#include "log/log.h"
#include "uicolors.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qpointer.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcombobox.h>
#include <QtGui/qtextcursor.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qscrollbar.h>
#include <QtWidgets/qsplitter.h>
#include <QtWidgets/qtableview.h>

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
    m_model = new ActivityModel(this);
    m_requests = new QTableView(this);
    m_requests->setModel(m_model);
    // Widths set once: measuring rows as they arrive would cost every request a layout pass.
    auto *header = m_requests->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    const int widths[] = { 70, 190, 170, 140, 90, 55, 80, 75, 75, 60 };
    static_assert(std::size(widths) == ActivityModel::ColumnCount, "a width for every column");
    for (int c = 0; c < ActivityModel::ColumnCount; ++c)
        header->resizeSection(c, widths[c]);
    m_requests->verticalHeader()->setVisible(false);
    m_requests->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_requests->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_requests->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_requests->setWordWrap(false);
    m_level = new QComboBox(this);
    m_level->addItem(tr("Everything (debug)"), 0);
    m_level->addItem(tr("Info and above"), 1);
    // Failures (a listen error, a refused sign-in, an upstream 5xx) are logged as warnings: "errors" here.
    m_level->addItem(tr("Errors only"), 2);
    m_level->setCurrentIndex(1);
    m_log = new QPlainTextEdit(this);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(kMaxLogLines);
    // Wrapped: without wrapping, each append scrolled the pane sideways to the end of the longest line and
    // every timestamp was cut off.
    m_log->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_log->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    auto *logPane = new QWidget(this);
    auto *logLayout = new QVBoxLayout(logPane);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Log:"), logPane));
    filterRow->addWidget(m_level);
    filterRow->addStretch();
    logLayout->addLayout(filterRow);
    logLayout->addWidget(m_log);
    // The selected request in full: what the client asked, where it went, what came back.
    m_details = new QPlainTextEdit(this);
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("Select a request to see its details."));
    m_details->setMaximumHeight(150);
    connect(m_requests->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { m_details->setPlainText(m_model->details(current.row())); });
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_requests);
    split->addWidget(m_details);
    split->addWidget(logPane);
    // The requests get the room (they showed five rows); details and log take what is left.
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 0);
    split->setStretchFactor(2, 2);
    split->setSizes({ 330, 110, 200 });
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);
    connect(m_level, &QComboBox::currentIndexChanged, this, &ActivityWindow::refilter);
    connect(controller, &AppController::requestFinished, this, &ActivityWindow::addRequest);
    m_logBatch.setSingleShot(true);
    m_logBatch.setInterval(100);
    m_logBatch.setTimerType(Qt::CoarseTimer);
    connect(&m_logBatch, &QTimer::timeout, this, &ActivityWindow::flushLog);
    QPointer<ActivityWindow> self(this);
    d2a::log::setSink([self](QtMsgType type, const QString &, const QString &line) {
        if (self)
            QMetaObject::invokeMethod(
                self,
                [self, type, line] {
                if (self)
                    self->addLogLine(type, line);
                },
                Qt::QueuedConnection);
    });
}

ActivityWindow::~ActivityWindow()
{
    d2a::log::setSink({});
}

void ActivityWindow::addRequest(const d2a::RequestRecord &r)
{
    m_model->add(r);
}

void ActivityWindow::addLogLine(QtMsgType type, const QString &line)
{
    m_lines.append({ type, line });
    if (m_lines.size() > kMaxLogLines)
        m_lines.removeFirst();
    if (severity(type) < m_level->currentData().toInt())
        return;
    m_pendingShown.append({ type, line });
    if (m_pendingShown.size() > kMaxLogLines)
        m_pendingShown.removeFirst();
    if (!m_logBatch.isActive())
        m_logBatch.start();
}

void ActivityWindow::flushLog()
{
    if (m_pendingShown.isEmpty())
        return;
    appendLines(m_pendingShown);
    m_pendingShown.clear();
}

void ActivityWindow::appendLines(const QList<QPair<QtMsgType, QString>> &lines)
{
    // One edit block for the whole batch (one layout pass); warnings and errors in their colours.
    QTextCursor cursor(m_log->document());
    cursor.movePosition(QTextCursor::End);
    cursor.beginEditBlock();
    QTextCharFormat plain;
    QTextCharFormat warning;
    warning.setForeground(toneColor(Tone::Warning, m_log->palette()));
    QTextCharFormat error;
    error.setForeground(toneColor(Tone::Error, m_log->palette()));
    bool first = m_log->document()->isEmpty();
    for (const auto &[type, line] : lines) {
        if (!first)
            cursor.insertBlock();
        first = false;
        const int level = severity(type);
        cursor.insertText(line, level >= 3 ? error : level == 2 ? warning : plain);
    }
    cursor.endEditBlock();
    // Follow the newest line, always from its first column.
    m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
    m_log->horizontalScrollBar()->setValue(0);
}

void ActivityWindow::flush()
{
    m_model->flush();
    flushLog();
}

void ActivityWindow::refilter()
{
    m_pendingShown.clear();
    m_log->clear();
    const int min = m_level->currentData().toInt();
    QList<QPair<QtMsgType, QString>> shown;
    for (const auto &l : std::as_const(m_lines))
        if (severity(l.first) >= min)
            shown.append(l);
    if (!shown.isEmpty())
        appendLines(shown);
}
