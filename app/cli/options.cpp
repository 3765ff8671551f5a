#include "options.h"

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qcoreapplication.h>

namespace cli {

bool wantsHeadless(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (i == 1 && (a == "connect" || a == "disconnect" || a == "usage"))
            return true;
        if (a == "--headless" || a == "--backend-key" || a == "--sign-in" || a == "--sign-out"
            || a == "--import-droid-auth" || a == "--help" || a == "-h" || a == "--help-all" || a == "--version"
            || a == "-v")
            return true;
    }
    return false;
}

Options parse(const QCoreApplication &app, Executable executable)
{
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
    const QCommandLineOption signIn(
        QStringLiteral("sign-in"),
        QCoreApplication::translate("main",
                                    "Sign in to Factory in the browser (device code), store the tokens and exit."));
    const QCommandLineOption signOut(
        QStringLiteral("sign-out"),
        QCoreApplication::translate("main", "Forget the stored Factory tokens and API key, then exit."));
    const QCommandLineOption importDroid(
        QStringLiteral("import-droid-auth"),
        QCoreApplication::translate(
            "main", "Import the droid CLI's sign-in (~/.factory/auth.v2.*, shared with it from then on), then exit."));
    const QCommandLineOption tokenStoreOpt(
        QStringLiteral("token-store"),
        QCoreApplication::translate("main", "Where tokens live: auto (default), keychain or file."),
        QStringLiteral("kind"));
    QCommandLineOption screenshots(
        QStringLiteral("screenshots"),
        QStringLiteral("Write PNGs of the tray menu and every settings page to <dir>, then exit."),
        QStringLiteral("dir"));
    screenshots.setFlags(QCommandLineOption::HiddenFromHelp);
    const QCommandLineOption backendKeyOpt(
        QStringLiteral("backend-key"),
        QCoreApplication::translate(
            "main", "Store the key of backend <name> (read from standard input; empty removes it), then exit."),
        QStringLiteral("name"));
    const QCommandLineOption yesOpt(
        QStringLiteral("yes"), QCoreApplication::translate("main", "With connect/disconnect: apply without asking."));
    const QCommandLineOption modelOpt(
        QStringLiteral("model"), QCoreApplication::translate("main", "With connect: the model the client should use."),
        QStringLiteral("id"));
    const QCommandLineOption daysOpt(
        QStringLiteral("days"), QCoreApplication::translate("main", "With usage: how many days back (default 30)."),
        QStringLiteral("n"), QStringLiteral("30"));
    const QCommandLineOption jsonOpt(
        QStringLiteral("json"), QCoreApplication::translate("main", "With usage: print JSON, as GET /usage answers."));
    QCommandLineOption activityOpt(
        QStringLiteral("activity"),
        QCoreApplication::translate("main",
                                    "Desktop app: open the Activity window (of the running app, if there is one)."));
    if (executable == Executable::Nox)
        activityOpt.setFlags(QCommandLineOption::HiddenFromHelp); // accepted and ignored, as droid2api --headless does
    parser.addOptions({ headless, configOpt, hostOpt, portOpt, signIn, signOut, importDroid, tokenStoreOpt, screenshots,
                        yesOpt, modelOpt, backendKeyOpt, activityOpt, daysOpt, jsonOpt });
    parser.addPositionalArgument(
        QStringLiteral("command"),
        QCoreApplication::translate("main", "Optional: connect CLIENT or disconnect CLIENT, where CLIENT is "
                                            "claude-code, codex, cursor, continue or openai-sdk; or usage "
                                            "[--days N] [--json]: tokens and credits per model and coding tool."),
        QStringLiteral("[connect|disconnect CLIENT | usage]"));
    parser.process(app);

    Options o;
    o.headless = executable == Executable::Nox || parser.isSet(headless);
    o.configSet = parser.isSet(configOpt);
    o.config = parser.value(configOpt);
    o.host = parser.value(hostOpt);
    o.portSet = parser.isSet(portOpt);
    o.port = parser.value(portOpt);
    o.signIn = parser.isSet(signIn);
    o.signOut = parser.isSet(signOut);
    o.importDroidAuth = parser.isSet(importDroid);
    o.tokenStore = parser.value(tokenStoreOpt);
    o.screenshotsSet = parser.isSet(screenshots);
    o.screenshotDir = parser.value(screenshots);
    o.backendKeySet = parser.isSet(backendKeyOpt);
    o.backendKey = parser.value(backendKeyOpt);
    o.yes = parser.isSet(yesOpt);
    o.model = parser.value(modelOpt);
    o.days = parser.value(daysOpt);
    o.json = parser.isSet(jsonOpt);
    o.activity = parser.isSet(activityOpt);
    o.positional = parser.positionalArguments();
    return o;
}

} // namespace cli
