#include "commands.h"

#include "output.h"
#include "platform/console.h"
#include "platform/signals.h"

#include "auth/authmanager.h"
#include "auth/devicesignin.h"
#include "integrations/clientprobe.h"
#include "integrations/clientsetup.h"
#include "upstream/httpclient.h"
#include "usage/usagestore.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdir.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlocale.h>

#include <cstdio>

namespace cli {

/// `droid2api usage [--days N] [--json]`: the same numbers as GET /usage and the Usage window, read from
/// usage.sqlite (also while droid2api runs: WAL lets a reader in beside the writer).
int runUsageCommand(int days, bool json)
{
    const QString path = d2a::UsageStore::defaultPath();
    if (!QFileInfo::exists(path)) {
        printLine(stderr, QCoreApplication::translate("main", "droid2api: no usage recorded yet (%1 does not exist)")
                              .arg(QDir::toNativeSeparators(path)));
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
    // The store answers on its own thread's time; this command serves nothing, so it waits in a loop of its own.
    d2a::UsageStore::Query query;
    query.from = from;
    query.to = to;
    query.groups = { d2a::UsageStore::Group::Model, d2a::UsageStore::Group::Client, d2a::UsageStore::Group::Day };
    d2a::UsageStore::Answer answer;
    QEventLoop loop;
    store.query(query, &loop, [&](const d2a::UsageStore::Answer &a) {
        answer = a;
        loop.quit();
    });
    loop.exec();
    if (json) {
        QJsonObject out;
        for (auto group :
             { d2a::UsageStore::Group::Model, d2a::UsageStore::Group::Client, d2a::UsageStore::Group::Day }) {
            const QJsonObject report = store.report(answer, group);
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
        const QList<d2a::UsageTotal> rows = answer.totals.value(group);
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
    printLine(stdout, QCoreApplication::translate("main",
                                                  "Usage over the last %n day(s), since %1 (tokens; credits are "
                                                  "Factory credits: tokens x the model's multiplier)",
                                                  nullptr, days)
                          .arg(locale.toString(from.date(), QLocale::ShortFormat)));
    table(QCoreApplication::translate("main", "By model:"), d2a::UsageStore::Group::Model);
    table(QCoreApplication::translate("main", "By coding tool:"), d2a::UsageStore::Group::Client);
    table(QCoreApplication::translate("main", "By day:"), d2a::UsageStore::Group::Day);
    return 0;
}

/// `droid2api connect|disconnect CLIENT`: shows the change to the client's own settings file, asks (unless
/// --yes), writes it with a backup, then probes the proxy with the client's new settings.
int runClientCommand(bool connecting, const QString &client, bool yes, const QString &model, const d2a::Config &config)
{
    if (!d2a::ClientSetup::clients().contains(client)) {
        printLine(stderr, QCoreApplication::translate("main", "droid2api: unknown client '%1' (choose one of: %2)")
                              .arg(client, d2a::ClientSetup::clients().join(QStringLiteral(", "))));
        return 2;
    }
    const QString host = config.host == u"0.0.0.0" || config.host == u"::" ? QStringLiteral("127.0.0.1") : config.host;
    const d2a::ClientSettings settings = d2a::ClientSetup::settingsFor(
        QStringLiteral("http://%1:%2").arg(host).arg(config.port), config.accessKey, model);
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
            if (!platform::stdinIsTerminal()) {
                printLine(stderr, QCoreApplication::translate(
                                      "main", "droid2api: not applied; run again with --yes to apply without asking"));
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
        printLine(stdout,
                  ok ? QCoreApplication::translate("main", "probe: %1 will work through droid2api").arg(client)
                     : QCoreApplication::translate("main", "probe: %1 will not work until this is fixed").arg(client));
        QCoreApplication::exit(0);
    });
    probe.start(settings.baseUrl, settings.key,
                d2a::ClientProbe::modelFor(config, d2a::Environment::fromProcess().envBackend.has_value()));
    return QCoreApplication::exec();
}

/// --sign-in / --sign-out / --import-droid-auth: account work without serving, then exit.
int runAccountCommand(AccountCommand command, const d2a::Config &config, const d2a::Environment &env,
                      const QString &tokenStore, const QString &backendName)
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
                          err.isEmpty()
                              ? QCoreApplication::translate("main", "droid2api: signed out; stored tokens removed")
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
                printLine(
                    err.isEmpty() ? stdout : stderr,
                    err.isEmpty()
                        ? (key.isEmpty()
                               ? QCoreApplication::translate("main", "droid2api: removed the key of backend '%1'")
                                     .arg(backendName)
                               : QCoreApplication::translate("main", "droid2api: stored the key of backend '%1' in %2")
                                     .arg(backendName, where()))
                        : QCoreApplication::translate("main", "droid2api: cannot store the key: %1").arg(err));
                finish(err.isEmpty() ? 0 : 1);
            });
            return;
        }
        if (command == AccountCommand::Import) {
            auth.importDroidCli(&auth, [&](const QString &err) {
                printLine(err.isEmpty() ? stdout : stderr,
                          err.isEmpty()
                              ? QCoreApplication::translate("main", "droid2api: imported the droid CLI sign-in into %1")
                                    .arg(where())
                              : QCoreApplication::translate("main", "droid2api: cannot import: %1").arg(err));
                finish(err.isEmpty() ? 0 : 1);
            });
            return;
        }
        auto *job = new d2a::DeviceSignIn(auth.workOs(), &auth);
        QObject::connect(job, &d2a::DeviceSignIn::codeReady, &auth,
                         [](const QString &code, const QString &uri, const QString &complete, int expires) {
            printLine(stdout,
                      QCoreApplication::translate("main", "To sign in to Factory, open %1\nand enter the code %2 "
                                                          "(or open %3). The code expires in %4 minutes.")
                          .arg(uri, code, complete)
                          .arg((expires + 59) / 60));
            printLine(stdout, QCoreApplication::translate("main", "Waiting for you to approve it... (Ctrl+C cancels)"));
        });
        QObject::connect(job, &d2a::DeviceSignIn::succeeded, &auth, [&](const d2a::TokenResponse &tokens) {
            auth.adoptTokens(tokens, QStringLiteral("device"), &auth, [&, email = tokens.email](const QString &err) {
                if (!err.isEmpty()) {
                    printLine(stderr, QCoreApplication::translate(
                                          "main", "droid2api: signed in, but the tokens could not be stored: %1")
                                          .arg(err));
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
        platform::installShutdownSignals(job, [job] { job->cancel(); });
        job->start();
    });
    auth.start(env, mode.value_or(d2a::TokenStoreMode::Auto));
    QCoreApplication::exec();
    return status;
}

} // namespace cli
