#include "usagewindow.h"

#include "appcontroller.h"
#include "server/proxyservice.h"
#include "uicolors.h"

#include <QtCore/qfile.h>
#include <QtCore/qlocale.h>
#include <QtCore/qsavefile.h>
#include <QtGui/qpainter.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qdatetimeedit.h>
#include <QtWidgets/qfiledialog.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qtablewidget.h>
#include <QtWidgets/qtabwidget.h>

#include <algorithm>

namespace {

/// Distinct hues that read on light and dark windows alike.
const QColor kColours[] = { QColor(0x1a73e8), QColor(0xe8710a), QColor(0x12b5cb), QColor(0xd01884),
                            QColor(0x7cb342), QColor(0x9334e6), QColor(0x9aa0a6) };

QString shortNumber(double v)
{
    const QLocale l;
    if (v >= 1e9)
        return l.toString(v / 1e9, 'f', 1) + QStringLiteral(" G");
    if (v >= 1e6)
        return l.toString(v / 1e6, 'f', 1) + QStringLiteral(" M");
    if (v >= 1e4)
        return l.toString(v / 1e3, 'f', 0) + QStringLiteral(" k");
    return l.toString(v, 'f', v < 10 && v != std::floor(v) ? 1 : 0);
}

} // namespace

UsageChart::UsageChart(QWidget *parent) : QWidget(parent)
{
    setMinimumHeight(200);
}

void UsageChart::setData(const QList<d2a::UsageDay> &days, const QDate &from, const QDate &to, bool credits)
{
    m_days = days;
    m_from = from;
    m_to = to;
    m_credits = credits;
    QHash<QString, double> perModel;
    for (const d2a::UsageDay &d : days)
        perModel[d.model] += credits ? d.credits : double(d.tokens);
    QStringList models = perModel.keys();
    std::sort(models.begin(), models.end(), [&perModel](const QString &a, const QString &b) {
        return perModel.value(a) != perModel.value(b) ? perModel.value(a) > perModel.value(b) : a < b;
    });
    m_series = models.mid(0, kSeries);
    const int dayCount = qMax<qint64>(1, m_from.daysTo(m_to) + 1);
    m_values = QList<QList<double>>(dayCount, QList<double>(kSeries + 1, 0));
    for (const d2a::UsageDay &d : std::as_const(m_days)) {
        const qint64 i = m_from.daysTo(d.day);
        if (i < 0 || i >= dayCount)
            continue;
        const qsizetype s = m_series.indexOf(d.model);
        m_values[i][s < 0 ? kSeries : s] += m_credits ? d.credits : double(d.tokens);
    }
    double largest = 0;
    for (const QList<double> &day : std::as_const(m_values)) {
        double sum = 0;
        for (double v : day)
            sum += v;
        largest = qMax(largest, sum);
    }
    // Two equal steps of 1, 2 or 5 times a power of ten: the labels are round, never fractions of a token, and an
    // empty range still has an axis (0, 1, 2) rather than three zeros.
    const double mantissas[] = { 1, 2, 5 };
    double magnitude = 1;
    int k = 0;
    double step = 1;
    while (2 * step < largest) {
        k = (k + 1) % 3;
        if (k == 0)
            magnitude *= 10;
        step = mantissas[k] * magnitude;
    }
    m_top = 2 * step;
    update();
}

QStringList UsageChart::axisLabels() const
{
    return { shortNumber(0), shortNumber(m_top / 2), shortNumber(m_top) };
}

void UsageChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor text = palette().color(QPalette::WindowText);
    const QColor grid = palette().color(QPalette::Mid);
    const QList<QList<double>> &values = m_values;
    const int dayCount = int(values.size());
    const double top = m_top;
    bool any = false;
    for (const QList<double> &day : values)
        for (double v : day)
            any = any || v > 0;
    const QFontMetrics fm(font());
    const int left = fm.horizontalAdvance(QStringLiteral("000.0 M")) + 8;
    const int legendHeight = fm.height() + 8;
    const QRect plot(left, legendHeight + 4, width() - left - 8, height() - legendHeight - fm.height() - 14);
    // Axis and grid: zero, half and the top.
    p.setPen(grid);
    const QStringList labels = axisLabels();
    for (int i = 0; i <= 2; ++i) {
        const int y = plot.bottom() - plot.height() * i / 2;
        p.drawLine(plot.left(), y, plot.right(), y);
        p.setPen(text);
        p.drawText(QRect(0, y - fm.height() / 2, left - 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                   labels.at(i));
        p.setPen(grid);
    }
    if (!any) {
        p.setPen(text);
        p.drawText(plot, Qt::AlignCenter, tr("No usage recorded in these days."));
    } else {
        const double barWidth = double(plot.width()) / dayCount;
        for (int d = 0; d < dayCount; ++d) {
            double y = plot.bottom();
            for (int s = 0; s <= kSeries; ++s) {
                const double h = values[d][s] / top * plot.height();
                if (h <= 0)
                    continue;
                const QRectF bar(plot.left() + d * barWidth + barWidth * 0.15, y - h, barWidth * 0.7, h);
                p.fillRect(bar, kColours[s]);
                y -= h;
            }
        }
    }
    // Dates under the first, middle and last bars.
    p.setPen(text);
    const QLocale l;
    QList<int> dated { 0 };
    for (int d : { dayCount / 2, dayCount - 1 }) // a short range: each date once
        if (!dated.contains(d))
            dated << d;
    for (int d : std::as_const(dated)) {
        const double x = plot.left() + (d + 0.5) * plot.width() / dayCount;
        const QString label = l.toString(m_from.addDays(d), QStringLiteral("d MMM"));
        p.drawText(QRectF(x - 60, plot.bottom() + 4, 120, fm.height()), Qt::AlignHCenter, label);
    }
    // Legend across the top.
    int x = plot.left();
    QStringList names = m_series;
    if (m_series.size() == kSeries)
        names << tr("Other");
    for (int s = 0; s < names.size(); ++s) {
        const int w = fm.horizontalAdvance(names[s]);
        if (x + w + 20 > width())
            break;
        p.fillRect(QRect(x, 6, 10, 10), kColours[s == m_series.size() ? kSeries : s]);
        p.drawText(QPoint(x + 14, 6 + fm.ascent() - 1), names[s]);
        x += w + 28;
    }
    p.drawText(QRect(0, 0, width() - 8, legendHeight), Qt::AlignRight | Qt::AlignTop,
               m_credits ? tr("Factory credits per day") : tr("Tokens per day"));
}

