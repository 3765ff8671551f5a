// The desktop app's widgets under the offscreen platform, against a real fake upstream.
#include "activitywindow.h"
#include "appcontroller.h"
#include "auth/authmanager.h"
#include "desktopapp.h"
#include "dialogs.h"
#include "integrations/clientsetup.h"
#include "log/log.h"
#include "server/proxyservice.h"
#include "settings/settingsdialog.h"
#include "platform/singleinstance.h"
#include "statuswindow.h"
#include "support/fakeupstream.h"
#include "support/testclient.h"
#include "support/testhome.h"
#include "trayicon.h"
#include "uicolors.h"
#include "usage/usagestore.h"
#include "usagewindow.h"

#include <QtCore/qfile.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qscopeguard.h>
#include <QtCore/qtemporarydir.h>
#include <QtCore/qtranslator.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtGui/qclipboard.h>
#include <QtGui/qevent.h>
#include <QtGui/qscreen.h>
#include <QtGui/qtextdocument.h>
#include <QtGui/qtextobject.h>
#include <QtGui/qtextcursor.h>
#include <QtWidgets/qapplication.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>
#include <QtWidgets/qcheckbox.h>
#include <QtWidgets/qdatetimeedit.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qdialogbuttonbox.h>
#include <QtWidgets/qgroupbox.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qmenu.h>
#include <QtWidgets/qmessagebox.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qscrollbar.h>
#include <QtWidgets/qspinbox.h>
#include <QtWidgets/qtablewidget.h>
#include <QtWidgets/qtabwidget.h>
#include <QtWidgets/qtableview.h>

#include <cmath>
#include <memory>

using namespace d2a;

