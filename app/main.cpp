// droid2api: the executable. Headless today (--headless, or whenever no GUI is available); the tray app
// builds on the same ProxyService facade.

#include "auth/authmanager.h"
#include "auth/devicesignin.h"
#include "config/config.h"
#include "integrations/clientprobe.h"
#include "integrations/clientsetup.h"
#include "log/log.h"
#include "server/proxyservice.h"
#include "upstream/httpclient.h"
#include "usage/usagestore.h"

#include "activitywindow.h"
#include "appcontroller.h"
#include "desktopapp.h"
#include "dialogs.h"
#include "screenshots.h"
#include "singleinstance.h"

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qdir.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlibraryinfo.h>
#include <QtCore/qlocale.h>
#include <QtCore/qtranslator.h>
#include <QtWidgets/qapplication.h>
#include <QtWidgets/qmessagebox.h>
#include <QtCore/qcoreapplication.h>
#include <QtCore/qsocketnotifier.h>
#include <QtCore/qtextstream.h>

#include <cstdio>
#include <memory>

#if defined(Q_OS_WIN)
#include <io.h>
#define isatty _isatty
#define fileno _fileno
#endif
#if defined(Q_OS_UNIX)
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#elif defined(Q_OS_WIN)
#include <windows.h>
#endif

namespace {

void printLine(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}

// --- Platform-specific: turning SIGINT/SIGTERM (Unix) or console control events (Windows) into a queued call
// on the event loop. A signal handler may only write to a pipe; the notifier does the rest.
#if defined(Q_OS_UNIX)
int g_signalFds[2] = { -1, -1 };
void onUnixSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFds[0], &c, 1);
}

void installShutdownSignals(QObject *context, const std::function<void()> &onSignal)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalFds[1], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [onSignal] {
        char c;
        [[maybe_unused]] const auto n = ::read(g_signalFds[1], &c, 1);
        onSignal();
    });
    struct sigaction sa = {};
    sa.sa_handler = onUnixSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}
#elif defined(Q_OS_WIN)
std::function<void()> *g_onSignal = nullptr;
QObject *g_signalContext = nullptr;
BOOL WINAPI onConsoleCtrl(DWORD)
{
    QMetaObject::invokeMethod(g_signalContext, [] { (*g_onSignal)(); }, Qt::QueuedConnection);
    return TRUE;
}
void installShutdownSignals(QObject *context, const std::function<void()> &onSignal)
{
    g_onSignal = new std::function<void()>(onSignal);
    g_signalContext = context;
    SetConsoleCtrlHandler(onConsoleCtrl, TRUE);
}
#else
void installShutdownSignals(QObject *, const std::function<void()> &) { }
#endif

/// The tray app (or, with `screenshotDir`, PNGs of its windows in the current language).
int runDesktop(QCoreApplication &app, const QString &screenshotDir, const QString &configPath, const d2a::Config &config,
               const d2a::Environment &env, bool showActivity)
{
    AppController controller(configPath, config, env);
    DesktopApp desktop(&controller);
    if (auto *instance = qobject_cast<SingleInstance *>(app.property("droid2api.instance").value<QObject *>())) {
        QObject::connect(instance, &SingleInstance::activationRequested, &desktop, [&desktop] { desktop.showSettings(); });
        QObject::connect(instance, &SingleInstance::activityRequested, &desktop, [&desktop] { desktop.showActivity(); });
    }
    if (config.startProxyOnLaunch)
        controller.start();
    if (controller.isRunning() && screenshotDir.isEmpty()) // the same machine-readable line as --headless
        printLine(stdout, QStringLiteral("droid2api %1 listening on %2").arg(QStringLiteral(DROID2API_VERSION), controller.baseUrl()));
    if (!screenshotDir.isEmpty())
        return writeScreenshots(desktop, controller, screenshotDir);
    if (showActivity)
        desktop.showActivity();
    installShutdownSignals(&app, [&desktop] { desktop.quit(); });
    return QCoreApplication::exec();
}