UsageWindow::UsageWindow(AppController *controller, QWidget *parent) : QWidget(parent), m_controller(controller)
{
    setWindowTitle(tr("droid2api Usage")); // as the other windows: "droid2api Activity", "droid2api Settings"
    setWindowIcon(QIcon(QStringLiteral(":/droid2api/icons/droid2api.svg")));
    resize(880, 640);
    auto *layout = new QVBoxLayout(this);
    auto *range = new QHBoxLayout;
    from = new QDateEdit(QDate::currentDate().addDays(-29), this);
    to = new QDateEdit(QDate::currentDate(), this);
    for (QDateEdit *e : { from, to }) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QLocale().dateFormat(QLocale::ShortFormat));
    }
    measure = new QComboBox(this);
    measure->addItem(tr("Tokens"));
    measure->addItem(tr("Factory credits"));
    exportButton = new QPushButton(tr("&Export CSV..."), this);
    auto *fromLabel = new QLabel(tr("&From:"), this);
    fromLabel->setBuddy(from);
    auto *toLabel = new QLabel(tr("&To:"), this);
    toLabel->setBuddy(to);
    auto *showLabel = new QLabel(tr("S&how:"), this);
    showLabel->setBuddy(measure);
    range->addWidget(fromLabel);
    range->addWidget(from);
    range->addWidget(toLabel);
    range->addWidget(to);
    range->addWidget(showLabel);
    range->addWidget(measure);
    range->addStretch();
    range->addWidget(exportButton);
    layout->addLayout(range);
    summary = new QLabel(this);
    summary->setWordWrap(true);
    plan = new QLabel(this);
    plan->setWordWrap(true);
    failed = new QLabel(this);
    failed->setWordWrap(true);
    failed->hide();
    layout->addWidget(summary);
    layout->addWidget(failed);
    layout->addWidget(plan);
    chart = new UsageChart(this);
    layout->addWidget(chart, 2);
    auto *tables = new QTabWidget(this);
    const QStringList columns { tr("Requests"), tr("Failed"),    tr("Input"),  tr("Output"),
                                tr("Cached"),   tr("Reasoning"), tr("Credits") };
    byModel = new QTableWidget(0, columns.size() + 1, this);
    byModel->setHorizontalHeaderLabels(QStringList { tr("Model") } + columns);
    byClient = new QTableWidget(0, columns.size() + 1, this);
    byClient->setHorizontalHeaderLabels(QStringList { tr("Coding tool") } + columns);
    byRule = new QTableWidget(0, columns.size() + 1, this);
    byRule->setHorizontalHeaderLabels(QStringList { tr("Routing rule") } + columns);
    for (QTableWidget *t : { byModel, byClient, byRule }) {
        t->horizontalHeaderItem(1)->setToolTip(tr("Requests answered"));
        t->horizontalHeaderItem(2)->setToolTip(tr("Requests answered with an error (HTTP status 400 or above)"));
        t->verticalHeader()->setVisible(false);
        t->setEditTriggers(QAbstractItemView::NoEditTriggers);
        t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        t->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
        t->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    }
    tables->addTab(byModel, tr("By &model"));
    tables->addTab(byClient, tr("By coding too&l"));
    tables->addTab(byRule, tr("By routing &rule"));
    layout->addWidget(tables, 2);

    connect(from, &QDateEdit::dateChanged, this, &UsageWindow::refresh);
    connect(to, &QDateEdit::dateChanged, this, &UsageWindow::refresh);
    connect(measure, &QComboBox::currentIndexChanged, this, &UsageWindow::refresh);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        // open(), not exec(): the proxy serves on this thread's event loop while the dialog is up.
        auto *dialog = new QFileDialog(this, tr("Export usage"),
                                       QStringLiteral("droid2api-usage-%1.csv").arg(to->date().toString(Qt::ISODate)),
                                       tr("CSV files (*.csv)"));
        dialog->setAcceptMode(QFileDialog::AcceptSave);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
            if (!path.isEmpty())
                exportCsv(path);
        });
        dialog->open();
    });
    m_refresh.setSingleShot(true);
    m_refresh.setInterval(2000);
    connect(&m_refresh, &QTimer::timeout, this, [this] {
        if (isVisible())
            refresh();
    });
    connect(controller->proxy()->usage(), &d2a::UsageStore::written, this, [this] {
        if (!m_refresh.isActive()) // batches come every second: a restarted timer would never fire
            m_refresh.start();
    });
    connect(controller->proxy(), &d2a::ProxyService::limitsChanged, this, &UsageWindow::refresh);
    refresh();
}

QDateTime UsageWindow::rangeStart() const
{
    return QDateTime(qMin(from->date(), to->date()), QTime(0, 0));
}

QDateTime UsageWindow::rangeEnd() const
{
    return QDateTime(qMax(from->date(), to->date()).addDays(1), QTime(0, 0));
}

void UsageWindow::fill(QTableWidget *table, const QList<d2a::UsageTotal> &rows)
{
    const QLocale l;
    table->setRowCount(0);
    d2a::UsageTotal total;
    total.key = tr("Total");
    auto add = [&](const d2a::UsageTotal &t, bool bold) {
        const int row = table->rowCount();
        table->insertRow(row);
        // Failed requests apart from the answered ones, in the error colour: they are not usage like the rest.
        const QStringList cells { t.key,
                                  l.toString(t.requests - t.failed),
                                  l.toString(t.failed),
                                  l.toString(t.input),
                                  l.toString(t.output),
                                  l.toString(t.cacheRead + t.cacheWrite),
                                  l.toString(t.reasoning),
                                  l.toString(t.credits, 'f', 0) };
        for (int c = 0; c < cells.size(); ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            if (c > 0)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (bold || (c == 2 && t.failed > 0)) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
            if (c == 2 && t.failed > 0)
                item->setForeground(toneColor(Tone::Error, palette()));
            table->setItem(row, c, item);
        }
    };
    for (const d2a::UsageTotal &t : rows) {
        add(t, false);
        total += t;
    }
    add(total, true);
}