class TestGui final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    std::unique_ptr<FakeUpstream> m_fake;
    std::unique_ptr<AppController> m_controller;
    QString m_path;
    QElapsedTimer m_clock;

    Config baseConfig() const
    {
        Config c = ConfigLoader::defaults();
        c.port = 0;
        c.endpoints[ModelType::Anthropic] = m_fake->url(QStringLiteral("/api/llm/a/v1/messages"));
        c.endpoints[ModelType::Common] = m_fake->url(QStringLiteral("/api/llm/o/v1/chat/completions"));
        c.endpoints[ModelType::OpenAI] = m_fake->url(QStringLiteral("/api/llm/o/v1/responses"));
        c.endpoints[ModelType::Google] = m_fake->url(QStringLiteral("/api/llm/g/v1/generate"));
        c.userAgentUpdateUrl.clear();
        c.tokenStore = QStringLiteral("file");
        return c;
    }

    static void disconnectTool(const QString &client)
    {
        ClientSetup setup;
        const auto plan = setup.planDisconnect(client);
        QVERIFY(plan.ok());
        QVERIFY(setup.applyDisconnect(plan.value()).ok());
    }

    /// Types over a field's text as a user would (textEdited fires).
    static void typeInto(QLineEdit *edit, const QString &text)
    {
        edit->selectAll();
        QTest::keyClicks(edit, text);
    }

    /// Picks a combo box entry as a user would (activated fires).
    static void choose(QComboBox *box, const QVariant &data)
    {
        const int i = box->findData(data);
        QVERIFY(i >= 0);
        box->setCurrentIndex(i);
        Q_EMIT box->activated(i);
    }

    QPushButton *applyButton(SettingsDialog &d) const
    {
        return d.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Apply);
    }

    /// Points XDG_DATA_HOME at a folder of the test's own (an empty token store) until the guard goes.
    [[nodiscard]] auto privateDataHome(const QString &name) const
    {
        const QByteArray before = qgetenv("XDG_DATA_HOME");
        qputenv("XDG_DATA_HOME", (m_home.path() + u'/' + name).toUtf8());
        return qScopeGuard([before] { qputenv("XDG_DATA_HOME", before); });
    }

    /// Declares a warning the test causes on purpose, `times` times (init() fails the test on any other).
    static void expectWarning(const QString &pattern, int times)
    {
        for (int i = 0; i < times; ++i)
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(pattern));
    }

    /// The question the app has open. It asks without blocking: the box is there as soon as the click returns.
    static QMessageBox *openQuestion() { return qobject_cast<QMessageBox *>(QApplication::activeModalWidget()); }

    /// How many message boxes are on screen (a question asked again while open is the same box, raised).
    static int visibleBoxes()
    {
        int n = 0;
        for (QWidget *w : QApplication::topLevelWidgets())
            n += qobject_cast<QMessageBox *>(w) && w->isVisible();
        return n;
    }

    /// The button of `box` whose text is `text` (a button of the app's own, not a standard one).
    static QAbstractButton *buttonNamed(QMessageBox *box, const QString &text)
    {
        for (QAbstractButton *b : box->buttons())
            if (b->text() == text)
                return b;
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        useTemporaryHome(m_home.path());
        m_clock.start();
        log::installChained(false); // the app's log handler, which feeds the activity window; QTest still gets them
    }

    void init()
    {
        // An unexpected warning is a failure; each test declares the ones it causes (ignoreMessage). Only the
        // offscreen platform's own lines are let through by pattern: it says them for whatever window shows or
        // raises and for any tray icon, in numbers that are the platform's, not the app's.
        QTest::failOnWarning(QRegularExpression(QStringLiteral(
            "^(?!This plugin does not support (propagateSizeHints|raise)\\(\\)$"
            "|QObject::connect: No such signal QPlatformNativeInterface::systemTrayWindowChanged\\(QScreen\\*\\)$)")));
        m_fake = std::make_unique<FakeUpstream>();
        QVERIFY(m_fake->listen());
        m_path = m_home.path() + QStringLiteral("/config-%1.json").arg(QLatin1StringView(QTest::currentTestFunction()));
        for (const char *suffix : { "", "-wal", "-shm" }) // each test's usage starts empty
            QFile::remove(UsageStore::defaultPath() + QLatin1StringView(suffix));
        QVERIFY(ConfigLoader::save(m_path, baseConfig()).ok());
        Environment env;
        env.factoryApiKey = QStringLiteral("fk-gui-test-0123456789");
        m_controller = std::make_unique<AppController>(m_path, ConfigLoader::loadFile(m_path).value(), env);
        m_controller->start();
        QVERIFY(m_controller->isRunning());
    }

    void cleanup()
    {
        QCOMPARE(visibleBoxes(), 0); // no question left open for the next test
        m_controller.reset();
        m_fake.reset();
    }

    void pagesLoadValidateApplyRoundTrip()
    {
        SettingsDialog d(m_controller.get());
        d.show();
        QCOMPARE(d.pages().size(), 7);
        auto *general = d.page<GeneralPage>();
        QCOMPARE(general->host->text(), QStringLiteral("127.0.0.1"));
        QVERIFY(!applyButton(d)->isEnabled()); // nothing changed yet

        // The port is a number box: neither letters nor a number past 65535 get in (typed as a user would).
        general->port->selectAll();
        QTest::keyClicks(general->port, QStringLiteral("9x9999"));
        QVERIFY(general->port->value() <= 65535);
        QVERIFY(d.validationMessage().isEmpty());
        general->port->setValue(0);
        QCOMPARE(general->port->text(), GeneralPage::tr("any free port"));
        // Inline validation: a bad address keeps Apply disabled and says why.
        general->host->setText(QStringLiteral("not an address"));
        QTcpServer probe; // a port free now (a fixed one collides with another run of this suite)
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 newPort = probe.serverPort();
        probe.close();
        general->port->setValue(newPort);
        QVERIFY(!applyButton(d)->isEnabled());
        QVERIFY(d.validationMessage().contains(QStringLiteral("IP address")));
        general->host->setText(QStringLiteral("127.0.0.1"));
        QVERIFY(applyButton(d)->isEnabled());

        auto *endpoints = d.page<EndpointsPage>();
        endpoints->url(ModelType::Google)->setText(QStringLiteral("ftp://nope"));
        QVERIFY(!applyButton(d)->isEnabled());
        endpoints->url(ModelType::Google)->setText(QStringLiteral("https://example.test/g/v1/generate"));

        auto *reasoning = d.page<ReasoningPage>();
        reasoning->level->setCurrentIndex(reasoning->level->findData(int(ReasoningLevel::Medium)));
        reasoning->budgets[ReasoningLevel::Medium]->setValue(9000);
        general->accessKey->setText(QStringLiteral("local-key-123456789"));
        general->devMode->setChecked(true);
        // Web pages: none by default; an origin that is not one keeps Apply disabled and says why.
        QVERIFY(general->allowedOrigins->text().isEmpty());
        general->allowedOrigins->setText(QStringLiteral("localhost:5173"));
        QVERIFY(!applyButton(d)->isEnabled());
        QVERIFY(d.validationMessage().contains(QStringLiteral("web origin")));
        general->allowedOrigins->setText(QStringLiteral("http://localhost:5173, http://127.0.0.1:*"));
        QVERIFY(general->originsHint->text().contains(QStringLiteral("access key")));
        QVERIFY(applyButton(d)->isEnabled());
        QCOMPARE(d.apply(), QString());
        QVERIFY(!applyButton(d)->isEnabled());

        // The file holds it (and the previous version is kept), and a fresh load gets it back.
        const auto reloaded = ConfigLoader::loadFile(m_path);
        QVERIFY(reloaded.ok());
        QCOMPARE(reloaded.value().port, int(newPort));
        QCOMPARE(reloaded.value().accessKey, QStringLiteral("local-key-123456789"));
        QCOMPARE(reloaded.value().reasoningDefault, ReasoningLevel::Medium);
        QCOMPARE(reloaded.value().budgetFor(ReasoningLevel::Medium), 9000);
        QCOMPARE(reloaded.value().endpoints.value(ModelType::Google).toString(),
                 QStringLiteral("https://example.test/g/v1/generate"));
        QVERIFY(reloaded.value().devMode);
        QVERIFY(QFile::exists(m_path + QStringLiteral(".bak")));
        QCOMPARE(reloaded.value().allowedOrigins,
                 QStringList({ QStringLiteral("http://localhost:5173"), QStringLiteral("http://127.0.0.1:*") }));
        // Changing the port re-listened at once.
        QCOMPARE(m_controller->proxy()->port(), newPort);
        QVERIFY(m_controller->isRunning());
        // The allowed pages are served at once; others still are not.
        auto preflight = [&](const QByteArray &origin) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, m_controller->proxy()->port());
            if (!s.waitForConnected(5000))
                return QByteArray("not connected");
            s.write("OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + origin
                    + "\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n");
            QByteArray all;
            (void)QTest::qWaitFor(
                [&] {
                all += s.readAll();
                return s.state() == QAbstractSocket::UnconnectedState;
                },
                5000);
            return QByteArray(all + s.readAll());
        };
        const QByteArray allowed = preflight("http://localhost:5173");
        QVERIFY2(allowed.startsWith("HTTP/1.1 204 ")
                     && allowed.contains("Access-Control-Allow-Origin: http://localhost:5173"),
                 allowed.constData());
        QVERIFY(preflight("http://127.0.0.1:8080").startsWith("HTTP/1.1 204 "));
        const QByteArray refused = preflight("http://localhost:9999");
        QVERIFY2(refused.startsWith("HTTP/1.1 403 ") && !refused.contains("Access-Control-Allow-Origin"),
                 refused.constData());
        // Closing the window never stops the proxy.
        d.close();
        QVERIFY(m_controller->isRunning());
    }

    void modelsEditor()
    {
        SettingsDialog d(m_controller.get());
        auto *models = d.page<ModelsPage>();
        const int n = models->models->rowCount();
        QCOMPARE(n, ConfigLoader::defaults().models.size());
        QCOMPARE(models->currentRow(), 0); // the panel always shows a model
        models->addModel();
        QCOMPARE(models->models->rowCount(), n + 1);
        QCOMPARE(models->currentRow(), n); // the new model is selected, its id ready to type over
        QVERIFY(models->idEdit->isEnabled());
        typeInto(models->idEdit, QStringLiteral("claude-opus-4-6")); // duplicate id
        QVERIFY(d.validationMessage().contains(QStringLiteral("used twice")));
        QVERIFY(!applyButton(d)->isEnabled());
        typeInto(models->idEdit, QStringLiteral("my-local-model"));
        QCOMPARE(models->table->model()->index(n, ModelsPage::Id).data().toString(),
                 QStringLiteral("my-local-model")); // the table follows
        QVERIFY(applyButton(d)->isEnabled());
        choose(models->typeBox, int(ModelType::Anthropic));
        QCOMPARE(models->table->model()->index(n, ModelsPage::Type).data().toString(),
                 QStringLiteral("Anthropic Messages"));
        choose(models->levelBox, int(ReasoningLevel::Low));
        typeInto(models->fallbackEdit, QStringLiteral("glm-5.2, claude-opus-4-6"));
        models->fastBox->click();
        models->moveSelected(-1);
        QCOMPARE(models->models->at(n - 1).id, QStringLiteral("my-local-model"));
        QCOMPARE(models->idEdit->text(), QStringLiteral("my-local-model")); // the selection moved with it
        models->selectRow(0);
        QCOMPARE(models->idEdit->text(), ConfigLoader::defaults().models.first().id);
        models->removeSelected();
        QCOMPARE(models->models->rowCount(), n);
        QCOMPARE(d.apply(), QString());
        Config saved = ConfigLoader::loadFile(m_path).value();
        QCOMPARE(saved.models.size(), n);
        const ModelConfig mine = saved.models.at(n - 2);
        QCOMPARE(mine.id, QStringLiteral("my-local-model"));
        QCOMPARE(mine.type, ModelType::Anthropic);
        QCOMPARE(mine.reasoning, ReasoningLevel::Low);
        QCOMPARE(mine.fallback, QStringList({ QStringLiteral("glm-5.2"), QStringLiteral("claude-opus-4-6") }));
        QVERIFY(mine.fast);
        QVERIFY(!saved.findModel(ConfigLoader::defaults().models.first().id)); // the first row, removed
        // The live proxy serves the edited list at once.
        QVERIFY(m_controller->proxy()->config().findModel(QStringLiteral("my-local-model")));
        models->resetToDefaults();
        QCOMPARE(d.apply(), QString());
        QCOMPARE(ConfigLoader::loadFile(m_path).value().models.size(), ConfigLoader::defaults().models.size());
    }

    void testThisModel()
    {
        // "Test" sends the selected model one short real request through the running proxy to the upstream.
        SettingsDialog d(m_controller.get());
        auto *models = d.page<ModelsPage>();
        QSignalSpy tested(models, &ModelsPage::modelTested);
        int row = -1;
        for (int i = 0; i < models->models->rowCount(); ++i)
            if (models->models->at(i).id == u"gpt-5.4")
                row = i;
        QVERIFY(row >= 0);
        models->selectRow(row);
        const int before = m_fake->received.size();
        models->testButton->click();
        QTRY_COMPARE(tested.count(), 1);
        QVERIFY2(tested.first().first().toBool(), qPrintable(models->testResult->text()));
        QCOMPARE(m_fake->received.size(), before + 1); // it reached the upstream, as the model's own format
        QVERIFY(m_fake->received.last().path.endsWith("/responses"));
        QVERIFY2(models->testResult->text().contains(QStringLiteral("answered in")),
                 qPrintable(models->testResult->text()));
        // An upstream refusal shows its message.
        m_fake->failStatus = 400;
        m_fake->failModels.insert(QStringLiteral("gpt-5.4"));
        models->testModel->trigger(); // the table's right-click action does the same
        QTRY_COMPARE(tested.count(), 2);
        QVERIFY(!tested.last().first().toBool());
        QVERIFY2(models->testResult->text().contains(QStringLiteral("400")), qPrintable(models->testResult->text()));
        // A model not applied yet is not sent: the proxy would not know it.
        models->addModel();
        const int received = m_fake->received.size();
        models->testButton->click();
        QVERIFY(models->testResult->text().contains(QStringLiteral("Apply first")));
        QCOMPARE(tested.count(), 2);
        QCOMPARE(m_fake->received.size(), received);
    }

    /// A hand-written config file: each page, and the tray's switch, change exactly their own keys; every other
    /// byte (order, layout, unknown keys, backends, fallbacks) stays.
    void eachPageChangesExactlyItsKeys_data()
    {
        QTest::addColumn<int>("change");
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::newRow("General: log level")
            << 0 << QByteArray("\"log_level\": \"info\"") << QByteArray("\"log_level\": \"warning\"");
        QTest::newRow("General: access key")
            << 1 << QByteArray("\"access_key\": \"\"") << QByteArray("\"access_key\": \"local-key-123456789\"");
        QTest::newRow("Models: a model's reasoning")
            << 2 << QByteArray("{ \"id\": \"glm-5.2\", \"reasoning\": \"low\" }")
            << QByteArray("{ \"id\": \"glm-5.2\", \"reasoning\": \"high\" }");
        QTest::newRow("Endpoints: one URL") << 3 << QByteArray("\"https://api.factory.ai/api/llm/g/v1/generate\"")
                                            << QByteArray("\"https://example.test/g/v1/generate\"");
        QTest::newRow("Reasoning: a budget") << 4 << QByteArray("\"medium\": 12288") << QByteArray("\"medium\": 9000");
        QTest::newRow("Tray: the reasoning switch")
            << 5 << QByteArray("\"reasoning_default\": \"auto\"") << QByteArray("\"reasoning_default\": \"high\"");
        QTest::newRow("Tray: the routing preset")
            << 6 << QByteArray("\"preset\": \"Mine\"") << QByteArray("\"preset\": \"Save credits\"");
        QTest::newRow("Routing: the preset requests use")
            << 7 << QByteArray("\"preset\": \"Mine\"") << QByteArray("\"preset\": \"Think harder\"");
        QTest::newRow("Routing: levels in the model list")
            << 8 << QByteArray("\"list_levels\": false") << QByteArray("\"list_levels\": true");
    }
    void eachPageChangesExactlyItsKeys()
    {
        QFETCH(int, change);
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFile every(QStringLiteral(D2A_TEST_DATA_DIR "/config-every-key.json"));
        QVERIFY(every.open(QIODevice::ReadOnly));
        const QByteArray text = every.readAll().replace("\"port\": 3000", "\"port\": 0");
        const QString path = m_home.path() + QStringLiteral("/every-%1.json").arg(change);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
        f.close();
        qputenv("GLM_KEY", "glm-test-key-0123456789");
        AppController controller(path, ConfigLoader::loadFile(path).value(), Environment());
        controller.start();
        QVERIFY(controller.isRunning());
        if (change == 5) {
            TrayIcon tray(&controller);
            tray.reasoningAction(ReasoningLevel::High)->trigger();
        } else if (change == 6) {
            TrayIcon tray(&controller);
            QVERIFY(tray.routingAction(QStringLiteral("Mine"))->isChecked()); // the file's preset, listed too
            tray.routingAction(QStringLiteral("Save credits"))->trigger();
        } else {
            SettingsDialog d(&controller);
            switch (change) {
            case 0:
                d.page<GeneralPage>()->logLevel->setCurrentIndex(
                    d.page<GeneralPage>()->logLevel->findData(QStringLiteral("warning")));
                break;
            case 1: d.page<GeneralPage>()->accessKey->setText(QStringLiteral("local-key-123456789")); break;
            case 2: {
                auto *models = d.page<ModelsPage>();
                for (int row = 0; row < models->models->rowCount(); ++row)
                    if (models->models->at(row).id == u"glm-5.2") {
                        models->selectRow(row);
                        choose(models->levelBox, int(ReasoningLevel::High));
                    }
                break;
            }
            case 3:
                d.page<EndpointsPage>()
                    ->url(ModelType::Google)
                    ->setText(QStringLiteral("https://example.test/g/v1/generate"));
                break;
            case 4: d.page<ReasoningPage>()->budgets[ReasoningLevel::Medium]->setValue(9000); break;
            case 7: choose(d.page<RoutingPage>()->activeBox, QStringLiteral("Think harder")); break;
            case 8: d.page<RoutingPage>()->listLevels->click(); break;
            }
            QVERIFY(applyButton(d)->isEnabled());
            QCOMPARE(d.apply(), QString());
        }
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray expected = text;
        expected.replace(from, to);
        QCOMPARE(f.readAll(), expected);
        f.close();
    }

    void reasoningSwitchReachesNextRequest()
    {
        TrayIcon tray(m_controller.get());
        tray.reasoningAction(ReasoningLevel::High)->trigger();
        QVERIFY(tray.reasoningAction(ReasoningLevel::High)->isChecked());
        HttpClient http;
        RecordedCall rc;
        startCall(http, rc, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/messages")),
                  R"({"model":"claude-opus-4-6","max_tokens":100,"messages":[]})", {}, m_clock);
        QTRY_VERIFY(rc.done());
        QCOMPARE(rc.status, 200);
        // Opus 4.6 thinks adaptively: the level is its effort.
        QCOMPARE(m_fake->received.last()
                     .json.value(QStringLiteral("thinking"))
                     .toObject()
                     .value(QStringLiteral("type"))
                     .toString(),
                 QStringLiteral("adaptive"));
        QCOMPARE(m_fake->received.last()
                     .json.value(QStringLiteral("output_config"))
                     .toObject()
                     .value(QStringLiteral("effort"))
                     .toString(),
                 QStringLiteral("high"));
        tray.reasoningAction(ReasoningLevel::Off)->trigger();
        RecordedCall off;
        startCall(
            http, off, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/messages")),
            R"({"model":"claude-opus-4-6","max_tokens":100,"messages":[],"thinking":{"type":"enabled","budget_tokens":2048}})",
            {}, m_clock);
        QTRY_VERIFY(off.done());
        QVERIFY(!m_fake->received.last().json.contains(QStringLiteral("thinking")));
        QCOMPARE(ConfigLoader::loadFile(m_path).value().reasoningDefault, ReasoningLevel::Off); // saved too
    }

    void routingSwitchReachesNextRequest()
    {
        // The tray's Routing menu: a preset is one click, saved, and chooses the model of the next request.
        TrayIcon tray(m_controller.get());
        QVERIFY(tray.routingAction(QStringLiteral("As asked"))->isChecked());
        tray.routingAction(QStringLiteral("Think harder"))->trigger();
        QVERIFY(tray.routingAction(QStringLiteral("Think harder"))->isChecked());
        QVERIFY(!tray.routingAction(QStringLiteral("As asked"))->isChecked());
        const QByteArray thinking =
            R"({"model":"claude-opus-4-6","max_tokens":100,"messages":[],"thinking":{"type":"adaptive"}})";
        HttpClient http;
        RecordedCall rc;
        startCall(http, rc, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/messages")), thinking, {},
                  m_clock);
        QTRY_VERIFY(rc.done());
        QCOMPARE(rc.status, 200);
        QCOMPARE(rc.header("x-droid2api-rule"), QByteArray("Think harder / Thinking turns"));
        QCOMPARE(m_fake->received.last().json.value(QStringLiteral("model")).toString(),
                 QStringLiteral("claude-opus-4-8"));
        QCOMPARE(m_fake->received.last()
                     .json.value(QStringLiteral("output_config"))
                     .toObject()
                     .value(QStringLiteral("effort"))
                     .toString(),
                 QStringLiteral("max"));
        QCOMPARE(ConfigLoader::loadFile(m_path).value().routing.preset, QStringLiteral("Think harder")); // saved
        // The Activity row shows the model asked for, the one that answered and the rule; its details too.
        ActivityWindow w(m_controller.get());
        RecordedCall again;
        startCall(http, again, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/messages")), thinking, {},
                  m_clock);
        QTRY_VERIFY(again.done());
        ActivityModel *model = w.requestModel();
        QTRY_COMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, ActivityModel::Model).data().toString(),
                 QStringLiteral("claude-opus-4-6 → claude-opus-4-8"));
        QCOMPARE(model->index(0, ActivityModel::Rule).data().toString(),
                 QStringLiteral("Think harder / Thinking turns"));
        w.requests()->setCurrentIndex(model->index(0, 0));
        QVERIFY2(w.details()->toPlainText().contains(
                     QStringLiteral("Chosen by the routing rule: Think harder / Thinking turns")),
                 qPrintable(w.details()->toPlainText()));
        tray.routingAction(QStringLiteral("As asked"))->trigger();
        RecordedCall asked;
        startCall(http, asked, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/messages")), thinking, {},
                  m_clock);
        QTRY_VERIFY(asked.done());
        QCOMPARE(m_fake->received.last().json.value(QStringLiteral("model")).toString(),
                 QStringLiteral("claude-opus-4-6"));
        QVERIFY(asked.header("x-droid2api-rule").isEmpty());
    }

    /// The Settings window's Routing page, as a user works it: shipped presets are read-only and duplicated to
    /// start from; a new preset's rules are typed and picked in the table; the test box answers for the rules
    /// as edited; Apply writes them and the next request is served by them.
    void routingPageEditsTestsAndApplies()
    {
        SettingsDialog d(m_controller.get());
        auto *page = d.page<RoutingPage>();
        QVERIFY(page);
        d.showPage(int(d.pages().indexOf(page)));
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QCOMPARE(page->activeBox->currentData().toString(), QStringLiteral("As asked"));

        // A shipped preset: its rules are shown but cannot be changed; the test box answers for it.
        choose(page->presetBox, QStringLiteral("Save credits"));
        QCOMPARE(page->rules->rowCount(), 2);
        QCOMPARE(page->rules->item(0, RoutingPage::Name)->text(), QStringLiteral("Background calls"));
        QVERIFY(!(page->rules->item(0, RoutingPage::Model)->flags() & Qt::ItemIsEditable));
        QVERIFY(!page->cellWidget(0, RoutingPage::Target)->isEnabled());
        QVERIFY(!page->addButton->isEnabled());
        QVERIFY(!page->deleteButton->isEnabled());
        QVERIFY(!page->presetName->isVisible());
        QVERIFY(page->presetNote->isVisible());
        page->testClient->setCurrentText(QStringLiteral("Claude Code"));
        page->testBody->setPlainText(QStringLiteral(
            R"({"model":"claude-opus-4-6","max_tokens":50,"messages":[{"role":"user","content":"title?"}]})"));
        QVERIFY2(page->testResult->text().startsWith(
                     QStringLiteral("Rule 1, \"Background calls\", of \"Save credits\" matches: claude-opus-4-6 asked, "
                                    "served by claude-haiku-4-5-20251001")),
                 qPrintable(page->testResult->text()));
        QVERIFY(page->testResult->text().contains(QStringLiteral("Requests use \"As asked\"")));
        QVERIFY(!applyButton(d)->isEnabled()); // looking changed nothing

        // Duplicate makes an editable copy; New starts an empty one, named by typing.
        QTest::mouseClick(page->duplicateButton, Qt::LeftButton);
        QCOMPARE(page->presetBox->currentData().toString(), QStringLiteral("Save credits (copy)"));
        QVERIFY(page->addButton->isEnabled());
        QCOMPARE(page->rules->rowCount(), 2);
        QTest::mouseClick(page->newButton, Qt::LeftButton);
        QCOMPARE(page->rules->rowCount(), 0);
        QVERIFY(page->presetName->isVisible());
        typeInto(page->presetName, QStringLiteral("Work"));
        QCOMPARE(page->presetBox->currentData().toString(), QStringLiteral("Work"));

        // A rule: Opus asked goes to Sonnet at High. Its cells are typed into as a user edits a table.
        QTest::mouseClick(page->addButton, Qt::LeftButton);
        QCOMPARE(page->rules->rowCount(), 1);
        // Double-click-to-edit's editor, typed into and committed with Return, as a user edits a cell.
        const auto typeCell = [page](int row, RoutingPage::Column column, const QString &text) {
            QTableWidgetItem *item = page->rules->item(row, column);
            if (!item)
                return false;
            page->rules->setCurrentItem(item);
            page->rules->editItem(item);
            QLineEdit *editor = nullptr;
            // The cell's editor (the other line edits are inside the combo and spin boxes of other cells).
            for (QLineEdit *e : page->rules->viewport()->findChildren<QLineEdit *>(Qt::FindDirectChildrenOnly))
                if (e->isVisible())
                    editor = e;
            if (!editor)
                return false;
            editor->selectAll();
            QTest::keyClicks(editor, text);
            QTest::keyClick(editor, Qt::Key_Return); // the delegate commits from the event loop
            return QTest::qWaitFor([&] { return item->text() == text; });
        };
        QVERIFY(typeCell(0, RoutingPage::Name, QStringLiteral("work")));
        QVERIFY(typeCell(0, RoutingPage::Model, QStringLiteral("claude-opus-*")));
        auto *target = qobject_cast<QComboBox *>(page->cellWidget(0, RoutingPage::Target));
        QVERIFY(target);
        target->setCurrentIndex(target->findText(QStringLiteral("claude-sonnet-4-5-20250929")));
        QVERIFY(target->currentIndex() >= 0);
        auto *level = qobject_cast<QComboBox *>(page->cellWidget(0, RoutingPage::Level));
        QVERIFY(level);
        level->setCurrentIndex(level->findData(int(ReasoningLevel::High)));
        QCOMPARE(page->shownRules().size(), 1);
        QCOMPARE(page->shownRules().first().model, QStringLiteral("claude-opus-*"));
        QCOMPARE(page->shownRules().first().target, QStringLiteral("claude-sonnet-4-5-20250929"));
        QCOMPARE(page->shownRules().first().level, std::optional<ReasoningLevel>(ReasoningLevel::High));
        // The test box answers for the rules as edited, before anything is applied.
        QVERIFY2(page->testResult->text().startsWith(
                     QStringLiteral("Rule 1, \"work\", of \"Work\" matches: claude-opus-4-6 asked, served by "
                                    "claude-sonnet-4-5-20250929 at reasoning level High")),
                 qPrintable(page->testResult->text()));
        page->testBody->setPlainText(QStringLiteral(R"j({"model":"gpt-5.4(low)","input":"hi"})j"));
        page->testRoute->setCurrentText(QStringLiteral("/v1/responses"));
        QVERIFY2(page->testResult->text().startsWith(
                     QStringLiteral("No rule matches: served by gpt-5.4, as asked (reasoning level Low, from the "
                                    "model's name)")),
                 qPrintable(page->testResult->text()));
        page->testBody->setPlainText(QStringLiteral(R"({"model": )"));
        QVERIFY2(page->testResult->text().startsWith(QStringLiteral("The body is not valid JSON: ")),
                 qPrintable(page->testResult->text()));
        page->testRoute->setCurrentText(QStringLiteral("/v1/models"));
        QCOMPARE(page->testResult->text(),
                 QStringLiteral("/v1/models is not a route that generates text (such as /v1/messages)"));

        // Invalid input blocks Apply and says where; fixing it allows it again.
        QVERIFY(typeCell(0, RoutingPage::Route, QStringLiteral("v1/messages")));
        QVERIFY(!applyButton(d)->isEnabled());
        QCOMPARE(d.validationMessage(),
                 QStringLiteral("Routing: preset \"Work\", rule 1: the route must be a path such as /v1/messages"));
        QVERIFY(typeCell(0, RoutingPage::Route, QStringLiteral("/v1/messages")));
        target->setCurrentText(QStringLiteral("no-such-model"));
        QCOMPARE(d.validationMessage(),
                 QStringLiteral("Routing: preset \"Work\", rule 1: \"no-such-model\" is not a configured model"));
        target->setCurrentIndex(target->findText(QStringLiteral("claude-sonnet-4-5-20250929")));
        QCOMPARE(d.validationMessage(), QString());

        // A second rule, moved above the first, then removed again.
        QTest::mouseClick(page->addButton, Qt::LeftButton);
        QVERIFY(typeCell(1, RoutingPage::Name, QStringLiteral("second")));
        QVERIFY(page->upButton->isEnabled());
        QTest::mouseClick(page->upButton, Qt::LeftButton);
        QCOMPARE(page->shownRules().at(0).name, QStringLiteral("second"));
        QCOMPARE(page->shownRules().at(1).name, QStringLiteral("work"));
        QCOMPARE(page->rules->currentRow(), 0);
        QTest::mouseClick(page->removeButton, Qt::LeftButton);
        QCOMPARE(page->shownRules().size(), 1);
        QCOMPARE(page->shownRules().first().name, QStringLiteral("work"));

        // Requests use it from Apply on: saved, and the next request is served by the rule.
        choose(page->activeBox, QStringLiteral("Work"));
        QVERIFY(!page->testResult->text().contains(QStringLiteral("Requests use")));
        QVERIFY(applyButton(d)->isEnabled());
        QTest::mouseClick(applyButton(d), Qt::LeftButton);
        QCOMPARE(d.validationMessage(), QString());
        const Config saved = ConfigLoader::loadFile(m_path).value();
        QCOMPARE(saved.routing.preset, QStringLiteral("Work"));
        QCOMPARE(saved.routing.presets.size(), 2); // the copy of Save credits, and Work
        QCOMPARE(saved.routing.presets.at(1).name, QStringLiteral("Work"));
        QCOMPARE(saved.routing.presets.at(1).rules, page->shownRules());
        HttpClient http;
        RecordedCall rc;
        startCall(http, rc, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/messages")),
                  R"({"model":"claude-opus-4-6","max_tokens":100,"messages":[]})", {}, m_clock);
        QTRY_VERIFY(rc.done());
        QCOMPARE(rc.status, 200);
        QCOMPARE(rc.header("x-droid2api-rule"), QByteArray("Work / work"));
        QCOMPARE(m_fake->received.last().json.value(QStringLiteral("model")).toString(),
                 QStringLiteral("claude-sonnet-4-5-20250929"));

        // Deleting the active preset hands requests back to "As asked".
        QCOMPARE(page->presetBox->currentData().toString(), QStringLiteral("Work"));
        QTest::mouseClick(page->deleteButton, Qt::LeftButton);
        QCOMPARE(page->activeBox->currentData().toString(), QStringLiteral("As asked"));
        QCOMPARE(d.apply(), QString());
        QCOMPARE(ConfigLoader::loadFile(m_path).value().routing.preset, QStringLiteral("As asked"));
        QCOMPARE(ConfigLoader::loadFile(m_path).value().routing.presets.size(), 1);
    }

    void trayFollowsState()
    {
        expectWarning(QStringLiteral("^Port \\d+ is in use by another program, so droid2api is not serving\\. "), 1);
        TrayIcon tray(m_controller.get());
        QCOMPARE(tray.currentIconPath(), TrayIcon::iconPath(AppController::State::Running));
        QVERIFY(tray.icon()->toolTip().contains(m_controller->baseUrl()));
        const QString circuit = CircuitBreaker::key(QStringLiteral("factory"), QStringLiteral("glm-5.2"));
        for (int i = 0; i < 5; ++i)
            m_controller->proxy()->breaker().recordFailure(circuit);
        tray.refresh();
        QVERIFY(tray.icon()->toolTip().contains(QStringLiteral("circuit open: glm-5")));
        m_controller->proxy()->breaker().recordSuccess(circuit);
        tray.refresh();
        QVERIFY(!tray.icon()->toolTip().contains(QStringLiteral("circuit open")));
        tray.toggleAction()->trigger();
        QVERIFY(!m_controller->isRunning());
        QCOMPARE(tray.currentIconPath(), TrayIcon::iconPath(AppController::State::Stopped));
        QVERIFY(!tray.urlAction()->isEnabled());
        // Port in use: the error state, with the reason.
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        Config c = m_controller->config();
        c.port = blocker.serverPort();
        QCOMPARE(m_controller->applyConfig(c), QString());
        tray.toggleAction()->trigger();
        QCOMPARE(m_controller->state(), AppController::State::Error);
        QCOMPARE(m_controller->problem(), AppController::Problem::PortInUse);
        QCOMPARE(tray.currentIconPath(), TrayIcon::iconPath(AppController::State::Error));
        // One human sentence with the remedy, the same in the notification, the status line and the tooltip.
        QVERIFY2(m_controller->stateMessage().contains(QStringLiteral("Port %1 is in use").arg(blocker.serverPort())),
                 qPrintable(m_controller->stateMessage()));
        QVERIFY(m_controller->stateMessage().contains(QStringLiteral("free one")));
        QCOMPARE(tray.lastNotification(), m_controller->stateMessage());
        QVERIFY(tray.statusAction()->text().contains(QString::number(blocker.serverPort())));
        QVERIFY(tray.statusAction()->isEnabled()); // a line that opens the fix, not a greyed-out label
        QVERIFY(tray.icon()->toolTip().contains(QStringLiteral("in use")));
        QVERIFY(tray.freePortAction()->isVisible());
        QSignalSpy fix(&tray, &TrayIcon::fixRequested);
        tray.statusAction()->trigger();
        QCOMPARE(fix.size(), 1);
        QCOMPARE(fix.first().first().value<AppController::Problem>(), AppController::Problem::PortInUse);
        // "Use a free port": serving again, on a port that is saved, and every place shows the same one.
        tray.freePortAction()->trigger();
        QVERIFY(m_controller->isRunning());
        QCOMPARE(m_controller->state(), AppController::State::Running);
        QVERIFY(m_controller->proxy()->port() != blocker.serverPort());
        QCOMPARE(ConfigLoader::loadFile(m_path).value().port, int(m_controller->proxy()->port()));
        QVERIFY(!tray.freePortAction()->isVisible());
        QVERIFY(tray.urlAction()->text().contains(m_controller->baseUrl()));
        QVERIFY(tray.icon()->toolTip().contains(m_controller->baseUrl()));
        QVERIFY(tray.lastNotification().contains(m_controller->baseUrl()));
    }

    /// A port P with P, P+1 and P+2 free (as the default 3000 usually has its neighbours).
    static quint16 portWithFreeNeighbours()
    {
        for (int tries = 0; tries < 50; ++tries) {
            QTcpServer first;
            if (!first.listen(QHostAddress::LocalHost, 0) || first.serverPort() > 65000)
                continue;
            QTcpServer a, b;
            if (a.listen(QHostAddress::LocalHost, first.serverPort() + 1)
                && b.listen(QHostAddress::LocalHost, first.serverPort() + 2))
                return first.serverPort();
        }
        return 0;
    }

    void aFreePortIsTheNextOneAndToolsFollow()
    {
        expectWarning(QStringLiteral("^Port \\d+ is in use by another program, so droid2api is not serving\\. "), 2);
        // Port P in use: "Use a free port" moves to P+1 (then P+2), not to an ephemeral port, and asks the same
        // "Update your coding tools?" as Apply, so Claude Code follows.
        const quint16 p = portWithFreeNeighbours();
        QVERIFY(p > 0);
        m_controller->stop();
        Config c = m_controller->config();
        c.port = p;
        QCOMPARE(m_controller->applyConfig(c), QString());
        QCOMPARE(m_controller->updateTool(QStringLiteral("claude-code")), QString()); // set up for port P
        auto disconnect = qScopeGuard([] { disconnectTool(QStringLiteral("claude-code")); });
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, p));
        TrayIcon tray(m_controller.get());
        m_controller->start();
        QCOMPARE(m_controller->problem(), AppController::Problem::PortInUse);
        QVERIFY(tray.freePortAction()->isVisible());
        tray.freePortAction()->trigger();
        QCOMPARE(m_controller->state(), AppController::State::Running);
        QCOMPARE(m_controller->proxy()->port(), quint16(p + 1));
        QCOMPARE(ConfigLoader::loadFile(m_path).value().port, p + 1);
        QVERIFY(tray.lastNotification().contains(QStringLiteral(":%1").arg(p + 1)));
        auto claudeSettings = [&] {
            QFile settings(m_home.path() + QStringLiteral("/.claude/settings.json"));
            return settings.open(QIODevice::ReadOnly) ? settings.readAll() : QByteArray();
        };
        // The question, in a box of its own (the tray has no window), waits without holding the proxy.
        QMessageBox *trayBox = openQuestion();
        QVERIFY(trayBox);
        QVERIFY(!trayBox->parentWidget());
        QCOMPARE(trayBox->windowTitle(), SettingsDialog::tr("Update your coding tools?"));
        QVERIFY(trayBox->text().startsWith(QStringLiteral("Claude Code ")));
        QVERIFY(!claudeSettings().contains(QStringLiteral("127.0.0.1:%1\"").arg(p + 1).toUtf8()));
        QCOMPARE(ask(*m_controller).status, 200);
        trayBox->button(QMessageBox::Yes)->click();
        QVERIFY(claudeSettings().contains(QStringLiteral("127.0.0.1:%1\"").arg(p + 1).toUtf8()));

        // The status window's "Use a free port" does the same, and the next port up is taken when P+1 is too.
        m_controller->stop();
        blocker.close();
        QTcpServer blocker2;
        QVERIFY(blocker2.listen(QHostAddress::LocalHost, p + 1));
        QVERIFY(blocker.listen(QHostAddress::LocalHost, p)); // P is still busy as well
        c = m_controller->config();
        c.port = p;
        QCOMPARE(m_controller->applyConfig(c), QString());
        m_controller->start();
        QCOMPARE(m_controller->problem(), AppController::Problem::PortInUse);
        StatusWindow status(m_controller.get());
        status.show();
        QCOMPARE(status.fix()->text(), StatusWindow::tr("Use a &free port"));
        QTest::mouseClick(status.fix(), Qt::LeftButton); // the real question this time, answered Yes
        QCOMPARE(m_controller->proxy()->port(), quint16(p + 2));
        QMessageBox *box = openQuestion();
        QVERIFY(box);
        QCOMPARE(box->windowTitle(), SettingsDialog::tr("Update your coding tools?"));
        QVERIFY(box->text().startsWith(QStringLiteral("Claude Code ")));
        QCOMPARE(box->defaultButton(), box->button(QMessageBox::Yes));
        QVERIFY(!claudeSettings().contains(QStringLiteral("127.0.0.1:%1\"").arg(p + 2).toUtf8())); // not yet
        box->button(QMessageBox::Yes)->click();
        QVERIFY(!openQuestion()); // no failure to tell
        QVERIFY(claudeSettings().contains(QStringLiteral("127.0.0.1:%1\"").arg(p + 2).toUtf8()));
        QVERIFY(status.state()->text().contains(QStringLiteral("Running")));
        QVERIFY(!status.state()->text().contains(QStringLiteral("set up for another address")));
    }

    void theGeneralPageTellsAboutTheTakenPort()
    {
        expectWarning(QStringLiteral("^Port \\d+ is in use by another program, so droid2api is not serving\\. "), 1);
        // The status line sends the user to General for a taken port: the port field is marked, the sentence is
        // beside it with "Use a free port", and the access key can be revealed.
        const quint16 p = portWithFreeNeighbours();
        QVERIFY(p > 0);
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, p));
        m_controller->stop();
        Config c = m_controller->config();
        c.port = blocker.serverPort();
        QCOMPARE(m_controller->applyConfig(c), QString());
        SettingsDialog d(m_controller.get());
        auto *general = d.page<GeneralPage>();
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QVERIFY(!general->portProblem->isVisible());
        QVERIFY(!general->useFreePort->isVisible());
        m_controller->start();
        QCOMPARE(m_controller->problem(), AppController::Problem::PortInUse);
        QVERIFY(general->portProblem->isVisible());
        QVERIFY(general->portProblem->text().contains(QString::number(blocker.serverPort())));
        QVERIFY(general->port->styleSheet().contains(toneColor(Tone::Error, general->palette()).name()));
        QVERIFY(general->useFreePort->isVisible());
        QTest::mouseClick(general->useFreePort, Qt::LeftButton);
        QCOMPARE(m_controller->state(), AppController::State::Running);
        QCOMPARE(general->port->value(), int(m_controller->proxy()->port()));
        QCOMPARE(m_controller->proxy()->port(), quint16(blocker.serverPort() + 1));
        QVERIFY(!general->portProblem->isVisible());
        QVERIFY(!general->useFreePort->isVisible());
        QVERIFY(!d.isDirty());
        // The generated key can be read before it is copied anywhere.
        general->accessKey->setText(QStringLiteral("d2a-visible-key"));
        QCOMPARE(general->accessKey->echoMode(), QLineEdit::Password);
        QTest::mouseClick(general->revealKey, Qt::LeftButton);
        QCOMPARE(general->accessKey->echoMode(), QLineEdit::Normal);
        QCOMPARE(general->revealKey->text(), GeneralPage::tr("Hide"));
        QTest::mouseClick(general->revealKey, Qt::LeftButton);
        QCOMPARE(general->accessKey->echoMode(), QLineEdit::Password);
    }

    void applyInTheErrorStateStartsOnTheNewPort()
    {
        expectWarning(QStringLiteral("^Port \\d+ is in use by another program, so droid2api is not serving\\. "), 1);
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        m_controller->stop();
        Config c = m_controller->config();
        c.port = blocker.serverPort();
        QCOMPARE(m_controller->applyConfig(c), QString());
        m_controller->start();
        QCOMPARE(m_controller->problem(), AppController::Problem::PortInUse);
        SettingsDialog d(m_controller.get());
        auto *general = d.page<GeneralPage>();
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 free = probe.serverPort();
        probe.close();
        general->port->setValue(free);
        QCOMPARE(d.apply(), QString());
        QVERIFY(m_controller->isRunning());
        QCOMPARE(m_controller->proxy()->port(), free);
        QCOMPARE(m_controller->state(), AppController::State::Running);
    }

    void notSignedInIsNeverRunning()
    {
        // No credentials at all: the proxy listens, but the app never says "running": the sign-in look, a
        // bold "Sign in to Factory" first in the menu, one notification, and the status line opens Account.
        const auto restore = privateDataHome(QStringLiteral("data-nocreds")); // an empty token store
        Config c = baseConfig();
        c.workosBaseUrl = m_fake->url(QString());
        c.workosClientId = m_fake->workosClientId;
        const QString path = m_home.path() + QStringLiteral("/config-nocreds.json");
        QVERIFY(ConfigLoader::save(path, c).ok());
        AppController controller(path, ConfigLoader::loadFile(path).value(), Environment());
        QList<QUrl> opened;
        controller.setUrlOpener([&](const QUrl &u) {
            opened << u;
            return true;
        });
        TrayIcon tray(&controller);
        controller.start();
        QVERIFY(controller.isRunning());
        QTRY_COMPARE(controller.problem(), AppController::Problem::NoCredentials);
        QCOMPARE(controller.state(), AppController::State::SignInRequired);
        QCOMPARE(tray.currentIconPath(), TrayIcon::iconPath(AppController::State::SignInRequired));
        QVERIFY(tray.currentIconPath() != TrayIcon::iconPath(AppController::State::Running));
        QVERIFY(!tray.icon()->toolTip().contains(QStringLiteral("Running")));
        QVERIFY(tray.icon()->toolTip().contains(QStringLiteral("Not signed in")));
        QCOMPARE(tray.menu()->actions().first(), tray.signInAction());
        QVERIFY(tray.signInAction()->isVisible());
        QVERIFY(tray.signInAction()->font().bold());
        QVERIFY(tray.lastNotification().contains(QStringLiteral("Sign in to Factory")));
        QSignalSpy fix(&tray, &TrayIcon::fixRequested);
        tray.statusAction()->trigger();
        QCOMPARE(fix.first().first().value<AppController::Problem>(), AppController::Problem::NoCredentials);
        // One click: the browser opens on Factory's page with the code, and the sign-in completes.
        QSignalSpy finished(&controller, &AppController::signInFinished);
        tray.signInAction()->trigger();
        QTRY_COMPARE(opened.size(), 1);
        QVERIFY(opened.first().toString().contains(QStringLiteral("user_code=WXYZ-1234")));
        QVERIFY(tray.lastNotification().contains(QStringLiteral("WXYZ-1234")));
        QVERIFY(tray.signInAction()->text().contains(QStringLiteral("Cancel")));
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() == 1, 15000);
        QCOMPARE(finished.first().at(0).toString(), QString());
        QTRY_COMPARE(controller.state(), AppController::State::Running);
        QVERIFY(!tray.signInAction()->isVisible());
        QCOMPARE(tray.currentIconPath(), TrayIcon::iconPath(AppController::State::Running));
        // Signing out changes the icon back at once.
        bool signedOut = false;
        controller.proxy()->auth()->signOut(this, [&](const QString &err) { signedOut = err.isEmpty(); });
        QTRY_VERIFY(signedOut);
        QTRY_COMPARE(controller.problem(), AppController::Problem::NoCredentials);
        QCOMPARE(tray.currentIconPath(), TrayIcon::iconPath(AppController::State::SignInRequired));
        QVERIFY(tray.signInAction()->isVisible());
    }

    void aCancelledSignInIsNotAFailure()
    {
        const auto restore = privateDataHome(QStringLiteral("data-cancel"));
        Config c = baseConfig();
        c.workosBaseUrl = m_fake->url(QString());
        c.workosClientId = m_fake->workosClientId;
        m_fake->deviceScript = QStringList(50, QStringLiteral("authorization_pending"));
        const QString path = m_home.path() + QStringLiteral("/config-cancel.json");
        QVERIFY(ConfigLoader::save(path, c).ok());
        AppController controller(path, ConfigLoader::loadFile(path).value(), Environment());
        controller.setUrlOpener([](const QUrl &) { return false; }); // no browser here
        SettingsDialog d(&controller);
        auto *account = d.page<AccountPage>();
        controller.start();
        QTRY_COMPARE(controller.problem(), AppController::Problem::NoCredentials);
        QVERIFY(!account->status->text().contains(QStringLiteral("no_credentials")));
        account->signIn->click();
        QTRY_VERIFY(account->code->text().contains(QStringLiteral("WXYZ-1234")));
        QVERIFY(account->code->text().contains(QStringLiteral("Open "))); // the browser did not open: say where to go
        QVERIFY(!account->code->text().contains(QStringLiteral("opened")));
        QCOMPARE(account->signIn->text(), AccountPage::tr("Cancel sign-in"));
        QSignalSpy finished(&controller, &AppController::signInFinished);
        account->signIn->click();
        QTRY_COMPARE(finished.size(), 1);
        QVERIFY(finished.first().at(1).toBool()); // cancelled
        QCOMPARE(account->code->text(), AccountPage::tr("Sign-in cancelled."));
        QVERIFY(!account->code->text().contains(QStringLiteral("Failed")));
        m_fake->deviceScript.clear();
    }

    /// A request through the proxy, as a coding tool sends it; returns status and body once answered.
    RecordedCall ask(AppController &controller, const QString &model = QStringLiteral("glm-5.2"))
    {
        HttpClient http;
        RecordedCall rc;
        startCall(http, rc, "POST", QUrl(controller.baseUrl() + QStringLiteral("/v1/chat/completions")),
                  QStringLiteral(R"({"model":"%1","messages":[{"role":"user","content":"hi"}]})").arg(model).toUtf8(),
                  {}, m_clock);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(rc.done(), 20000); }();
        return rc;
    }

    void theSignInBalloonKeepsTheCodeUntilCancelled()
    {
        // The balloon always carries the page and the code (a browser may not have shown it), stays while the
        // sign-in waits, and the menu keeps the code in its Cancel entry; cancelling clears both.
        const auto restore = privateDataHome(QStringLiteral("data-balloon"));
        Config c = baseConfig();
        c.workosBaseUrl = m_fake->url(QString());
        c.workosClientId = m_fake->workosClientId;
        m_fake->deviceScript = QStringList(50, QStringLiteral("authorization_pending"));
        const QString path = m_home.path() + QStringLiteral("/config-balloon.json");
        QVERIFY(ConfigLoader::save(path, c).ok());
        AppController controller(path, ConfigLoader::loadFile(path).value(), Environment());
        bool browser = true;
        controller.setUrlOpener([&](const QUrl &) { return browser; });
        TrayIcon tray(&controller);
        StatusWindow status(&controller);
        status.show();
        controller.start();
        QTRY_COMPARE(controller.problem(), AppController::Problem::NoCredentials);
        auto menuTexts = [&] {
            QStringList texts;
            for (const QAction *a : tray.menu()->actions())
                if (a->isVisible())
                    texts << a->text();
            return texts.join(u'\n');
        };
        for (const bool opened : { true, false }) {
            browser = opened;
            QSignalSpy finished(&controller, &AppController::signInFinished);
            tray.signInAction()->trigger();
            QTRY_VERIFY(tray.lastNotification().contains(QStringLiteral("WXYZ-1234")));
            QVERIFY2(tray.lastNotification().contains(m_fake->url(QStringLiteral("/")).host()),
                     qPrintable(tray.lastNotification()));
            QVERIFY(tray.lastNotification().contains(QStringLiteral("user_code=WXYZ-1234")));
            QCOMPARE(tray.lastNotification().contains(QStringLiteral("opened")), opened);
            QVERIFY(tray.lastNotificationMs() >= 60000); // not gone before the user gets to the browser
            QCOMPARE(tray.signInAction()->text(),
                     TrayIcon::tr("Cancel sign-in (code %1)").arg(QStringLiteral("WXYZ-1234")));
            QVERIFY(tray.statusAction()->text().contains(QStringLiteral("WXYZ-1234")));
            QVERIFY(status.fix()->text().contains(QStringLiteral("WXYZ-1234")));
            tray.signInAction()->trigger(); // Cancel
            QTRY_COMPARE(finished.size(), 1);
            QVERIFY(finished.first().at(1).toBool());
            QCOMPARE(tray.signInAction()->text(), TrayIcon::tr("Sign &in to Factory..."));
            QVERIFY2(!menuTexts().contains(QStringLiteral("WXYZ-1234")), qPrintable(menuTexts()));
            QCOMPARE(tray.lastNotification(), TrayIcon::tr("Sign-in cancelled."));
            // The balloon no longer shows the code: the cancel replaces it.
            QVERIFY2(!tray.shownNotification().contains(QStringLiteral("WXYZ-1234")),
                     qPrintable(tray.shownNotification()));
            QVERIFY(tray.shownNotification().startsWith(TrayIcon::tr("Sign-in cancelled.")));
            QVERIFY(!status.fix()->text().contains(QStringLiteral("WXYZ-1234")));
        }
        m_fake->deviceScript.clear();
    }

    void aRefusedEnvKeyIsNotFixedBySigningIn()
    {
        // This test's key refused, and init()'s FACTORY_API_KEY too (the fake now refuses every key).
        expectWarning(QStringLiteral("^Factory rejected the API key \\(HTTP 401\\)$"), 2);
        expectWarning(QStringLiteral("^Factory answered 401 to a request with the factory_api_key credential$"), 1);
        // FACTORY_API_KEY refused: the variable overrides anything the app stores, so the app says to remove it
        // and offers no sign-in (one would succeed and change nothing).
        const auto restore = privateDataHome(QStringLiteral("data-envkey"));
        m_fake->whoamiStatus = 401;
        const QString path = m_home.path() + QStringLiteral("/config-rejected.json");
        QVERIFY(ConfigLoader::save(path, baseConfig()).ok());
        Environment env;
        env.factoryApiKey = QStringLiteral("fk-refused-by-factory-0123");
        AppController controller(path, ConfigLoader::loadFile(path).value(), env);
        TrayIcon tray(&controller);
        StatusWindow status(&controller);
        SettingsDialog settings(&controller);
        auto *account = settings.page<AccountPage>();
        status.show();
        controller.start();
        QTRY_COMPARE(controller.problem(), AppController::Problem::EnvKeyRejected);
        QCOMPARE(tray.currentIconPath(), TrayIcon::iconPath(AppController::State::SignInRequired));
        QVERIFY(tray.icon()->toolTip().contains(QStringLiteral("refused")));
        QVERIFY(tray.icon()->toolTip().contains(QStringLiteral("FACTORY_API_KEY")));
        QVERIFY(tray.icon()->toolTip().contains(QStringLiteral("remove the variable")));
        QVERIFY(!tray.icon()->toolTip().contains(QStringLiteral("fk-refused"))); // never the key itself
        QVERIFY(!tray.signInAction()->isVisible());
        QVERIFY(!tray.lastNotification().contains(QStringLiteral("Sign in")));
        QVERIFY(tray.lastNotification().contains(QStringLiteral("FACTORY_API_KEY")));
        QVERIFY(status.state()->text().contains(QStringLiteral("FACTORY_API_KEY")));
        QVERIFY(!status.fix()->isVisible());
        QVERIFY(account->status->text().contains(QStringLiteral("FACTORY_API_KEY")));
        QVERIFY(!account->signIn->isEnabled());
        // A refresh token pasted on the Account page is stored, but the variable still wins, and the 401 a
        // client gets says why (the stored token cleared the reason once: ": set a valid key...").
        account->refreshToken->setFocus();
        QTest::keyClicks(account->refreshToken, QStringLiteral("rt-pasted-0123456789"));
        account->saveToken->click();
        QTRY_COMPARE(account->keyResult->text(), AccountPage::tr("Refresh token saved."));
        QCOMPARE(controller.problem(), AppController::Problem::EnvKeyRejected);
        const RecordedCall rc = ask(controller);
        QCOMPARE(rc.status, 401);
        const QString message = QJsonDocument::fromJson(rc.body)
                                    .object()
                                    .value(QStringLiteral("error"))
                                    .toObject()
                                    .value(QStringLiteral("message"))
                                    .toString();
        QVERIFY2(message.startsWith(QStringLiteral("Factory rejected the API key")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("FACTORY_API_KEY")), qPrintable(message));
        m_fake->whoamiStatus = 200;
    }

    void signingInReplacesARefusedStoredKey()
    {
        // The stored key refused, and init()'s FACTORY_API_KEY too (the fake now refuses every key).
        expectWarning(QStringLiteral("^Factory rejected the API key \\(HTTP 401\\)$"), 2);
        // A key stored on the Account page that Factory refuses: the bold "Sign in to Factory" in the tray
        // really fixes it, the icon turns green and requests go through with the sign-in.
        const auto restore = privateDataHome(QStringLiteral("data-storedkey"));
        m_fake->whoamiStatus = 401;
        Config c = baseConfig();
        c.workosBaseUrl = m_fake->url(QString());
        c.workosClientId = m_fake->workosClientId;
        const QString path = m_home.path() + QStringLiteral("/config-storedkey.json");
        QVERIFY(ConfigLoader::save(path, c).ok());
        AppController controller(path, ConfigLoader::loadFile(path).value(), Environment());
        controller.setUrlOpener([](const QUrl &) { return true; });
        TrayIcon tray(&controller);
        SettingsDialog settings(&controller);
        auto *account = settings.page<AccountPage>();
        settings.show();
        controller.start();
        QTRY_COMPARE(controller.problem(), AppController::Problem::NoCredentials);
        account->apiKey->setFocus();
        QTest::keyClicks(account->apiKey, QStringLiteral("fk-stored-refused-0123456789"));
        account->saveKey->click();
        QTRY_COMPARE(controller.problem(), AppController::Problem::KeyRejected);
        QCOMPARE(tray.currentIconPath(), TrayIcon::iconPath(AppController::State::SignInRequired));
        QVERIFY(tray.signInAction()->isVisible());
        QVERIFY(account->signIn->isEnabled());
        QSignalSpy finished(&controller, &AppController::signInFinished);
        tray.signInAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() == 1, 15000);
        QCOMPARE(finished.first().at(0).toString(), QString());
        QTRY_COMPARE(controller.state(), AppController::State::Running);
        QCOMPARE(controller.proxy()->auth()->source(), AuthManager::Source::RefreshToken);
        QCOMPARE(tray.currentIconPath(), TrayIcon::iconPath(AppController::State::Running));
        QVERIFY(!tray.signInAction()->isVisible());
        QVERIFY2(account->status->text().contains(QStringLiteral("Signed in to Factory")),
                 qPrintable(account->status->text()));
        QVERIFY(account->code->text().contains(QStringLiteral("connect your coding tools on the Clients page")));
        const RecordedCall rc = ask(controller);
        QCOMPARE(rc.status, 200);
        QVERIFY(!m_fake->received.last().header("authorization").contains("fk-stored-refused"));
        m_fake->whoamiStatus = 200;
    }

    void theStateFollowsWhatRequestsGet()
    {
        expectWarning(QStringLiteral("^Factory answered 401 to a request with the api_key credential$"), 1);
        // The key check at start got no clear answer (Factory's whoami failed), so the app says "Running"; then
        // Factory refuses a request with the key: the sign-in look at once, and back when one goes through.
        const auto restore = privateDataHome(QStringLiteral("data-follows"));
        m_fake->whoamiStatus = 503;
        const QString path = m_home.path() + QStringLiteral("/config-follows.json");
        QVERIFY(ConfigLoader::save(path, baseConfig()).ok());
        AppController controller(path, ConfigLoader::loadFile(path).value(), Environment());
        TrayIcon tray(&controller);
        StatusWindow status(&controller);
        SettingsDialog settings(&controller);
        auto *account = settings.page<AccountPage>();
        status.show();
        controller.start();
        QTRY_COMPARE(controller.problem(), AppController::Problem::NoCredentials);
        const QByteArray key = "fk-revoked-later-0123456789";
        account->apiKey->setFocus();
        QTest::keyClicks(account->apiKey, QString::fromLatin1(key));
        account->saveKey->click();
        QTRY_COMPARE(account->keyResult->text(), AccountPage::tr("API key saved."));
        QTRY_VERIFY(controller.proxy()->auth()->keyChecked()); // whoami answered 503: no clear answer
        QCOMPARE(m_fake->accountCalls.last().header("authorization"), "Bearer " + key);
        QCOMPARE(controller.state(), AppController::State::Running);
        QVERIFY(status.state()->text().contains(QStringLiteral("Running")));

        m_fake->rejectBearers.insert(key);
        QCOMPARE(ask(controller).status, 401);
        QTRY_COMPARE(controller.problem(), AppController::Problem::KeyRejected);
        QCOMPARE(controller.state(), AppController::State::SignInRequired);
        QCOMPARE(tray.currentIconPath(), TrayIcon::iconPath(AppController::State::SignInRequired));
        QVERIFY(tray.signInAction()->isVisible());
        QVERIFY(tray.lastNotification().contains(QStringLiteral("refused your API key")));
        QVERIFY(status.state()->text().contains(QStringLiteral("refused your API key")));
        QVERIFY(status.state()->text().contains(toneColor(Tone::Warning, status.palette()).name()));
        QVERIFY(status.fix()->isVisible());
        QVERIFY(account->status->text().contains(QStringLiteral("Factory refused this API key")));

        m_fake->rejectBearers.clear();
        QCOMPARE(ask(controller).status, 200);
        QTRY_COMPARE(controller.state(), AppController::State::Running);
        QCOMPARE(controller.problem(), AppController::Problem::None);
        QCOMPARE(tray.currentIconPath(), TrayIcon::iconPath(AppController::State::Running));
        QVERIFY(!tray.signInAction()->isVisible());
        QVERIFY(status.state()->text().contains(QStringLiteral("Running")));
        QVERIFY(account->status->text().contains(QStringLiteral("Using a stored Factory API key")));

        // A request the local access key refuses never reached Factory: it changes nothing.
        Config c = controller.config();
        c.accessKey = QStringLiteral("local-key-0123456789");
        QCOMPARE(controller.applyConfig(c), QString());
        QCOMPARE(ask(controller).status, 401);
        QCOMPARE(controller.state(), AppController::State::Running);
        m_fake->whoamiStatus = 200;
    }

    void settingsNeverLoseATrayChange()
    {
        // Settings dirty, then the tray switches reasoning: Apply writes only what the window changed.
        SettingsDialog d(m_controller.get());
        auto *general = d.page<GeneralPage>();
        general->logLevel->setCurrentIndex(general->logLevel->findData(QStringLiteral("warning")));
        QVERIFY(d.isDirty());
        QCOMPARE(m_controller->setReasoningDefault(ReasoningLevel::Low), QString());
        QCOMPARE(d.apply(), QString());
        const Config saved = ConfigLoader::loadFile(m_path).value();
        QCOMPARE(saved.reasoningDefault, ReasoningLevel::Low);
        QCOMPARE(saved.logLevel, QStringLiteral("warning"));
        QCOMPARE(m_controller->config().reasoningDefault, ReasoningLevel::Low);
        // And the page now shows it.
        QCOMPARE(d.page<ReasoningPage>()->level->currentData().toInt(), int(ReasoningLevel::Low));
    }

    void closingWithUnsavedChangesAsks()
    {
        // Close, Esc and the title bar behave alike: with unsaved changes they ask, without blocking; the window
        // goes (or stays) with the answer.
        SettingsDialog d(m_controller.get());
        d.show();
        auto *general = d.page<GeneralPage>();
        QVERIFY(d.close()); // nothing changed: no question
        QVERIFY(!openQuestion());
        d.show();
        general->logLevel->setCurrentIndex(general->logLevel->findData(QStringLiteral("debug")));
        QVERIFY(!d.close()); // title bar / close(): asked, the window stays until the answer
        QPointer<QMessageBox> box = openQuestion();
        QVERIFY(box);
        QCOMPARE(box->windowTitle(), SettingsDialog::tr("Unsaved changes"));
        QCOMPARE(box->text(), SettingsDialog::tr("Apply your changes before closing?"));
        QCOMPARE(box->standardButtons(), QMessageBox::Apply | QMessageBox::Discard | QMessageBox::Cancel);
        QCOMPARE(box->defaultButton(), box->button(QMessageBox::Apply));
        QCOMPARE(box->windowModality(), Qt::ApplicationModal); // as exec() showed it
        QVERIFY(!d.close()); // closing again while it is open: the same question, not a second one
        QCOMPARE(visibleBoxes(), 1);
        box->button(QMessageBox::Cancel)->click(); // Cancel keeps the window and the edit
        QVERIFY(!openQuestion());
        QVERIFY(d.isVisible());
        QCOMPARE(general->logLevel->currentData().toString(), QStringLiteral("debug"));
        QTest::keyClick(&d, Qt::Key_Escape); // Esc asks the same
        box = openQuestion();
        QVERIFY(box);
        QCOMPARE(box->windowTitle(), SettingsDialog::tr("Unsaved changes"));
        box->button(QMessageBox::Cancel)->click();
        QVERIFY(d.isVisible());
        d.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Close)->click(); // and Close
        box = openQuestion();
        QVERIFY(box);
        QVERIFY(d.isVisible());
        box->button(QMessageBox::Discard)->click();
        QVERIFY(!d.isVisible());
        QCOMPARE(ConfigLoader::loadFile(m_path).value().logLevel, QStringLiteral("info"));
        QCOMPARE(general->logLevel->currentData().toString(), QStringLiteral("info")); // the edit is gone
        d.show();
        general->logLevel->setCurrentIndex(general->logLevel->findData(QStringLiteral("debug")));
        QTest::keyClick(&d, Qt::Key_Escape);
        box = openQuestion();
        QVERIFY(box);
        QVERIFY(d.isVisible());
        box->button(QMessageBox::Apply)->click();
        QVERIFY(!d.isVisible());
        QCOMPARE(ConfigLoader::loadFile(m_path).value().logLevel, QStringLiteral("debug"));
        QTRY_VERIFY(!box); // answered boxes go
    }

    void invalidChangesAreNotOfferedApply()
    {
        // Closing with an edit that cannot be applied asks Discard or Cancel; Apply appears once it is valid.
        SettingsDialog d(m_controller.get());
        d.show();
        auto *general = d.page<GeneralPage>();
        general->host->setFocus();
        general->host->selectAll();
        QTest::keyClicks(general->host, QStringLiteral("not an address"));
        QTest::keyClick(&d, Qt::Key_Escape);
        QMessageBox *box = openQuestion();
        QVERIFY(box);
        QVERIFY(box->text().contains(d.validationMessage()));
        QCOMPARE(box->standardButtons(), QMessageBox::Discard | QMessageBox::Cancel);
        QCOMPARE(box->defaultButton(), box->button(QMessageBox::Cancel));
        QCOMPARE(d.closeButtonsOffered(), QMessageBox::Discard | QMessageBox::Cancel);
        box->button(QMessageBox::Cancel)->click();
        QVERIFY(d.isVisible());
        general->host->selectAll();
        QTest::keyClicks(general->host, QStringLiteral("127.0.0.1 "));
        QTest::keyClick(&d, Qt::Key_Escape);
        box = openQuestion();
        QVERIFY(box);
        QVERIFY(box->button(QMessageBox::Apply));
        QVERIFY(d.closeButtonsOffered() & QMessageBox::Apply);
        box->button(QMessageBox::Discard)->click();
        QVERIFY(!d.isVisible());
    }

    void requestsAreServedWhileAQuestionIsOpen()
    {
        // The proxy serves on the GUI thread: a question waiting for the user must not hold requests. With Sign
        // out's question open, then Settings' unsaved changes, a request through the proxy is answered, and each
        // question still does what its answer says afterwards.
        const auto restore = privateDataHome(QStringLiteral("data-question"));
        const QString path = m_home.path() + QStringLiteral("/config-question.json");
        QVERIFY(ConfigLoader::save(path, baseConfig()).ok());
        AppController controller(path, ConfigLoader::loadFile(path).value(), Environment());
        controller.start();
        SettingsDialog d(&controller);
        d.show();
        auto *account = d.page<AccountPage>();
        d.showPage(int(d.pages().indexOf(account)));
        bool stored = false; // a key of the app's own, which Sign out deletes (one from the environment cannot)
        controller.proxy()->auth()->setApiKey(QStringLiteral("fk-question-0123456789"), this,
                                              [&stored](const QString &err) { stored = err.isEmpty(); });
        QTRY_VERIFY(stored);
        QTRY_VERIFY(account->signOut->isEnabled());
        account->signOut->click();
        QPointer<QMessageBox> signOut = openQuestion();
        QVERIFY(signOut);
        QCOMPARE(signOut->windowTitle(), AccountPage::tr("Sign out"));
        QCOMPARE(signOut->defaultButton(), signOut->button(QMessageBox::Cancel));
        const int before = int(m_fake->received.size());
        RecordedCall answered = ask(controller);
        QCOMPARE(answered.status, 200);
        QCOMPARE(int(m_fake->received.size()), before + 1);
        QVERIFY(signOut && signOut->isVisible()); // still waiting for the user
        signOut->button(QMessageBox::Cancel)->click();
        QVERIFY(account->signOut->isEnabled()); // Cancel: still signed in
        QVERIFY(account->code->text() != AccountPage::tr("Signed out."));

        auto *general = d.page<GeneralPage>();
        general->logLevel->setCurrentIndex(general->logLevel->findData(QStringLiteral("debug")));
        QVERIFY(!d.close());
        QPointer<QMessageBox> unsaved = openQuestion();
        QVERIFY(unsaved);
        QCOMPARE(unsaved->windowTitle(), SettingsDialog::tr("Unsaved changes"));
        answered = ask(controller);
        QCOMPARE(answered.status, 200);
        QCOMPARE(int(m_fake->received.size()), before + 2);
        QVERIFY(unsaved && unsaved->isVisible());
        QVERIFY(d.isVisible());
        unsaved->button(QMessageBox::Discard)->click();
        QVERIFY(!d.isVisible());
        QCOMPARE(ConfigLoader::loadFile(path).value().logLevel, QStringLiteral("info"));

        // Sign out answered Yes signs out.
        d.show();
        account->signOut->click();
        signOut = openQuestion();
        QVERIFY(signOut);
        signOut->button(QMessageBox::Yes)->click();
        QTRY_COMPARE(account->code->text(), AccountPage::tr("Signed out."));
        QTRY_COMPARE(controller.problem(), AppController::Problem::NoCredentials);
    }

    void modelsTableIsSafeToScrollAndReads()
    {
        SettingsDialog d(m_controller.get());
        d.show();
        auto *models = d.page<ModelsPage>();
        d.showPage(2);
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        // The cells cannot be edited, so three notches of the wheel over a reasoning cell change nothing.
        const QModelIndex cell = models->models->index(0, ModelsPage::Reasoning);
        const QString before = cell.data().toString();
        QVERIFY(!(models->models->flags(cell) & Qt::ItemIsEditable));
        QVERIFY(!models->table->indexWidget(cell)); // no editor lives in a cell
        const QRect r = models->table->visualRect(cell);
        for (int i = 0; i < 3; ++i) {
            QWheelEvent wheel(r.center(), models->table->viewport()->mapToGlobal(r.center()), QPoint(), QPoint(0, -120),
                              Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
            QApplication::sendEvent(models->table->viewport(), &wheel);
        }
        QCOMPARE(models->models->index(0, ModelsPage::Reasoning).data().toString(), before);
        QVERIFY(!d.isDirty());
        // Types read as people name the APIs; the config's word is in the tooltip.
        QStringList names;
        for (int i = 0; i < models->typeBox->count(); ++i)
            names << models->typeBox->itemText(i);
        QCOMPARE(names, QStringList({ QStringLiteral("Anthropic Messages"), QStringLiteral("OpenAI Responses"),
                                      QStringLiteral("OpenAI Chat"), QStringLiteral("Gemini") }));
        QCOMPARE(models->typeBox->itemData(2, Qt::ToolTipRole).toString(), QStringLiteral("\"common\" in config.json"));
        // Tab leaves the table rather than walking its cells, on to the panel.
        QVERIFY(!models->table->tabKeyNavigation());
        // The panel offers the levels the selected model supports (its registry), not every level there is.
        models->selectRow(0);
        const ModelConfig first = models->models->at(0);
        for (int i = 0; i < models->levelBox->count(); ++i) {
            const auto level = ReasoningLevel(models->levelBox->itemData(i).toInt());
            QVERIFY(level == ReasoningLevel::Auto || level == first.reasoning || first.supports(level));
        }
        // Copy model id, from the right-click action and from the panel's button.
        models->selectRow(3);
        models->copyId->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), models->models->at(3).id);
        models->selectRow(4);
        models->copyButton->click();
        QCOMPARE(QGuiApplication::clipboard()->text(), models->models->at(4).id);
    }

    void theAppHasAnIconOfItsOwn()
    {
        // Windows, menus and installers show the app's icon, not the tray's "running" picture.
        auto bytes = [](const QString &path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        const QByteArray app = bytes(QStringLiteral(":/droid2api/icons/droid2api.svg"));
        QVERIFY(!app.isEmpty());
        for (AppController::State st : { AppController::State::Running, AppController::State::Stopped,
                                         AppController::State::SignInRequired, AppController::State::Error })
            QVERIFY(app != bytes(TrayIcon::iconPath(st)));
        SettingsDialog d(m_controller.get());
        QCOMPARE(d.windowIcon().pixmap(32).toImage(),
                 QIcon(QStringLiteral(":/droid2api/icons/droid2api.svg")).pixmap(32).toImage());
    }

    void coloursStayReadableOnDarkThemes()
    {
        // Error, warning and all-good colours against the window background: at least 4.5:1 (WCAG AA), in a
        // light and a dark palette.
        auto luminance = [](const QColor &c) {
            auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
        };
        auto contrast = [&](const QColor &a, const QColor &b) {
            const double la = luminance(a), lb = luminance(b);
            return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
        };
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x20, 0x20, 0x20));
        dark.setColor(QPalette::WindowText, Qt::white);
        QPalette light;
        light.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
        light.setColor(QPalette::WindowText, Qt::black);
        for (const QPalette &p : { light, dark })
            for (Tone t : { Tone::Error, Tone::Warning, Tone::Good })
                QVERIFY2(contrast(toneColor(t, p), p.color(QPalette::Window)) >= 4.5,
                         qPrintable(
                             QStringLiteral("%1 on %2").arg(toneColor(t, p).name(), p.color(QPalette::Window).name())));
        // The settings window picks the dark variant under a dark palette.
        SettingsDialog d(m_controller.get());
        d.setPalette(dark);
        d.page<GeneralPage>()->host->setText(QStringLiteral("not an address"));
        bool found = false;
        for (QLabel *l : d.findChildren<QLabel *>())
            if (l->text().contains(QStringLiteral("IP address"))
                && l->styleSheet().contains(toneColor(Tone::Error, dark).name()))
                found = true;
        QVERIFY(found);
    }

    void settingsFitASmallScreen()
    {
        // 1366x768 less a panel and the title bar: every page fits, scrolling where it must.
        SettingsDialog d(m_controller.get());
        for (int i = 0; i < d.pages().size(); ++i) {
            d.showPage(i);
            QVERIFY2(d.minimumSizeHint().width() <= 1366 && d.minimumSizeHint().height() <= 700,
                     qPrintable(QStringLiteral("%1: %2x%3")
                                    .arg(d.pages()[i]->title())
                                    .arg(d.minimumSizeHint().width())
                                    .arg(d.minimumSizeHint().height())));
        }
        QVERIFY(d.width() <= 1366 && d.height() <= 700);
    }

    void clientSnippetsShowTheAppliedKey()
    {
        // A key generated on General and applied: the Clients page shows what Connect would write.
        SettingsDialog d(m_controller.get());
        auto *general = d.page<GeneralPage>();
        const auto buttons = general->findChildren<QPushButton *>();
        for (QPushButton *b : buttons)
            if (b->text() == GeneralPage::tr("Generate"))
                b->click();
        const QString key = general->accessKey->text();
        QVERIFY(key.startsWith(QStringLiteral("d2a-")));
        QCOMPARE(d.apply(), QString());
        auto *clients = d.page<ClientsPage>();
        for (const QString &client : { QStringLiteral("Claude Code"), QStringLiteral("Codex"), QStringLiteral("Cursor"),
                                       QStringLiteral("Continue") })
            QVERIFY2(clients->snippet(client).contains(key), qPrintable(client));
    }

    void coreMessagesShowInTheUsersLanguage()
    {
        // Messages from core/ reach the window translated: a setup error (Clients), an import error (Account, next
        // to its button) and a config problem, all in zh_CN from the app's own embedded translation.
        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(":/i18n/droid2api_zh_CN.qm")));
        QCoreApplication::installTranslator(&zh);
        auto restore = qScopeGuard([&zh] { QCoreApplication::removeTranslator(&zh); });
        SettingsDialog d(m_controller.get());
        const QString undo = d.page<ClientsPage>()->connectClient(QStringLiteral("codex"), false, false);
        QVERIFY2(undo.contains(QStringLiteral("没有可撤销的内容")), qPrintable(undo));
        auto *account = d.page<AccountPage>();
        account->importDroid->click(); // this HOME has no droid CLI sign-in
        QTRY_VERIFY(!account->importResult->text().isEmpty());
        QVERIFY2(account->importResult->text().contains(QStringLiteral("尚未登录")),
                 qPrintable(account->importResult->text()));
        QVERIFY(account->code->text().isEmpty()); // not up in the sign-in box
        const auto bad = ConfigLoader::fromJson(R"({"port": "3000"})", QStringLiteral("config.json"));
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().message.contains(QStringLiteral("应为整数")), qPrintable(bad.error().message));
        // Every message of every context in the shipped translation is translated, core/ included.
        QFile ts(QStringLiteral(D2A_TEST_DATA_DIR "/../../translations/droid2api_zh_CN.ts"));
        QVERIFY(ts.open(QIODevice::ReadOnly));
        const QByteArray xml = ts.readAll();
        QVERIFY(xml.contains("<name>d2a::ConfigText</name>") && xml.contains("<name>d2a::AuthText</name>")
                && xml.contains("<name>d2a::SetupText</name>"));
        QCOMPARE(xml.count("type=\"unfinished\""), 0);
    }

    void dialogIconsAreCrisp()
    {
        // Message-box icons drawn for the screen's pixel ratio (Fusion's own are 32 px bitmaps, blurred at 2x):
        // each kind, and a real question of the app (Clients > Connect asks before writing a file).
        const qreal expectedRatio =
            qEnvironmentVariableIsSet("QT_SCALE_FACTOR") ? qEnvironmentVariable("QT_SCALE_FACTOR").toDouble() : 1.0;
        auto verifyCrisp = [expectedRatio](QMessageBox *box) {
            const auto *label = box->findChild<QLabel *>(QStringLiteral("qt_msgboxex_icon_label"));
            QVERIFY(label);
            const QPixmap p = label->pixmap();
            const int size = box->style()->pixelMetric(QStyle::PM_MessageBoxIconSize, nullptr, box);
            QCOMPARE(box->devicePixelRatioF(), expectedRatio);
            QCOMPARE(p.devicePixelRatio(), expectedRatio);
            QCOMPARE(p.width(), qRound(size * expectedRatio)); // as many pixels as the screen shows
        };
        for (const auto kind :
             { QMessageBox::Warning, QMessageBox::Critical, QMessageBox::Question, QMessageBox::Information }) {
            QMessageBox box(kind, QStringLiteral("droid2api"), QStringLiteral("text"), QMessageBox::Ok);
            dialogs::makeCrisp(box);
            box.show();
            verifyCrisp(&box);
            if (QTest::currentTestFailed())
                return;
        }
        SettingsDialog d(m_controller.get());
        auto *clients = d.page<ClientsPage>();
        QFile::remove(m_home.path() + QStringLiteral("/.claude/settings.json"));
        QCOMPARE(clients->connectClient(QStringLiteral("claude-code"), true, true), QString()); // asked
        QMessageBox *box = openQuestion();
        QVERIFY(box);
        verifyCrisp(box);
        box->button(QMessageBox::Cancel)->click();
        QCOMPARE(clients->result(QStringLiteral("claude-code"))->text(), ClientsPage::tr("Nothing changed."));
        QVERIFY(!QFile::exists(m_home.path() + QStringLiteral("/.claude/settings.json")));
        QVERIFY(!openQuestion());
    }

    void usageWindowShowsWhatWasRecorded()
    {
        // Rows over three days and two coding tools, and one real request through the proxy.
        UsageStore *store = m_controller->proxy()->usage();
        QVERIFY(store->isOpen());
        const QDateTime now = QDateTime::currentDateTime();
        auto row =
            [&](int daysAgo, const QString &model, const QString &client, qint64 in, qint64 out, double credits) {
            UsageRow r;
            r.atMs = now.addDays(-daysAgo).toMSecsSinceEpoch();
            r.model = model;
            r.client = client;
            r.backend = QStringLiteral("factory");
            r.tokens.input = in;
            r.tokens.output = out;
            r.tokens.known = true;
            r.credits = credits;
            store->record(r);
        };
        row(2, QStringLiteral("claude-opus-4-8"), QStringLiteral("Claude Code"), 1000, 200, 2400);
        row(1, QStringLiteral("gpt-5.5"), QStringLiteral("Codex"), 500, 100, 1200);
        HttpClient http;
        RecordedCall rc;
        QElapsedTimer clock;
        clock.start();
        startCall(http, rc, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/messages")),
                  R"({"model":"claude-sonnet-4-6","max_tokens":20,"messages":[{"role":"user","content":"hi"}]})",
                  { { "content-type", "application/json" }, { "user-agent", "claude-cli/2.1.3 (external, cli)" } },
                  clock);
        QTRY_VERIFY(rc.done());
        QCOMPARE(rc.status, 200);
        QTRY_VERIFY(m_controller->proxy()->planLimits().has_value()); // the desktop app reads the plan once signed in
        UsageWindow w(m_controller.get());
        w.resize(880, 640);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.refresh();
        QTRY_VERIFY(!w.waiting()); // the store answers from its own thread
        QCOMPARE(w.byModel->rowCount(), 4); // three models and the total
        QCOMPARE(w.byModel->item(3, 0)->text(), UsageWindow::tr("Total"));
        QCOMPARE(w.byModel->item(3, 1)->text(), QLocale().toString(3));
        QCOMPARE(w.byClient->item(0, 0)->text(), QStringLiteral("Claude Code")); // most credits first
        QCOMPARE(w.chart->series().first(), QStringLiteral("claude-opus-4-8"));
        QVERIFY2(w.summary->text().contains(QLocale().toString(3600 + 18 * 1.2, 'f', 0)),
                 qPrintable(w.summary->text()));
        QVERIFY2(w.plan->text().contains(QStringLiteral("81%")),
                 qPrintable(w.plan->text())); // the fake plan: 8.1 M of 10 M
        // The picture has bars in it: some pixels are neither the background nor the text colour.
        const QImage picture = w.chart->grab().toImage();
        int coloured = 0;
        for (int y = 0; y < picture.height(); y += 2)
            for (int x = 0; x < picture.width(); x += 2)
                coloured += picture.pixelColor(x, y) == QColor(0x1a73e8);
        QVERIFY(coloured > 50);
        // Credits instead of tokens; a range without usage.
        w.measure->setCurrentIndex(1);
        w.from->setDate(QDate(2020, 1, 1));
        w.to->setDate(QDate(2020, 1, 31));
        QTRY_VERIFY(!w.waiting());
        QCOMPARE(w.byModel->rowCount(), 1); // the total alone
        QVERIFY(w.chart->series().isEmpty());
        w.from->setDate(QDate::currentDate().addDays(-29));
        w.to->setDate(QDate::currentDate());
        // CSV export: per day, model and coding tool.
        const QString csv = m_home.path() + QStringLiteral("/usage.csv");
        QSignalSpy exported(&w, &UsageWindow::exported);
        w.exportCsv(csv);
        QVERIFY(exported.wait());
        QCOMPARE(exported.first().first().toString(), QString());
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.first(), QByteArray("group,key,requests,input_tokens,output_tokens,cache_read_tokens,cache_"
                                           "write_tokens,reasoning_tokens,credits"));
        QVERIFY(lines.contains(QByteArray("model,claude-opus-4-8,1,1000,200,0,0,0,2400.00")));
        QVERIFY(lines.contains(QByteArray("client,Codex,1,500,100,0,0,0,1200.00")));
        // The tray's tooltip and the status window tell today's credits.
        TrayIcon tray(m_controller.get());
        QVERIFY2(tray.icon()->toolTip().contains(QStringLiteral("today")), qPrintable(tray.icon()->toolTip()));
    }

    void planWarningsAt80And95Percent()
    {
        TrayIcon tray(m_controller.get()); // shows them as notifications
        QSignalSpy warned(m_controller.get(), &AppController::usageWarning);
        QSignalSpy read(m_controller->proxy(), &ProxyService::limitsChanged);
        m_fake->limitsBody = R"({"limits":{"standard":{"used":7000000,"limit":10000000}}})";
        m_controller->proxy()->refreshLimits();
        QTRY_VERIFY(read.count() >= 1);
        const int before = warned.count(); // the first reading at start (81%) may have warned already
        m_fake->limitsBody = R"({"limits":{"standard":{"used":9600000,"limit":10000000}}})";
        m_controller->proxy()->refreshLimits();
        QTRY_COMPARE(warned.count(), before + 1);
        QVERIFY2(warned.last().first().toString().contains(QStringLiteral("96%")),
                 qPrintable(warned.last().first().toString()));
        QCOMPARE(tray.lastNotification(), warned.last().first().toString());
        // Once per threshold and period: another reading above 95% says nothing new.
        const int reads = read.count();
        m_controller->proxy()->refreshLimits();
        QTRY_COMPARE(read.count(), reads + 1);
        QCOMPARE(warned.count(), before + 1);
    }

    void notificationsInARowAllReachTheUser()
    {
        expectWarning(QStringLiteral("^Port \\d+ is in use by another program, so droid2api is not serving\\. "), 1);
        // A system shows one balloon, and showMessage replaces it: two notifications in a row must both be read.
        TrayIcon tray(m_controller.get());
        QSignalSpy warned(m_controller.get(), &AppController::usageWarning);
        QSignalSpy read(m_controller->proxy(), &ProxyService::limitsChanged);
        m_fake->limitsBody = R"({"limits":{"standard":{"used":9700000,"limit":10000000}}})";
        m_controller->proxy()->refreshLimits();
        // (the reading at start, 81%, may warn first: the one at 97% is the one that counts here)
        QTRY_VERIFY(!warned.isEmpty() && warned.last().first().toString().contains(QStringLiteral("97%")));
        const QString warning = warned.last().first().toString();
        QCOMPARE(tray.shownNotification(), warning);
        tray.urlAction()->trigger(); // Copy: a second notification while the warning is up
        const QString copied = TrayIcon::tr("Copied %1").arg(m_controller->baseUrl());
        QCOMPARE(tray.lastNotification(), copied);
        QCOMPARE(tray.shownNotification(), copied + QStringLiteral("\n\n") + warning); // both, newest first
        // One about the same thing replaces the older: a second Copy is not shown twice.
        tray.urlAction()->trigger();
        QCOMPARE(tray.shownNotification(), copied + QStringLiteral("\n\n") + warning);
        // A problem that is fixed leaves the balloon with what comes next (the taken port, then a free one).
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        m_controller->stop();
        Config c = m_controller->config();
        c.port = blocker.serverPort();
        QCOMPARE(m_controller->applyConfig(c), QString());
        m_controller->start();
        QCOMPARE(m_controller->problem(), AppController::Problem::PortInUse);
        QVERIFY2(tray.shownNotification().startsWith(m_controller->stateMessage()),
                 qPrintable(tray.shownNotification()));
        QVERIFY(tray.shownNotification().contains(warning));
        tray.askUpdateTools = [](const QStringList &) { return false; };
        tray.freePortAction()->trigger();
        QCOMPARE(m_controller->state(), AppController::State::Running);
        QVERIFY2(tray.shownNotification().startsWith(
                     TrayIcon::tr("droid2api now serves on %1.").arg(m_controller->baseUrl())),
                 qPrintable(tray.shownNotification()));
        QVERIFY2(!tray.shownNotification().contains(QString::number(blocker.serverPort()) + u' '),
                 qPrintable(tray.shownNotification()));
        QVERIFY(tray.shownNotification().contains(warning)); // still within its 10 s
        // Stopped: "now serves on" no longer holds and leaves the balloon.
        const QString serving = TrayIcon::tr("droid2api now serves on %1.").arg(m_controller->baseUrl());
        QVERIFY(tray.shownNotification().contains(serving));
        tray.toggleAction()->trigger();
        QVERIFY(!m_controller->isRunning());
        QVERIFY2(!tray.shownNotification().contains(serving), qPrintable(tray.shownNotification()));
        QVERIFY(tray.shownNotification().contains(warning));
    }

    void usageWindowTellsFailuresRulesAndAnEmptyAxis()
    {
        // Real requests: one answered, one Factory refuses (400), one chosen by a routing rule.
        m_fake->failModels = { QStringLiteral("gpt-5.5") };
        m_fake->failStatus = 400;
        HttpClient http;
        auto ask = [&](const QByteArray &body) {
            RecordedCall rc;
            startCall(http, rc, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/messages")), body,
                      { { "content-type", "application/json" } }, m_clock);
            return QTest::qWaitFor([&] { return rc.done(); }, 10000) ? rc.status : -1;
        };
        QCOMPARE(ask(R"({"model":"claude-sonnet-4-6","max_tokens":20,"messages":[{"role":"user","content":"hi"}]})"),
                 200);
        QCOMPARE(ask(R"({"model":"gpt-5.5","max_tokens":20,"messages":[{"role":"user","content":"hi"}]})"), 400);
        TrayIcon tray(m_controller.get());
        tray.routingAction(QStringLiteral("Think harder"))->trigger();
        QCOMPARE(ask(R"({"model":"claude-opus-4-6","max_tokens":100,"messages":[{"role":"user","content":"hi"}],)"
                     R"("thinking":{"type":"adaptive"}})"),
                 200);
        UsageWindow w(m_controller.get());
        w.resize(880, 640);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY(!w.waiting());
        // The failed request is not counted as answered: its own column, in the error colour, and a line saying so.
        auto rowOf = [](QTableWidget *t, const QString &key) {
            for (int r = 0; r < t->rowCount(); ++r)
                if (t->item(r, 0)->text() == key)
                    return r;
            return -1;
        };
        const int gpt = rowOf(w.byModel, QStringLiteral("gpt-5.5"));
        QVERIFY(gpt >= 0);
        QCOMPARE(w.byModel->horizontalHeaderItem(2)->text(), UsageWindow::tr("Failed"));
        QCOMPARE(w.byModel->item(gpt, 1)->text(), QLocale().toString(0));
        QCOMPARE(w.byModel->item(gpt, 2)->text(), QLocale().toString(1));
        QCOMPARE(w.byModel->item(gpt, 2)->foreground().color(), toneColor(Tone::Error, w.palette()));
        const int total = w.byModel->rowCount() - 1;
        QCOMPARE(w.byModel->item(total, 1)->text(), QLocale().toString(2));
        QCOMPARE(w.byModel->item(total, 2)->text(), QLocale().toString(1));
        const int sonnet = rowOf(w.byModel, QStringLiteral("claude-sonnet-4-6"));
        QVERIFY(sonnet >= 0);
        QCOMPARE(w.byModel->item(sonnet, 2)->foreground().style(), Qt::NoBrush); // no colour where nothing failed
        QVERIFY(w.failed->isVisible());
        QVERIFY2(w.failed->text().startsWith(QStringLiteral("1 of these days' 3 requests failed")),
                 qPrintable(w.failed->text()));
        QVERIFY(w.failed->styleSheet().contains(toneColor(Tone::Error, w.palette()).name()));
        // Grouped by routing rule: the rule that chose a model, and the requests no rule chose.
        auto *tabs = w.findChild<QTabWidget *>();
        QVERIFY(tabs);
        QTest::keyClick(&w, Qt::Key_R, Qt::AltModifier); // the tab's mnemonic, as a user reaches it
        QCOMPARE(tabs->currentWidget(), w.byRule);
        QCOMPARE(w.byRule->horizontalHeaderItem(0)->text(), UsageWindow::tr("Routing rule"));
        const int rule = rowOf(w.byRule, QStringLiteral("Think harder / Thinking turns"));
        QVERIFY(rule >= 0);
        QCOMPARE(w.byRule->item(rule, 1)->text(), QLocale().toString(1));
        const int none = rowOf(w.byRule, UsageWindow::tr("None (the model asked for)"));
        QVERIFY(none >= 0);
        QCOMPARE(w.byRule->item(none, 1)->text(), QLocale().toString(1));
        QCOMPARE(w.byRule->item(none, 2)->text(), QLocale().toString(1));
        QCOMPARE(w.byRule->rowCount(), 3); // the rule, none, the total
        // The axis: round steps from 0 that hold the largest day; and a sane one for a range with no usage.
        QStringList labels = w.chart->axisLabels();
        QCOMPARE(labels.first(), QLocale().toString(0));
        QCOMPARE(labels.size(), 3);
        QVERIFY(!labels.join(u' ').contains(QStringLiteral("nan"), Qt::CaseInsensitive));
        QVERIFY(labels.at(1) != labels.at(0) && labels.at(2) != labels.at(1));
        w.from->setDate(QDate(2020, 1, 1));
        w.to->setDate(QDate(2020, 1, 1)); // one empty day
        QTRY_VERIFY(!w.waiting());
        QVERIFY(w.chart->series().isEmpty());
        QVERIFY(!w.failed->isVisible());
        QCOMPARE(w.chart->axisLabels(),
                 QStringList({ QLocale().toString(0), QLocale().toString(1), QLocale().toString(2) }));
        w.measure->setCurrentIndex(1); // credits alike
        QTRY_VERIFY(!w.waiting());
        QCOMPARE(w.chart->axisLabels(),
                 QStringList({ QLocale().toString(0), QLocale().toString(1), QLocale().toString(2) }));
    }

    void placeholdersAreDimmerThanTextInTheDark()
    {
        // A dark style such as Adwaita-Dark gives placeholders the text's own colour, so a hint read as a value.
        DesktopApp desktop(m_controller.get());
        const QPalette before = QApplication::palette();
        auto restore = qScopeGuard([&] { QApplication::setPalette(before); });
        QPalette dark = before;
        for (QPalette::ColorGroup g : { QPalette::Active, QPalette::Inactive, QPalette::Disabled }) {
            dark.setColor(g, QPalette::Window, QColor(0x35, 0x35, 0x35));
            dark.setColor(g, QPalette::WindowText, QColor(0xee, 0xee, 0xec));
            dark.setColor(g, QPalette::Base, QColor(0x2d, 0x2d, 0x2d));
            dark.setColor(g, QPalette::Text, QColor(0xee, 0xee, 0xec));
            dark.setColor(g, QPalette::PlaceholderText, QColor(0xee, 0xee, 0xec)); // as Adwaita-Dark has it
        }
        QApplication::setPalette(dark);
        SettingsDialog *d = desktop.settings();
        d->show();
        d->showPage(0);
        QLineEdit *key = d->page<GeneralPage>()->accessKey;
        key->setEchoMode(QLineEdit::Normal);
        key->clear();
        QVERIFY(!key->placeholderText().isEmpty());
        QVERIFY(QTest::qWaitForWindowExposed(d));
        const QPalette used = key->palette();
        QCOMPARE(used.color(QPalette::Text), QColor(0xee, 0xee, 0xec)); // the theme's colours otherwise kept
        QCOMPARE(used.color(QPalette::Base), QColor(0x2d, 0x2d, 0x2d));
        // What is drawn: the brightest glyph pixel of the hint is dimmer than that of the same words as text.
        auto brightest = [](const QImage &image) {
            int most = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width() / 2; ++x)
                    most = qMax(most, image.pixelColor(x, y).lightness());
            return most;
        };
        auto inner = [&] { return key->grab(key->rect().adjusted(4, 4, -4, -4)).toImage(); };
        const int hint = brightest(inner());
        key->setText(key->placeholderText());
        const int text = brightest(inner());
        QVERIFY2(hint < text - 40, qPrintable(QStringLiteral("hint %1, text %2").arg(hint).arg(text)));
        QVERIFY2(hint > QColor(0x2d, 0x2d, 0x2d).lightness() + 60, "the hint must still read");
        // The rule holds in light palettes too, and after the theme changes again.
        QApplication::setPalette(before);
        const QPalette light = QApplication::palette();
        QVERIFY(light.color(QPalette::PlaceholderText) != light.color(QPalette::Text));
        QVERIFY(light.color(QPalette::PlaceholderText).alpha() == 255);
    }

    void everyModelsColumnFitsAtTheDefaultSize()
    {
        SettingsDialog d(m_controller.get());
        d.show();
        d.showPage(2);
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        auto *models = d.page<ModelsPage>();
        QHeaderView *header = models->table->horizontalHeader();
        const int width = models->table->viewport()->width();
        for (int c = 0; c < ModelsPage::ColumnCount; ++c) {
            // Each column whole in the viewport, no scrolling, and its header text not cut.
            const int left = header->sectionViewportPosition(c);
            const int right = left + header->sectionSize(c);
            QVERIFY2(left >= 0 && right <= width,
                     qPrintable(QStringLiteral("column %1 at %2..%3 of %4").arg(c).arg(left).arg(right).arg(width)));
            const QString title = models->models->headerData(c, Qt::Horizontal).toString();
            QVERIFY2(header->sectionSize(c) >= header->fontMetrics().horizontalAdvance(title), qPrintable(title));
        }
        QVERIFY(!models->table->horizontalScrollBar()->isVisible());
        const QRect fast = models->table->visualRect(models->models->index(0, ModelsPage::Fast));
        QVERIFY(models->table->viewport()->rect().contains(fast));
    }

    void accountPageNeverShowsSecrets()
    {
        SettingsDialog d(m_controller.get());
        auto *account = d.page<AccountPage>();
        QTRY_VERIFY(account->status->text().contains(QStringLiteral("FACTORY_API_KEY")));
        QVERIFY(!account->status->text().contains(QStringLiteral("fk-gui-test")));
        account->apiKey->setText(QStringLiteral("fk-typed-into-the-window-123456"));
        account->findChildren<QPushButton *>().first(); // the page exists and is wired
        const auto buttons = account->findChildren<QPushButton *>();
        QPushButton *save = nullptr;
        for (QPushButton *b : buttons)
            if (b->text() == AccountPage::tr("Save")) {
                save = b;
                break;
            }
        QVERIFY(save);
        save->click();
        QVERIFY(account->apiKey->text().isEmpty()); // never shown back
        QTRY_VERIFY(account->keyResult->text().contains(QStringLiteral("saved"))); // next to the key, not up at sign-in
        QFile cfg(m_path);
        QVERIFY(cfg.open(QIODevice::ReadOnly));
        QVERIFY(!cfg.readAll().contains("fk-typed-into-the-window")); // secrets never go to the config file
    }

    void clientsPageUsesLiveUrlAndKey()
    {
        Config c = m_controller->config();
        c.accessKey = QStringLiteral("d2a-clientkey-123456789");
        QCOMPARE(m_controller->applyConfig(c), QString());
        SettingsDialog d(m_controller.get());
        auto *clients = d.page<ClientsPage>();
        clients->load(m_controller->config());
        const QString claude = clients->snippet(QStringLiteral("Claude Code"));
        QVERIFY(claude.contains(QStringLiteral("ANTHROPIC_BASE_URL=") + m_controller->baseUrl()));
        QVERIFY(claude.contains(QStringLiteral("d2a-clientkey-123456789")));
        QVERIFY(clients->snippet(QStringLiteral("Codex")).contains(m_controller->baseUrl() + QStringLiteral("/v1")));
    }

    void probeReportsEachHop()
    {
        expectWarning(
            QStringLiteral("^POST /v1/messages/count_tokens model=\\S+ status=503 .*: fake upstream failure$"), 1);
        auto probe = [&](const QString &key) {
            QList<AppController::ProbeHop> hops;
            bool done = false;
            m_controller->probe(m_controller->baseUrl(), key, this, [&](const QList<AppController::ProbeHop> &h) {
                hops = h;
                done = true;
            });
            if (!QTest::qWaitFor([&] { return done; }, 20000))
                return QList<AppController::ProbeHop>();
            return hops;
        };
        QTRY_COMPARE(m_controller->authState(), QStringLiteral("ready"));
        const int before = int(m_fake->received.size());
        auto hops = probe(QStringLiteral("droid2api"));
        QCOMPARE(hops.size(), 3);
        QVERIFY(hops[0].ok && hops[1].ok && hops[2].ok);
        QCOMPARE(int(m_fake->received.size()), before + 1); // exactly one request reached the upstream: the count
        QVERIFY(m_fake->received.last().path.endsWith("/count_tokens"));
        // The upstream fails: the last hop says how.
        for (const ModelConfig &m : m_controller->config().models)
            if (m.type == ModelType::Anthropic)
                m_fake->failModels.insert(m.id);
        hops = probe(QStringLiteral("droid2api"));
        m_fake->failModels.clear();
        QCOMPARE(hops.size(), 3);
        QVERIFY(!hops[2].ok);
        QVERIFY2(hops[2].detail.contains(QStringLiteral("503")), qPrintable(hops[2].detail));
        // An access key the client does not have: the first hop says so, nothing goes further.
        Config c = m_controller->config();
        c.accessKey = QStringLiteral("d2a-probe-key-123456789");
        QCOMPARE(m_controller->applyConfig(c), QString());
        hops = probe(QStringLiteral("droid2api"));
        QCOMPARE(hops.size(), 1);
        QVERIFY(!hops[0].ok);
        QVERIFY(hops[0].detail.contains(QStringLiteral("access key")));
        // Not listening: the first hop says nothing answers.
        m_controller->stop();
        hops = probe(QStringLiteral("d2a-probe-key-123456789"));
        QCOMPARE(hops.size(), 1);
        QVERIFY(hops[0].detail.contains(QStringLiteral("running")));
    }

    void clientsPageConnectsAndDisconnects()
    {
        SettingsDialog d(m_controller.get());
        auto *clients = d.page<ClientsPage>();
        const QString path = m_home.path() + QStringLiteral("/.claude/settings.json");
        QFile::remove(path);
        QSignalSpy probed(clients, &ClientsPage::probed);
        clients->connectClient(QStringLiteral("claude-code"), true, false);
        QTRY_COMPARE(probed.count(), 1);
        QCOMPARE(probed.first().first().toBool(), true); // a real request through the proxy with the client's key
        QVERIFY2(
            clients->result(QStringLiteral("claude-code"))->text().contains(QStringLiteral("\u2713 Factory answered")),
            qPrintable(clients->result(QStringLiteral("claude-code"))->text()));
        QVERIFY(m_fake->received.last().path.endsWith("/count_tokens")); // through to the upstream
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(f.readAll())
                     .object()
                     .value(QStringLiteral("env"))
                     .toObject()
                     .value(QStringLiteral("ANTHROPIC_BASE_URL"))
                     .toString(),
                 m_controller->baseUrl());
        f.close();
        QVERIFY(
            clients->connectClient(QStringLiteral("claude-code"), false, false).contains(QStringLiteral("removed")));
        QVERIFY(!QFile::exists(path));
        QVERIFY(
            clients->connectClient(QStringLiteral("codex"), false, false).contains(QStringLiteral("nothing to undo")));
    }

    void windowsOpenOnTheScreen()
    {
        // Every window opens whole on the screen, centred in its available area (1280x800 and 1366x768 in the
        // tst_gui_1280x800 and tst_gui_1366x768 runs, 800x600 in the plain offscreen one), however large it
        // asks to be.
        DesktopApp desktop(m_controller.get());
        const QRect available = QGuiApplication::primaryScreen()->availableGeometry();
        const QList<QPair<QWidget *, std::function<void()>>> windows {
            { desktop.activity(), [&] { desktop.showActivity(); } },
            { desktop.usage(), [&] { desktop.showUsage(); } },
            { desktop.status(), [&] { desktop.showStatus(); } },
            { desktop.settings(), [&] { desktop.showSettings(); } },
        };
        for (const auto &[window, show] : windows) {
            window->hide();
            show();
            QVERIFY(window->isVisible());
            const QRect outer = window->frameGeometry();
            QVERIFY2(available.contains(outer), qPrintable(QStringLiteral("%1 at %2,%3 %4x%5 on %6x%7")
                                                               .arg(window->windowTitle())
                                                               .arg(outer.x())
                                                               .arg(outer.y())
                                                               .arg(outer.width())
                                                               .arg(outer.height())
                                                               .arg(available.width())
                                                               .arg(available.height())));
            // Centred (give or take the room kept for a title bar the platform may not draw).
            QVERIFY(qAbs(outer.center().x() - available.center().x()) <= 20);
            QVERIFY(qAbs(outer.center().y() - available.center().y()) <= 20);
            window->hide();
        }
    }

    void activityLogReadsFromItsFirstColumn()
    {
        // Long lines wrap instead of scrolling the pane sideways (which cut every timestamp off); warnings and
        // errors are in their colours; the requests table gets most of the height.
        ActivityWindow w(m_controller.get());
        w.resize(900, 600);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QString longLine = QStringLiteral("2026-11-29T15:04:05.123+01:00 info droid2api: ") + QString(400, u'x');
        w.addLogLine(QtInfoMsg, longLine);
        w.addLogLine(QtWarningMsg, QStringLiteral("2026-11-29T15:04:06.000+01:00 warning droid2api: a warning"));
        w.addLogLine(QtCriticalMsg, QStringLiteral("2026-11-29T15:04:07.000+01:00 critical droid2api: an error"));
        w.flush();
        QCOMPARE(w.log()->horizontalScrollBar()->value(), 0);
        QVERIFY(!w.log()->horizontalScrollBar()->isVisible());
        QCOMPARE(w.log()->lineWrapMode(), QPlainTextEdit::WidgetWidth);
        auto colourOf = [&](const QString &text) {
            const QTextBlock block = w.log()->document()->find(text).block();
            return block.begin().fragment().charFormat().foreground().color();
        };
        QCOMPARE(colourOf(QStringLiteral("a warning")), toneColor(Tone::Warning, w.log()->palette()));
        QCOMPARE(colourOf(QStringLiteral("an error")), toneColor(Tone::Error, w.log()->palette()));
        QVERIFY(colourOf(QStringLiteral("xxxx")) != toneColor(Tone::Warning, w.log()->palette()));
        QVERIFY2(w.requests()->height() > w.log()->height(),
                 qPrintable(QStringLiteral("%1 vs %2").arg(w.requests()->height()).arg(w.log()->height())));
        // The filter redraws with the same colours.
        w.levelFilter()->setCurrentIndex(2);
        QCOMPARE(colourOf(QStringLiteral("a warning")), toneColor(Tone::Warning, w.log()->palette()));
        QVERIFY(!w.log()->toPlainText().contains(QStringLiteral("xxxx")));
    }

    void connectSaysItsResultBesideItsButton()
    {
        // Connect's result appears in the tool's own box, right under its buttons; each tool says whether it is
        // connected (with Update when it points elsewhere); the Codex snippet is what Connect writes.
        QFile::remove(m_home.path() + QStringLiteral("/.codex/config.toml"));
        SettingsDialog d(m_controller.get());
        auto *clients = d.page<ClientsPage>();
        d.showPage(int(d.pages().indexOf(clients)));
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QCOMPARE(clients->linkState(QStringLiteral("codex"))->text(), ClientsPage::tr("Not connected."));
        QVERIFY(!clients->updateButton(QStringLiteral("codex"))->isVisible());
        QStringList asked;
        clients->confirmOverride = [&](const QString &path, const QString &) {
            asked << path;
            return true;
        };
        QSignalSpy probed(clients, &ClientsPage::probed);
        QTest::mouseClick(clients->connectButton(QStringLiteral("codex")), Qt::LeftButton);
        QCOMPARE(asked.size(), 1);
        QLabel *result = clients->result(QStringLiteral("codex"));
        QVERIFY(result->isVisible());
        QCOMPARE(result->parentWidget(), clients->connectButton(QStringLiteral("codex"))->parentWidget());
        QTRY_VERIFY_WITH_TIMEOUT(probed.size() == 1, 20000);
        QVERIFY2(result->text().contains(QStringLiteral("\u2713 Factory answered")), qPrintable(result->text()));
        QVERIFY2(result->text().contains(QStringLiteral("Codex will work through droid2api.")),
                 qPrintable(result->text()));
        QCOMPARE(clients->linkState(QStringLiteral("codex"))->text(), ClientsPage::tr("Connected to this droid2api."));
        QFile written(m_home.path() + QStringLiteral("/.codex/config.toml"));
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QString file = QString::fromUtf8(written.readAll()).trimmed();
        QCOMPARE(clients->snippet(QStringLiteral("Codex")), QStringLiteral("# ~/.codex/config.toml\n") + file);
        // Another port: the box says so and Update rewrites it.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 newPort = probe.serverPort();
        probe.close();
        Config c = m_controller->config();
        c.port = newPort;
        QCOMPARE(m_controller->applyConfig(c), QString());
        QVERIFY(clients->linkState(QStringLiteral("codex"))->text().contains(QStringLiteral("another address")));
        QVERIFY(clients->updateButton(QStringLiteral("codex"))->isVisible());
        QTest::mouseClick(clients->updateButton(QStringLiteral("codex")), Qt::LeftButton);
        QCOMPARE(clients->linkState(QStringLiteral("codex"))->text(), ClientsPage::tr("Connected to this droid2api."));
        QVERIFY(!clients->updateButton(QStringLiteral("codex"))->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(probed.size() == 2, 20000);
        disconnectTool(QStringLiteral("codex"));
    }

    void smallThingsRead()
    {
        // The Usage window is named and drawn like the others; redirects are listed by requested id; the Account
        // heading says what the button does; a Copy button says it copied.
        DesktopApp desktop(m_controller.get());
        desktop.showUsage();
        QCOMPARE(desktop.usage()->windowTitle(), UsageWindow::tr("droid2api Usage"));
        QVERIFY(!desktop.usage()->windowIcon().isNull());
        Config c = m_controller->config();
        c.modelRedirects = { { QStringLiteral("zeta-model"), QStringLiteral("glm-5.2") },
                             { QStringLiteral("alpha-model"), QStringLiteral("glm-5.2") },
                             { QStringLiteral("Mid-model"), QStringLiteral("glm-5.2") } };
        QCOMPARE(m_controller->applyConfig(c), QString());
        SettingsDialog d(m_controller.get());
        auto *models = d.page<ModelsPage>();
        QCOMPARE(models->redirects->rowCount(), 3);
        QStringList listed;
        for (int r = 0; r < 3; ++r)
            listed << models->redirects->item(r, 0)->text();
        QCOMPARE(listed, (QStringList { QStringLiteral("alpha-model"), QStringLiteral("Mid-model"),
                                        QStringLiteral("zeta-model") }));
        bool heading = false;
        for (const QGroupBox *box : d.page<AccountPage>()->findChildren<QGroupBox *>())
            heading = heading || box->title() == AccountPage::tr("Sign in with your browser");
        QVERIFY(heading);
        auto *clients = d.page<ClientsPage>();
        d.showPage(int(d.pages().indexOf(clients)));
        d.show();
        QPushButton *copy = nullptr;
        for (QPushButton *b : clients->findChildren<QPushButton *>())
            if (b->text() == ClientsPage::tr("Copy") && b->parentWidget()->findChild<QPlainTextEdit *>()
                && b->parentWidget()->findChild<QPlainTextEdit *>()->toPlainText()
                       == clients->snippet(QStringLiteral("Cursor")))
                copy = b;
        QVERIFY(copy);
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), clients->snippet(QStringLiteral("Cursor")));
        QCOMPARE(copy->text(), ClientsPage::tr("Copied"));
        // Every snippet shows whole, without scrolling up and down.
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        for (QPlainTextEdit *text : clients->findChildren<QPlainTextEdit *>())
            QVERIFY2(text->verticalScrollBar()->maximum() == 0, qPrintable(text->toPlainText().left(40)));
    }

    void activityShowsRequestsAndFilteredLog()
    {
        ActivityWindow w(m_controller.get());
        HttpClient http;
        RecordedCall rc;
        startCall(http, rc, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/chat/completions")),
                  R"({"model":"glm-5.2","messages":[]})", {}, m_clock);
        QTRY_VERIFY(rc.done());
        ActivityModel *model = w.requestModel();
        QTRY_COMPARE(model->rowCount(), 1); // the next batch
        QCOMPARE(model->index(0, ActivityModel::Model).data().toString(), QStringLiteral("glm-5.2"));
        QCOMPARE(model->index(0, ActivityModel::Status).data().toInt(), 200);
        QTRY_VERIFY(w.log()->toPlainText().contains(QStringLiteral("/v1/chat/completions")));
        QVERIFY(!w.log()->toPlainText().contains(QStringLiteral("fk-gui-test-0123456789")));
        w.levelFilter()->setCurrentIndex(2); // errors only
        QVERIFY(!w.log()->toPlainText().contains(QStringLiteral("/v1/chat/completions")));
        for (int i = 0; i < ActivityWindow::kMaxRequests + 20; ++i)
            w.addRequest(RequestRecord());
        QCOMPARE(model->rowCount(), 1); // nothing shown before the batch
        w.flush();
        QCOMPARE(model->rowCount(), ActivityWindow::kMaxRequests); // bounded
        w.addRequest(RequestRecord());
        w.flush();
        QCOMPARE(model->rowCount(), ActivityWindow::kMaxRequests);
    }

    void activityExplainsErrors()
    {
        expectWarning(QStringLiteral("^POST /v1/messages model=\\S+ status=503 .*: fake upstream failure$"), 1);
        // An unknown model and an upstream failure: coloured rows, the message, the model as asked, the
        // backend, sizes with units, and upstream failures in "Errors only".
        ActivityWindow w(m_controller.get());
        w.show();
        HttpClient http;
        RecordedCall unknown;
        startCall(http, unknown, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/chat/completions")),
                  R"({"model":"no-such-model","messages":[]})", {}, m_clock);
        QTRY_VERIFY(unknown.done());
        QCOMPARE(unknown.status, 404);
        m_fake->failModels.insert(QStringLiteral("claude-opus-4-6"));
        RecordedCall failed;
        startCall(http, failed, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/messages")),
                  R"({"model":"claude-opus-4-6","max_tokens":5,"messages":[{"role":"user","content":"x"}]})", {},
                  m_clock);
        QTRY_VERIFY_WITH_TIMEOUT(failed.done(), 20000);
        m_fake->failModels.clear();
        QCOMPARE(failed.status, 503);
        ActivityModel *model = w.requestModel();
        QTRY_COMPARE(model->rowCount(), 2);
        // Newest first: the upstream failure, then the unknown model.
        QCOMPARE(model->index(1, ActivityModel::Model).data().toString(), QStringLiteral("no-such-model"));
        QCOMPARE(model->index(1, ActivityModel::Backend).data().toString(), QStringLiteral("-"));
        QVERIFY(model->index(1, ActivityModel::Route)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("not configured")));
        QCOMPARE(model->index(0, ActivityModel::Backend).data().toString(), QStringLiteral("factory"));
        const QColor red = model->index(0, ActivityModel::Status).data(Qt::ForegroundRole).value<QBrush>().color();
        QCOMPARE(red, toneColor(Tone::Error));
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9.]+ (bytes|kB|MB)$"))
                    .match(model->index(0, ActivityModel::In).data().toString())
                    .hasMatch());
        w.requests()->setCurrentIndex(model->index(0, 0));
        const QString details = w.details()->toPlainText();
        QVERIFY2(details.contains(QStringLiteral("Model asked for: claude-opus-4-6")), qPrintable(details));
        QVERIFY(details.contains(QStringLiteral("Backend: factory")));
        QVERIFY(details.contains(QStringLiteral("Status: 503")));
        QVERIFY(details.contains(QStringLiteral("Error: ")));
        QVERIFY(!details.contains(QStringLiteral("fk-gui-test")));
        w.levelFilter()->setCurrentIndex(2); // errors only
        QTRY_VERIFY(w.log()->toPlainText().contains(QStringLiteral("status=503")));
        QVERIFY(!w.log()->toPlainText().contains(
            QStringLiteral("status=404"))); // the client's mistake is not an error of ours
    }

    void refusedModelIsToldInTrayAndActivity()
    {
        expectWarning(QStringLiteral("^Factory refused model glm-4\\.7 \\(HTTP 404: "), 1);
        // Factory refuses glm-4.7: its replacement answers, the tray says so once with what to do, and the
        // Activity row's details name both models and Factory's words.
        TrayIcon tray(m_controller.get());
        ActivityWindow w(m_controller.get());
        QSignalSpy replaced(m_controller.get(), &AppController::modelReplaced);
        m_fake->failModels.insert(QStringLiteral("glm-4.7"));
        m_fake->failStatus = 404;
        m_fake->failBody =
            R"({"error":{"message":"The model `glm-4.7` does not exist","type":"invalid_request_error"}})";
        HttpClient http;
        RecordedCall rc;
        startCall(http, rc, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/chat/completions")),
                  R"({"model":"glm-4.7","messages":[{"role":"user","content":"x"}]})", {}, m_clock);
        QTRY_VERIFY(rc.done());
        m_fake->failModels.clear();
        m_fake->failBody.clear();
        m_fake->failStatus = 503;
        QCOMPARE(rc.status, 200);
        QCOMPARE(replaced.count(), 1);
        QCOMPARE(tray.lastNotification(),
                 QStringLiteral(
                     "glm-4.7 is no longer served by Factory; requests now go to glm-5.2: change it in Settings"));
        ActivityModel *model = w.requestModel();
        QTRY_COMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, ActivityModel::Model).data().toString(), QStringLiteral("glm-4.7 → glm-5.2"));
        w.requests()->setCurrentIndex(model->index(0, 0));
        const QString details = w.details()->toPlainText();
        QVERIFY2(details.contains(QStringLiteral("Model asked for: glm-4.7")), qPrintable(details));
        QVERIFY2(
            details.contains(QStringLiteral("Factory refused glm-4.7 (HTTP 404: The model `glm-4.7` does not exist); "
                                            "glm-5.2 answered")),
            qPrintable(details));
    }

    void statusWindowTellsAndFixes()
    {
        expectWarning(QStringLiteral("^POST /v1/chat/completions model=\\S+ status=503 .*: fake upstream failure$"), 1);
        StatusWindow w(m_controller.get());
        w.show();
        QVERIFY(w.state()->text().contains(QStringLiteral("Running")));
        QVERIFY(
            w.state()->text().contains(toneColor(Tone::Good, w.palette()).name())); // green only when requests can work
        QCOMPARE(w.address()->text(), m_controller->baseUrl());
        QCOMPARE(w.openAiAddress()->text(), m_controller->baseUrl() + QStringLiteral("/v1"));
        QVERIFY(!w.fix()->isVisible());
        QTRY_COMPARE(w.account()->text(),
                     QStringLiteral("Factory, with the FACTORY_API_KEY variable")); // once the key is checked
        QVERIFY(w.errors()->text().contains(QStringLiteral("None")));
        QVERIFY2(w.tools()->text().contains(QStringLiteral("Claude Code: not connected")),
                 qPrintable(w.tools()->text()));
        QVERIFY(!w.tools()->text().contains(QStringLiteral("cannot be read")));
        // Claude Code connected for today's address, then the port changes: the window says so and updates it.
        QCOMPARE(m_controller->updateTool(QStringLiteral("claude-code")), QString());
        w.refresh();
        QVERIFY2(w.tools()->text().contains(QStringLiteral("Claude Code: connected")), qPrintable(w.tools()->text()));
        QVERIFY(!w.updateButton(QStringLiteral("claude-code")));
        QVERIFY(w.tools()->text().contains(QStringLiteral("Codex: "))); // connected or not, depending on earlier tests
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 newPort = probe.serverPort();
        probe.close();
        Config c = m_controller->config();
        c.port = newPort;
        QCOMPARE(m_controller->applyConfig(c), QString());
        QVERIFY(w.tools()->text().contains(QStringLiteral("another address or key")));
        QPushButton *update = w.updateButton(QStringLiteral("claude-code"));
        QVERIFY(update);
        update->click();
        QVERIFY(w.tools()->text().contains(QStringLiteral("Claude Code: connected")));
        QFile settings(m_home.path() + QStringLiteral("/.claude/settings.json"));
        QVERIFY(settings.open(QIODevice::ReadOnly));
        QVERIFY(settings.readAll().contains(QStringLiteral(":%1").arg(newPort).toUtf8()));
        // An upstream failure shows in red with its message.
        m_fake->failModels.insert(QStringLiteral("glm-5.2"));
        HttpClient http;
        RecordedCall failed;
        startCall(http, failed, "POST", QUrl(m_controller->baseUrl() + QStringLiteral("/v1/chat/completions")),
                  R"({"model":"glm-5.2","messages":[]})", {}, m_clock);
        QTRY_VERIFY_WITH_TIMEOUT(failed.done(), 20000);
        m_fake->failModels.clear();
        QTRY_VERIFY(w.errors()->text().contains(toneColor(Tone::Error, w.palette()).name()));
        QVERIFY(w.errors()->text().contains(QStringLiteral("glm-5.2")));
        // Stop from the window: the state and the offered fix follow.
        w.toggle()->click();
        QVERIFY(!m_controller->isRunning());
        QVERIFY(w.state()->text().contains(QStringLiteral("Stopped")));
        QVERIFY(w.fix()->isVisible());
        w.fix()->click();
        QVERIFY(m_controller->isRunning());
        disconnectTool(QStringLiteral("claude-code")); // later tests change the port without expecting a question
    }

    void statusMarksFixedProblemsResolvedAndNamesStaleTools()
    {
        expectWarning(QStringLiteral("^Port \\d+ is in use by another program, so droid2api is not serving\\. "), 1);
        // A problem fixed is no longer shown as a current error, and "coding tools can use droid2api" is never
        // said while a connected tool points elsewhere.
        StatusWindow w(m_controller.get());
        w.show();
        const QString red = toneColor(Tone::Error, w.palette()).name();
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        m_controller->stop();
        Config c = m_controller->config();
        c.port = blocker.serverPort();
        QCOMPARE(m_controller->applyConfig(c), QString());
        QTest::mouseClick(w.fix(), Qt::LeftButton); // "Start": the port is taken
        QCOMPARE(m_controller->problem(), AppController::Problem::PortInUse);
        QVERIFY(w.errors()->text().contains(red));
        QVERIFY(w.errors()->text().contains(QString::number(blocker.serverPort())));
        QVERIFY(!w.errors()->text().contains(QStringLiteral("resolved")));
        w.askUpdateTools = [](const QStringList &) { return true; };
        QTest::mouseClick(w.fix(), Qt::LeftButton); // "Use a free port"
        QCOMPARE(m_controller->state(), AppController::State::Running);
        QVERIFY2(w.errors()->text().contains(QStringLiteral("(resolved)")), qPrintable(w.errors()->text()));
        QVERIFY(!w.errors()->text().contains(red));
        QVERIFY(w.state()->text().contains(QStringLiteral("coding tools can use droid2api")));

        // Claude Code set up for today's port, then the port moves without updating it: the headline names it.
        QCOMPARE(m_controller->updateTool(QStringLiteral("claude-code")), QString());
        auto disconnect = qScopeGuard([] { disconnectTool(QStringLiteral("claude-code")); });
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        c = m_controller->config();
        c.port = probe.serverPort();
        probe.close();
        QCOMPARE(m_controller->applyConfig(c), QString());
        QVERIFY2(w.state()->text().contains(QStringLiteral("Claude Code is set up for another address")),
                 qPrintable(w.state()->text()));
        QVERIFY(!w.state()->text().contains(QStringLiteral("coding tools can use droid2api")));
        QVERIFY(w.state()->text().contains(toneColor(Tone::Warning, w.palette()).name()));
        QTest::mouseClick(w.updateButton(QStringLiteral("claude-code")), Qt::LeftButton);
        QVERIFY(w.state()->text().contains(QStringLiteral("coding tools can use droid2api")));
        QVERIFY(w.state()->text().contains(toneColor(Tone::Good, w.palette()).name()));
    }

    void statusRowsGrowWithTheirText()
    {
        expectWarning(QStringLiteral("^Port \\d+ is in use by another program, so droid2api is not serving\\. "), 1);
        // Wrapped rows must get the height their text needs, whatever the style's metrics (Adwaita's are larger
        // than Fusion's): with a large font and long sentences, no label is shorter than its text or overlaps
        // another.
        const QFont before = QApplication::font();
        auto restore = qScopeGuard([&] { QApplication::setFont(before); });
        QFont big = before;
        big.setPointSizeF(before.pointSizeF() * 1.4);
        QApplication::setFont(big);
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        m_controller->stop();
        Config c = m_controller->config();
        c.port = blocker.serverPort();
        QCOMPARE(m_controller->applyConfig(c), QString());
        m_controller->start(); // the longest state sentence there is, and an error line
        DesktopApp desktop(m_controller.get());
        StatusWindow *w = desktop.status();
        desktop.showStatus();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest); // the layout after the last text change
        QList<QLabel *> labels;
        for (QLabel *l : w->findChildren<QLabel *>())
            if (l->isVisible() && !l->text().isEmpty())
                labels << l;
        for (QLabel *l : labels) {
            if (l->wordWrap())
                QVERIFY2(l->height() >= l->heightForWidth(l->width()),
                         qPrintable(QStringLiteral("'%1': %2 < %3")
                                        .arg(l->text().left(40))
                                        .arg(l->height())
                                        .arg(l->heightForWidth(l->width()))));
            for (QLabel *o : labels)
                if (o != l)
                    QVERIFY2(
                        !QRect(l->mapTo(w, QPoint()), l->size()).intersects(QRect(o->mapTo(w, QPoint()), o->size())),
                        qPrintable(l->text().left(30) + QStringLiteral(" / ") + o->text().left(30)));
        }
    }

    void changingThePortOffersToUpdateTools()
    {
        QCOMPARE(m_controller->updateTool(QStringLiteral("claude-code")), QString());
        auto disconnect = qScopeGuard([] { disconnectTool(QStringLiteral("claude-code")); });
        SettingsDialog d(m_controller.get());
        d.show();
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 newPort = probe.serverPort();
        probe.close();
        auto claudeSettings = [&] {
            QFile settings(m_home.path() + QStringLiteral("/.claude/settings.json"));
            return settings.open(QIODevice::ReadOnly) ? settings.readAll() : QByteArray();
        };
        // OK applies, asks (without blocking) and closes the window once the question is answered.
        d.page<GeneralPage>()->port->setValue(newPort);
        d.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        QCOMPARE(ConfigLoader::loadFile(m_path).value().port, newPort);
        QMessageBox *box = openQuestion();
        QVERIFY(box);
        QCOMPARE(box->windowTitle(), SettingsDialog::tr("Update your coding tools?"));
        QVERIFY(box->text().contains(QStringLiteral("Claude Code")));
        QVERIFY(d.isVisible());
        box->button(QMessageBox::Yes)->click();
        QVERIFY(!d.isVisible());
        QVERIFY(claudeSettings().contains(QStringLiteral(":%1").arg(newPort).toUtf8()));
        // Nothing else changed: no question.
        d.show();
        d.page<GeneralPage>()->logLevel->setCurrentIndex(
            d.page<GeneralPage>()->logLevel->findData(QStringLiteral("warning")));
        QCOMPARE(d.apply(), QString());
        QVERIFY(!openQuestion());
        // Answered No, the tool is left as it is; a test may answer instead of the box.
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 third = probe.serverPort();
        probe.close();
        d.page<GeneralPage>()->port->setValue(third);
        QCOMPARE(d.apply(), QString());
        box = openQuestion();
        QVERIFY(box);
        box->button(QMessageBox::No)->click();
        QVERIFY(!claudeSettings().contains(QStringLiteral(":%1").arg(third).toUtf8()));
        QStringList asked;
        d.askUpdateTools = [&](const QStringList &names) {
            asked = names;
            return true;
        };
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 fourth = probe.serverPort();
        probe.close();
        d.page<GeneralPage>()->port->setValue(fourth);
        QCOMPARE(d.apply(), QString());
        QVERIFY(!openQuestion());
        QCOMPARE(asked, QStringList { QStringLiteral("Claude Code") });
        QVERIFY(claudeSettings().contains(QStringLiteral(":%1").arg(fourth).toUtf8()));
    }

    void withoutATrayClosingAsks()
    {
        StatusWindow w(m_controller.get());
        w.setTrayless(true);
        QSignalSpy quit(&w, &StatusWindow::quitRequested);
        w.show();
        QVERIFY(!w.close()); // asked: the window stays until the answer
        QMessageBox *box = openQuestion();
        QVERIFY(box);
        QVERIFY(box->text().contains(QStringLiteral("no system tray")));
        QCOMPARE(box->buttons().size(), 3);
        QVERIFY(!w.close()); // closing again while it is open: the same question
        QCOMPARE(visibleBoxes(), 1);
        box->button(QMessageBox::Cancel)->click(); // Cancel: still there
        QVERIFY(w.isVisible());
        QCOMPARE(quit.size(), 0);
        QVERIFY(!w.close());
        box = openQuestion();
        QVERIFY(box);
        QAbstractButton *keep = buttonNamed(box, StatusWindow::tr("Keep serving"));
        QVERIFY(keep);
        keep->click();
        QVERIFY(!w.isVisible());
        QVERIFY(m_controller->isRunning());
        QCOMPARE(quit.size(), 0);
        w.show();
        QVERIFY(!w.close());
        box = openQuestion();
        QVERIFY(box);
        QAbstractButton *quitButton = buttonNamed(box, StatusWindow::tr("Quit"));
        QVERIFY(quitButton);
        quitButton->click();
        QVERIFY(!w.isVisible());
        QCOMPARE(quit.size(), 1);
        // Tests and screenshots may still answer at once instead of the box.
        w.show();
        w.askOverride = [] { return int(QMessageBox::Cancel); };
        QVERIFY(!w.close());
        QVERIFY(!openQuestion());
        w.askOverride = [] { return int(QMessageBox::Close); };
        QVERIFY(w.close());
        QCOMPARE(quit.size(), 2);
    }

    void withoutATrayALaunchShowsTheStatusWindow()
    {
        // No tray (offscreen has none, like GNOME without AppIndicator): after "Keep serving" the only way back
        // is launching again, which brings the Status window (Start/Stop, Quit), not Settings; Usage is there.
        QVERIFY(!QSystemTrayIcon::isSystemTrayAvailable());
        const QString name = QStringLiteral("droid2api-test-status-%1").arg(QCoreApplication::applicationPid());
        DesktopApp desktop(m_controller.get());
        SingleInstance first(name);
        QVERIFY(first.listen());
        desktop.attach(&first);
        QTRY_VERIFY(desktop.status()->isVisible()); // shown at start, as there is no tray
        desktop.status()->askOverride = [] { return int(QMessageBox::Ok); }; // "Keep serving"
        QVERIFY(desktop.status()->close());
        QVERIFY(m_controller->isRunning());
        bool answered = false;
        QThread *t = QThread::create([&] { answered = SingleInstance(name).notifyRunning(3000); });
        t->start();
        QTRY_VERIFY(desktop.status()->isVisible());
        QTRY_VERIFY(t->isFinished());
        delete t;
        QVERIFY(answered);
        QVERIFY(!desktop.settings()->isVisible());
        QVERIFY(desktop.status()->usageButton()->isVisible());
        QTest::mouseClick(desktop.status()->usageButton(), Qt::LeftButton);
        QVERIFY(desktop.usage()->isVisible());
        desktop.usage()->hide();
        desktop.status()->askOverride = nullptr;
        desktop.status()->setTrayless(false); // the window closes with the desktop, asking nothing
    }

    void singleInstanceHandoff()
    {
        const QString name = QStringLiteral("droid2api-test-%1").arg(QCoreApplication::applicationPid());
        DesktopApp desktop(m_controller.get());
        SingleInstance first(name);
        QVERIFY(first.listen());
        connect(&first, &SingleInstance::activationRequested, &desktop, [&desktop] { desktop.showSettings(); });
        desktop.settings()->hide(); // offscreen has no tray, so the app opened its window; start from hidden
        QVERIFY(!desktop.settings()->isVisible());
        // A second launch finds the first one and asks it to come forward.
        bool answered = false;
        QThread *t = QThread::create([&] { answered = SingleInstance(name).notifyRunning(3000); });
        t->start();
        QTRY_VERIFY(desktop.settings()->isVisible());
        QTRY_VERIFY(t->isFinished());
        delete t;
        QVERIFY(answered);
        // `droid2api --activity` asks for the Activity window instead.
        int activityAsks = 0;
        connect(&first, &SingleInstance::activityRequested, &desktop, [&] {
            ++activityAsks;
            desktop.showActivity();
        });
        answered = false;
        t = QThread::create([&] { answered = SingleInstance(name).notifyRunning(3000, "activity"); });
        t->start();
        QTRY_COMPARE(activityAsks, 1);
        QTRY_VERIFY(t->isFinished());
        delete t;
        QVERIFY(answered);
        QVERIFY(!SingleInstance(name + QStringLiteral("-none")).notifyRunning(200));
    }
};

QTEST_MAIN(TestGui)
#include "tst_gui.moc"