/// `droid2api usage [--days N] [--json]`: the same numbers as GET /usage and the Usage window, read from
/// usage.sqlite (also while droid2api runs: WAL lets a reader in beside the writer).
static int runUsageCommand(int days, bool json)
{
    const QString path = d2a::UsageStore::defaultPath();
    if (!QFileInfo::exists(path)) {
        printLine(stderr, QCoreApplication::translate("main", "droid2api: no usage recorded yet (%1 does not exist)").arg(QDir::toNativeSeparators(path)));
        return 1;
    }
    d2a::UsageStore store;
    const QString error = store.open(path, 3650);
    if (!error.isEmpty()) {
        printLine(stderr, QStringLiteral("droid2api: ") + error);
        return 1;
    }
    const QDateTime to = QDateTime::currentDateTimeUtc();
    const QDateTime from = QDateTime(QDate::currentDate().addDays(1 - days), QTime(0, 0));
    if (json) {
        QJsonObject out;
        for (auto group : { d2a::UsageStore::Group::Model, d2a::UsageStore::Group::Client, d2a::UsageStore::Group::Day }) {
            const QJsonObject report = store.report(from, to, group);
            out.insert(QStringLiteral("from"), report.value(u"from"));
            out.insert(QStringLiteral("to"), report.value(u"to"));
            out.insert(QStringLiteral("total"), report.value(u"total"));
            out.insert(QStringLiteral("by_") + d2a::UsageStore::groupName(group), report.value(u"rows"));
        }
        std::fputs(QJsonDocument(out).toJson(QJsonDocument::Indented).constData(), stdout);
        return 0;
    }
    const QLocale locale;
    auto table = [&](const QString &title, d2a::UsageStore::Group group) {
        const QList<d2a::UsageTotal> rows = store.totals(from, to, group);
        printLine(stdout, title);
        if (rows.isEmpty()) {
            printLine(stdout, QCoreApplication::translate("main", "  (none)"));
            return;
        }
        printLine(stdout, QStringLiteral("  %1 %2 %3 %4 %5 %6")
                              .arg(QString(), -28)
                              .arg(QCoreApplication::translate("main", "requests"), 9)
                              .arg(QCoreApplication::translate("main", "input"), 12)
                              .arg(QCoreApplication::translate("main", "output"), 12)
                              .arg(QCoreApplication::translate("main", "cached"), 12)
                              .arg(QCoreApplication::translate("main", "credits"), 14));
        for (const d2a::UsageTotal &t : rows)
            printLine(stdout, QStringLiteral("  %1 %2 %3 %4 %5 %6")
                                  .arg(t.key.left(28), -28)
                                  .arg(locale.toString(t.requests), 9)
                                  .arg(locale.toString(t.input), 12)
                                  .arg(locale.toString(t.output), 12)
                                  .arg(locale.toString(t.cacheRead + t.cacheWrite), 12)
                                  .arg(locale.toString(t.credits, 'f', 0), 14));
    };
    printLine(stdout, QCoreApplication::translate("main", "Usage over the last %n day(s), since %1 (tokens; credits are Factory credits: tokens x the model's multiplier)", nullptr, days)
                          .arg(locale.toString(from.date(), QLocale::ShortFormat)));
    table(QCoreApplication::translate("main", "By model:"), d2a::UsageStore::Group::Model);
    table(QCoreApplication::translate("main", "By coding tool:"), d2a::UsageStore::Group::Client);
    table(QCoreApplication::translate("main", "By day:"), d2a::UsageStore::Group::Day);
    return 0;
}