void UsageWindow::refresh()
{
    // Asked of the store's thread; only the answer to the last question is shown (an older one is for a range
    // or a measure no longer chosen).
    d2a::UsageStore::Query query;
    query.from = rangeStart();
    query.to = rangeEnd();
    query.groups = { d2a::UsageStore::Group::Model, d2a::UsageStore::Group::Client, d2a::UsageStore::Group::Rule };
    query.daily = true;
    const quint64 asked = ++m_asked;
    m_controller->proxy()->usage()->query(query, this, [this, asked](const d2a::UsageStore::Answer &answer) {
        if (asked == m_asked)
            showAnswer(answer);
    });
    plan->setText(m_controller->planSummary());
}

void UsageWindow::showAnswer(const d2a::UsageStore::Answer &answer)
{
    m_answered = m_asked;
    d2a::UsageStore *store = m_controller->proxy()->usage();
    const QList<d2a::UsageTotal> models = answer.totals.value(d2a::UsageStore::Group::Model);
    fill(byModel, models);
    fill(byClient, answer.totals.value(d2a::UsageStore::Group::Client));
    QList<d2a::UsageTotal> rules = answer.totals.value(d2a::UsageStore::Group::Rule);
    for (d2a::UsageTotal &t : rules)
        if (t.key.isEmpty())
            t.key = tr("None (the model asked for)");
    fill(byRule, rules);
    chart->setData(answer.days, answer.from.date(), answer.to.date().addDays(-1), measure->currentIndex() == 1);
    const QLocale l;
    if (!store->isOpen()) {
        summary->setText(m_controller->config().usageRecording
                             ? tr("Usage cannot be recorded here (see the log).")
                             : tr("Usage recording is off (usage_recording in config.json)."));
    } else {
        qint64 tokens = 0;
        double credits = 0;
        qint64 failedRequests = 0;
        qint64 requests = 0;
        for (const d2a::UsageTotal &t : models) {
            tokens += t.tokens();
            credits += t.credits;
            failedRequests += t.failed;
            requests += t.requests;
        }
        failed->setVisible(failedRequests > 0);
        failed->setStyleSheet(QStringLiteral("color: %1").arg(toneColor(Tone::Error, palette()).name()));
        failed->setText(tr("%n of these days' %1 requests failed (answered with an error); they are counted in the "
                           "Failed column, not with the answered ones.",
                           nullptr, int(qMin<qint64>(failedRequests, INT_MAX)))
                            .arg(l.toString(requests)));
        summary->setText(
            tr("%1 tokens, %2 Factory credits in these days; today %3 credits. Credits are tokens times the "
               "model's multiplier, an estimate of what Factory counts.")
                .arg(l.toString(tokens), l.toString(credits, 'f', 0), l.toString(store->creditsToday(), 'f', 0)));
    }
    plan->setText(m_controller->planSummary());
}

void UsageWindow::exportCsv(const QString &path)
{
    d2a::UsageStore::Query query;
    query.from = rangeStart();
    query.to = rangeEnd();
    const QList<d2a::UsageStore::Group> groups { d2a::UsageStore::Group::Day, d2a::UsageStore::Group::Model,
                                                 d2a::UsageStore::Group::Client };
    query.groups = groups;
    m_controller->proxy()->usage()->query(query, this, [this, path, groups](const d2a::UsageStore::Answer &answer) {
        const QString error = writeCsv(path, answer, groups);
        summary->setText(error.isEmpty() ? tr("Exported to %1.").arg(path) : tr("Not exported: %1").arg(error));
        Q_EMIT exported(error);
    });
}

QString UsageWindow::writeCsv(const QString &path, const d2a::UsageStore::Answer &answer,
                              const QList<d2a::UsageStore::Group> &groups)
{
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return out.errorString();
    auto quoted = [](QString s) {
        if (s.contains(u',') || s.contains(u'"') || s.contains(u'\n'))
            s = u'"' + s.replace(u'"', QStringLiteral("\"\"")) + u'"';
        return s;
    };
    out.write("group,key,requests,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,"
              "credits\n");
    for (const d2a::UsageStore::Group group : groups) {
        for (const d2a::UsageTotal &t : answer.totals.value(group))
            out.write(QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
                          .arg(d2a::UsageStore::groupName(group), quoted(t.key))
                          .arg(t.requests)
                          .arg(t.input)
                          .arg(t.output)
                          .arg(t.cacheRead)
                          .arg(t.cacheWrite)
                          .arg(t.reasoning)
                          .arg(QString::number(t.credits, 'f', 2))
                          .toUtf8());
    }
    return out.commit() ? QString() : out.errorString();
}