/// `droid2api connect|disconnect CLIENT`: shows the change to the client's own settings file, asks (unless
/// --yes), writes it with a backup, then probes the proxy with the client's new settings.
static int runClientCommand(bool connecting, const QString &client, bool yes, const QString &model, const d2a::Config &config)
{
    if (!d2a::ClientSetup::clients().contains(client)) {
        printLine(stderr, QCoreApplication::translate("main", "droid2api: unknown client '%1' (choose one of: %2)")
                              .arg(client, d2a::ClientSetup::clients().join(QStringLiteral(", "))));
        return 2;
    }
    const QString host = config.host == u"0.0.0.0" || config.host == u"::" ? QStringLiteral("127.0.0.1") : config.host;
    const d2a::ClientSettings settings = d2a::ClientSetup::settingsFor(QStringLiteral("http://%1:%2").arg(host).arg(config.port), config.accessKey, model);
    if (!d2a::ClientSetup::writesFile(client)) {
        printLine(stdout, d2a::ClientSetup::instructions(client, settings));
        return 0;
    }
    d2a::ClientSetup setup;
    auto plan = connecting ? setup.planConnect(client, settings) : setup.planDisconnect(client);
    if (!plan) {
        printLine(stderr, QCoreApplication::translate("main", "droid2api: %1").arg(plan.error().message));
        return 1;
    }
    if (plan.value().diff.isEmpty() && !plan.value().removeFile) {
        printLine(stdout, QCoreApplication::translate("main", "droid2api: %1 needs no change").arg(plan.value().path));
    } else {
        printLine(stdout, plan.value().diff.trimmed());
        if (!yes) {
            if (!isatty(fileno(stdin))) {
                printLine(stderr, QCoreApplication::translate("main", "droid2api: not applied; run again with --yes to apply without asking"));
                return 1;
            }
            std::fputs(qPrintable(QCoreApplication::translate("main", "Apply this change? [y/N] ")), stdout);
            std::fflush(stdout);
            char answer[16] = {};
            if (!std::fgets(answer, sizeof answer, stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
                printLine(stdout, QCoreApplication::translate("main", "droid2api: nothing changed"));
                return 1;
            }
        }
        auto done = connecting ? setup.apply(plan.value()) : setup.applyDisconnect(plan.value());
        if (!done) {
            printLine(stderr, QCoreApplication::translate("main", "droid2api: %1").arg(done.error().message));
            return 1;
        }
        printLine(stdout, QCoreApplication::translate("main", "droid2api: %1").arg(done.value()));
    }
    if (!connecting)
        return 0;
    // Probe: through the proxy to Factory, with exactly what the client will send, hop by hop.
    d2a::ClientProbe probe(nullptr); // its own client: there is no proxy in this process to lend one
    QObject::connect(&probe, &d2a::ClientProbe::finished, &probe, [client](const QList<d2a::ProbeHop> &hops) {
        bool ok = !hops.isEmpty();
        for (const d2a::ProbeHop &h : hops) {
            printLine(stdout, h.ok ? QCoreApplication::translate("main", "probe: \u2713 %1").arg(h.what)
                                   : QCoreApplication::translate("main", "probe: \u2717 %1: %2").arg(h.what, h.detail));
            ok = ok && h.ok;
        }
        printLine(stdout, ok ? QCoreApplication::translate("main", "probe: %1 will work through droid2api").arg(client)
                             : QCoreApplication::translate("main", "probe: %1 will not work until this is fixed").arg(client));
        QCoreApplication::exit(0);
    });
    probe.start(settings.baseUrl, settings.key, d2a::ClientProbe::modelFor(config, d2a::Environment::fromProcess().envBackend.has_value()));
    return QCoreApplication::exec();
}

enum class AccountCommand { SignIn, SignOut, Import, BackendKey };

/// --sign-in / --sign-out / --import-droid-auth: account work without serving, then exit.
int runAccountCommand(AccountCommand command, const d2a::Config &config, const d2a::Environment &env,
                      const QString &tokenStore, const QString &backendName = {})
{
    d2a::HttpClient http;
    d2a::AuthManager auth(&http);
    auth.setWorkOs(config.workosBaseUrl, config.workosClientId);
    const auto mode = d2a::parseTokenStoreMode(tokenStore.isEmpty() ? config.tokenStore : tokenStore);
    int status = 1;
    auto where = [&auth] {
        return auth.storeKind() == u"keychain" ? QCoreApplication::translate("main", "the OS keychain")
                                               : QCoreApplication::translate("main", "a file readable only by you");
    };
    auto finish = [&status](int code) {
        status = code;
        QCoreApplication::exit(code);
    };
    QObject::connect(&auth, &d2a::AuthManager::loaded, &auth, [&] {
        if (!auth.storeWarning().isEmpty())
            printLine(stderr, QStringLiteral("droid2api: ") + auth.storeWarning());
        if (command == AccountCommand::SignOut) {
            auth.signOut(&auth, [&](const QString &err) {
                printLine(err.isEmpty() ? stdout : stderr,
                          err.isEmpty() ? QCoreApplication::translate("main", "droid2api: signed out; stored tokens removed")
                                        : QCoreApplication::translate("main", "droid2api: sign-out failed: %1").arg(err));
                finish(err.isEmpty() ? 0 : 1);
            });
            return;
        }
        if (command == AccountCommand::BackendKey) {
            // The key comes on standard input, so it never shows in the shell history or the process list.
            char line[4096] = {};
            const QString key = std::fgets(line, sizeof line, stdin) ? QString::fromUtf8(line).trimmed() : QString();
            auth.setBackendKey(backendName, key, &auth, [&, key](const QString &err) {
                printLine(err.isEmpty() ? stdout : stderr,
                          err.isEmpty() ? (key.isEmpty() ? QCoreApplication::translate("main", "droid2api: removed the key of backend '%1'").arg(backendName)
                                                         : QCoreApplication::translate("main", "droid2api: stored the key of backend '%1' in %2").arg(backendName, where()))
                                        : QCoreApplication::translate("main", "droid2api: cannot store the key: %1").arg(err));
                finish(err.isEmpty() ? 0 : 1);
            });
            return;
        }
        if (command == AccountCommand::Import) {
            auth.importDroidCli(&auth, [&](const QString &err) {
                printLine(err.isEmpty() ? stdout : stderr,
                          err.isEmpty() ? QCoreApplication::translate("main", "droid2api: imported the droid CLI sign-in into %1").arg(where())
                                        : QCoreApplication::translate("main", "droid2api: cannot import: %1").arg(err));
                finish(err.isEmpty() ? 0 : 1);
            });
            return;
        }
        auto *job = new d2a::DeviceSignIn(auth.workOs(), &auth);
        QObject::connect(job, &d2a::DeviceSignIn::codeReady, &auth,
                         [](const QString &code, const QString &uri, const QString &complete, int expires) {
            printLine(stdout, QCoreApplication::translate("main", "To sign in to Factory, open %1\nand enter the code %2 "
                                                                  "(or open %3). The code expires in %4 minutes.")
                                  .arg(uri, code, complete).arg((expires + 59) / 60));
            printLine(stdout, QCoreApplication::translate("main", "Waiting for you to approve it... (Ctrl+C cancels)"));
        });
        QObject::connect(job, &d2a::DeviceSignIn::succeeded, &auth, [&](const d2a::TokenResponse &tokens) {
            auth.adoptTokens(tokens, QStringLiteral("device"), &auth, [&, email = tokens.email](const QString &err) {
                if (!err.isEmpty()) {
                    printLine(stderr, QCoreApplication::translate("main", "droid2api: signed in, but the tokens could not be stored: %1").arg(err));
                    return finish(1);
                }
                printLine(stdout, QCoreApplication::translate("main", "droid2api: signed in%1; tokens stored in %2")
                                      .arg(email.isEmpty() ? QString() : QStringLiteral(" as ") + email, where()));
                finish(0);
            });
        });
        QObject::connect(job, &d2a::DeviceSignIn::failed, &auth, [&](const QString &reason) {
            printLine(stderr, QCoreApplication::translate("main", "droid2api: sign-in failed: %1").arg(reason));
            finish(1);
        });
        installShutdownSignals(job, [job] { job->cancel(); });
        job->start();
    });
    auth.start(env, mode.value_or(d2a::TokenStoreMode::Auto));
    QCoreApplication::exec();
    return status;
}

} // namespace

/// Flags that never need a display: the headless proxy, account commands, help and version.
static bool wantsHeadless(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (i == 1 && (a == "connect" || a == "disconnect" || a == "usage"))
            return true;
        if (a == "--headless" || a == "--backend-key" || a == "--sign-in" || a == "--sign-out" || a == "--import-droid-auth" || a == "--help"
            || a == "-h" || a == "--help-all" || a == "--version" || a == "-v")
            return true;
    }
    return false;
}

/// Platform-specific: on Linux/BSD a GUI needs an X11 or Wayland display (or an explicit QT_QPA_PLATFORM).
static bool displayAvailable()
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
        || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
#else
    return true;
#endif
}

static void loadTranslations(QCoreApplication *app)
{
    auto *ours = new QTranslator(app);
    if (ours->load(QLocale(), QStringLiteral("droid2api"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(ours);
    auto *qt = new QTranslator(app);
    if (qt->load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
}

static int run(QCoreApplication &app, bool gui);

int main(int argc, char *argv[])
{
#if defined(Q_OS_WIN)
    // Platform-specific: droid2api.exe is a GUI-subsystem program with no console of its own; attach to the one
    // it was started from, so --headless, --help and the connect commands print where the user typed them.
    if (AttachConsole(ATTACH_PARENT_PROCESS)) {
        std::freopen("CONOUT$", "w", stdout);
        std::freopen("CONOUT$", "w", stderr);
        std::freopen("CONIN$", "r", stdin);
    }
#endif
    QCoreApplication::setApplicationName(QStringLiteral("droid2api"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DROID2API_VERSION));
    if (!wantsHeadless(argc, argv) && displayAvailable()) {
        QApplication app(argc, argv);
        QApplication::setQuitOnLastWindowClosed(false); // closing windows never stops the proxy
        return run(app, true);
    }
    QCoreApplication app(argc, argv);
    return run(app, false);
}

static int run(QCoreApplication &app, bool gui)
{
    loadTranslations(&app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "A local bridge that serves OpenAI, Anthropic and Gemini API clients from Factory.ai."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headless(QStringLiteral("headless"),
                                      QCoreApplication::translate("main", "Run the proxy without any GUI."));
    const QCommandLineOption configOpt(QStringLiteral("config"),
                                       QCoreApplication::translate("main", "Read the configuration from <file>."),
                                       QStringLiteral("file"));
    const QCommandLineOption hostOpt(QStringLiteral("host"),
                                     QCoreApplication::translate("main", "Listen on <address> (default from config)."),
                                     QStringLiteral("address"));
    const QCommandLineOption portOpt(QStringLiteral("port"),
                                     QCoreApplication::translate("main", "Listen on <port>; 0 picks a free one."),
                                     QStringLiteral("port"));
    const QCommandLineOption signIn(QStringLiteral("sign-in"),
                                    QCoreApplication::translate("main", "Sign in to Factory in the browser (device code), store the tokens and exit."));
    const QCommandLineOption signOut(QStringLiteral("sign-out"),
                                     QCoreApplication::translate("main", "Forget the stored Factory tokens and API key, then exit."));
    const QCommandLineOption importDroid(QStringLiteral("import-droid-auth"),
                                         QCoreApplication::translate("main", "Import the droid CLI's sign-in (~/.factory/auth.v2.*, shared with it from then on), then exit."));
    const QCommandLineOption tokenStoreOpt(QStringLiteral("token-store"),
                                           QCoreApplication::translate("main", "Where tokens live: auto (default), keychain or file."),
                                           QStringLiteral("kind"));
    QCommandLineOption screenshots(QStringLiteral("screenshots"), QStringLiteral("Write PNGs of the tray menu and every settings page to <dir>, then exit."),
                                         QStringLiteral("dir"));
    screenshots.setFlags(QCommandLineOption::HiddenFromHelp);
    const QCommandLineOption backendKeyOpt(QStringLiteral("backend-key"),
                                           QCoreApplication::translate("main", "Store the key of backend <name> (read from standard input; empty removes it), then exit."),
                                           QStringLiteral("name"));
    const QCommandLineOption yesOpt(QStringLiteral("yes"), QCoreApplication::translate("main", "With connect/disconnect: apply without asking."));
    const QCommandLineOption modelOpt(QStringLiteral("model"), QCoreApplication::translate("main", "With connect: the model the client should use."),
                                      QStringLiteral("id"));
    const QCommandLineOption daysOpt(QStringLiteral("days"), QCoreApplication::translate("main", "With usage: how many days back (default 30)."),
                                     QStringLiteral("n"), QStringLiteral("30"));
    const QCommandLineOption jsonOpt(QStringLiteral("json"), QCoreApplication::translate("main", "With usage: print JSON, as GET /usage answers."));
    const QCommandLineOption activityOpt(QStringLiteral("activity"),
                                         QCoreApplication::translate("main", "Desktop app: open the Activity window (of the running app, if there is one)."));
    parser.addOptions({ headless, configOpt, hostOpt, portOpt, signIn, signOut, importDroid, tokenStoreOpt, screenshots, yesOpt, modelOpt,
                        backendKeyOpt, activityOpt, daysOpt, jsonOpt });
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QCoreApplication::translate("main", "Optional: connect CLIENT or disconnect CLIENT, where CLIENT is "
                                                                     "claude-code, codex, cursor, continue or openai-sdk; or usage "
                                                                     "[--days N] [--json]: tokens and credits per model and coding tool."),
                                 QStringLiteral("[connect|disconnect CLIENT | usage]"));
    parser.process(app);

    const d2a::Environment env = d2a::Environment::fromProcess();
    d2a::log::install(env.debug);
    if (parser.positionalArguments() == QStringList { QStringLiteral("usage") }) { // needs no config
        bool ok = false;
        const int days = parser.value(daysOpt).toInt(&ok);
        if (!ok || days < 1 || days > 3650) {
            printLine(stderr, QCoreApplication::translate("main", "droid2api: --days must be a number of days from 1 to 3650"));
            return 2;
        }
        return runUsageCommand(days, parser.isSet(jsonOpt));
    }

    if (gui) {
        // One instance per user: a second launch brings the first one's settings window forward.
        auto *instance = new SingleInstance(SingleInstance::defaultName(), &app);
        if (!parser.isSet(screenshots) && instance->notifyRunning(1000, parser.isSet(activityOpt) ? "activity" : "settings")) {
            printLine(stdout, parser.isSet(activityOpt)
                                  ? QCoreApplication::translate("main", "droid2api is already running; showing its Activity window.")
                                  : QCoreApplication::translate("main", "droid2api is already running; showing its settings window."));
            return 0;
        }
        instance->listen();
        app.setProperty("droid2api.instance", QVariant::fromValue<QObject *>(instance));
    }
    const QString configPath = parser.isSet(configOpt) ? parser.value(configOpt) : d2a::ConfigLoader::userConfigPath();
    auto loaded = parser.isSet(configOpt) ? d2a::ConfigLoader::loadFile(parser.value(configOpt))
                                          : d2a::ConfigLoader::loadOrCreateUserConfig();
    if (!loaded) {
        const QString message = QCoreApplication::translate("main", "droid2api: configuration refused: %1").arg(loaded.error().message);
        printLine(stderr, message);
        if (gui)
            dialogs::ask(nullptr, QMessageBox::Critical, QCoreApplication::translate("main", "droid2api"),
                         message + QCoreApplication::translate("main", "\n\nThe file was not changed. Fix it and start droid2api again."));
        return 2;
    }
    d2a::Config config = loaded.value();
    d2a::ConfigLoader::applyEnvironment(config, env);
    d2a::log::setLevel(d2a::log::effectiveLevel(config.logLevel, config.devMode || env.debug));

    const QString tokenStore = parser.value(tokenStoreOpt);
    if (!tokenStore.isEmpty() && !d2a::parseTokenStoreMode(tokenStore)) {
        printLine(stderr, QCoreApplication::translate("main", "droid2api: --token-store must be auto, keychain or file"));
        return 2;
    }
    const QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty()) {
        if ((positional[0] != u"connect" && positional[0] != u"disconnect") || positional.size() != 2) {
            printLine(stderr, QCoreApplication::translate("main", "droid2api: usage: droid2api connect|disconnect CLIENT [--yes] [--model ID]"));
            return 2;
        }
        return runClientCommand(positional[0] == u"connect", positional[1], parser.isSet(yesOpt), parser.value(modelOpt), config);
    }
    if (parser.isSet(backendKeyOpt)) {
        if (!config.findBackend(parser.value(backendKeyOpt))) {
            printLine(stderr, QCoreApplication::translate("main", "droid2api: backends[] in the config has no backend named '%1'").arg(parser.value(backendKeyOpt)));
            return 2;
        }
        return runAccountCommand(AccountCommand::BackendKey, config, env, tokenStore, parser.value(backendKeyOpt));
    }
    if (parser.isSet(signIn) || parser.isSet(signOut) || parser.isSet(importDroid))
        return runAccountCommand(parser.isSet(signIn) ? AccountCommand::SignIn
                                 : parser.isSet(signOut) ? AccountCommand::SignOut : AccountCommand::Import,
                                 config, env, tokenStore);

    int port = -1;
    if (parser.isSet(portOpt)) {
        bool ok = false;
        port = parser.value(portOpt).toInt(&ok);
        if (!ok || port < 0 || port > 65535) {
            printLine(stderr, QCoreApplication::translate("main", "droid2api: --port must be a number from 0 to 65535"));
            return 2;
        }
    }

    if (gui)
        return runDesktop(app, parser.value(screenshots), configPath, config, env, parser.isSet(activityOpt));
    if (!parser.isSet(headless) && !displayAvailable()) {
        printLine(stdout, QCoreApplication::translate(
                              "main", "droid2api: no display found, so the proxy runs headless (the tray app needs a desktop session)."));
    }

    d2a::ProxyService proxy;
    proxy.setEnvironment(env);
    proxy.setConfig(config);
    proxy.startAuth(tokenStore);
    const auto started = proxy.start(parser.value(hostOpt), port);
    if (!started) {
        printLine(stderr, QCoreApplication::translate("main", "droid2api: %1").arg(started.error().message));
        return 1;
    }

    bool shuttingDown = false;
    installShutdownSignals(&app, [&] {
        if (shuttingDown) {
            printLine(stderr, QCoreApplication::translate("main", "droid2api: second signal, exiting now"));
            QCoreApplication::exit(0);
            return;
        }
        shuttingDown = true;
        printLine(stderr, QCoreApplication::translate("main", "droid2api: shutting down"));
        proxy.shutdown(config.timeouts.shutdownMs);
    });
    QObject::connect(&proxy, &d2a::ProxyService::shutdownFinished, &app, [](bool) { QCoreApplication::exit(0); });

    printLine(stdout, QCoreApplication::translate("main", "droid2api %1 listening on %2")
                          .arg(QCoreApplication::applicationVersion(), proxy.baseUrl()));
    return app.exec();
}
