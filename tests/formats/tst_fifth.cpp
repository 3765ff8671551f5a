// A fifth format from one folder (tests/formats/fifth/): registered at run time, served end to end by the real
// proxy against the fake Factory upstream, translated to an Anthropic model and back, with reasoning state
// carried in its own reasoning field and its own state tagged with its own tag.

#include "formats/fifth/turns.h"
#include "formats/translate.h"
#include "server/routes.h"
#include "support/proxyfixture.h"
#include "support/testhome.h"
#include "usage/usagestore.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qtemporarydir.h>
#include <QtTest/qtest.h>

using namespace d2a;

class TestFifth : public QObject
{
    Q_OBJECT

    ProxyFixture m_f;
    QTemporaryDir m_home;

    static WireFormat turnsFormat() { return turns::spec().id; }

    QJsonObject post(const QJsonObject &body, RecordedCall &rc, const QString &path = QStringLiteral("/v5/turns"))
    {
        if (!m_f.call(rc, "POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact)))
            return {};
        return rc.json();
    }

    /// The Anthropic request the fake upstream received last.
    QJsonObject upstreamBody() const
    {
        return m_f.fake->received.isEmpty() ? QJsonObject() : m_f.fake->received.last().json;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        useTemporaryHome(m_home.path());
        turns::registerFormat(); // before the route table is built: the proxy serves it like the built-in four
    }

    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); // an unexpected warning is a failure
        QVERIFY(m_f.up());
        Config c = m_f.config();
        ModelConfig m;
        m.id = QStringLiteral("think-anthropic");
        m.type = ModelType::Anthropic;
        c.models.append(m);
        QVERIFY2(m_f.startProxy(c), qPrintable(m_f.startError));
    }

    void cleanup()
    {
        m_f.proxy.reset();
        m_f.fake.reset();
    }

    void registeredLikeTheOthers()
    {
        QCOMPARE(int(turnsFormat()), 4);
        QCOMPARE(&formatSpec(turnsFormat()), &turns::spec());
        QCOMPARE(formatForTag(u"turns"), &turns::spec());
        const RouteMatch route = RouteTable::instance().match(QStringLiteral("/v5/turns"));
        QVERIFY(route.route);
        QCOMPARE(route.format, turnsFormat());
        QVERIFY(RouteTable::instance().endpoints().contains(QStringLiteral("POST /v5/turns")));
        // Usage names an unknown client's API after the route's format.
        QCOMPARE(clientName(QStringLiteral("curl/8"), turnsFormat()), QStringLiteral("Other (Turns)"));
    }

    void answerTranslatedFromAnthropic()
    {
        RecordedCall rc;
        const QJsonObject answer =
            post({ { QStringLiteral("model"), QStringLiteral("think-anthropic") },
                   { QStringLiteral("turns"),
                     QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                                { QStringLiteral("text"), QStringLiteral("q") } } } } },
                 rc);
        QCOMPARE(rc.status, 200);
        // The request went to Factory's Anthropic route, written as Anthropic Messages.
        QCOMPARE(m_f.fake->received.last().path, QByteArray("/api/llm/a/v1/messages"));
        QCOMPARE(upstreamBody()
                     .value(QStringLiteral("messages"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("role"))
                     .toString(),
                 QStringLiteral("user"));
        QVERIFY(upstreamBody().contains(QStringLiteral("max_tokens"))); // Anthropic's adaptTranslated ran
        // The answer in the fifth format: its text, finish name, usage, and Anthropic's thinking in an envelope.
        QCOMPARE(answer.value(QStringLiteral("text")).toString(), QStringLiteral("The answer is 42."));
        QCOMPARE(answer.value(QStringLiteral("finish")).toString(), QStringLiteral("done"));
        QVERIFY(answer.value(QStringLiteral("usage")).toObject().value(QStringLiteral("in")).toInt() > 0);
        const QJsonObject thought = answer.value(QStringLiteral("thought")).toObject();
        QCOMPARE(thought.value(QStringLiteral("text")).toString(), QStringLiteral("Let me think about it."));
        const QString seal = thought.value(QStringLiteral("seal")).toString();
        QVERIFY2(seal.startsWith(QStringLiteral("d2a.anthropic.t."))
                     && seal.endsWith(QStringLiteral(".sig-anthropic-opaque")),
                 qPrintable(seal));

        // The next turn sends the history back: Anthropic gets its own signature exactly as issued, and never the
        // client's own vendor's state (a seal that is no envelope).
        RecordedCall next;
        post({ { QStringLiteral("model"), QStringLiteral("think-anthropic") },
               { QStringLiteral("turns"),
                 QJsonArray {
                     QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                   { QStringLiteral("text"), QStringLiteral("q") } },
                     QJsonObject { { QStringLiteral("role"), QStringLiteral("model") },
                                   { QStringLiteral("text"), QStringLiteral("The answer is 42.") },
                                   { QStringLiteral("thought"), thought } },
                     QJsonObject { { QStringLiteral("role"), QStringLiteral("model") },
                                   { QStringLiteral("text"), QStringLiteral("mine") },
                                   { QStringLiteral("thought"),
                                     QJsonObject { { QStringLiteral("text"), QStringLiteral("own") },
                                                   { QStringLiteral("seal"), QStringLiteral("turns-own-state") } } } },
                     QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                   { QStringLiteral("text"), QStringLiteral("again") } } } } },
             next);
        QCOMPARE(next.status, 200);
        const QByteArray sent = m_f.fake->received.last().body;
        QVERIFY2(sent.contains(R"("signature":"sig-anthropic-opaque")"), sent.constData());
        QVERIFY2(!sent.contains("turns-own-state") && !sent.contains("d2a."), sent.constData());
    }

    void streamTranslatedFromAnthropic()
    {
        RecordedCall rc;
        post({ { QStringLiteral("model"), QStringLiteral("think-anthropic") },
               { QStringLiteral("stream"), true },
               { QStringLiteral("turns"),
                 QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                            { QStringLiteral("text"), QStringLiteral("q") } } } } },
             rc);
        QCOMPARE(rc.status, 200);
        QVERIFY(rc.header("content-type").startsWith("text/event-stream"));
        QString text;
        QString seal;
        QString finish;
        for (const QByteArray &line : rc.body.split('\n')) {
            if (!line.startsWith("data: "))
                continue;
            const QJsonObject e = QJsonDocument::fromJson(line.mid(6)).object();
            text += e.value(QStringLiteral("text")).toString();
            seal += e.value(QStringLiteral("seal")).toString();
            finish += e.value(QStringLiteral("finish")).toString();
        }
        QCOMPARE(text, QStringLiteral("The answer is 42."));
        QVERIFY2(seal.startsWith(QStringLiteral("d2a.anthropic.t."))
                     && seal.endsWith(QStringLiteral(".sig-anthropic-opaque")),
                 qPrintable(seal));
        QCOMPARE(finish, QStringLiteral("done"));
    }

    void errorsInItsOwnShape()
    {
        RecordedCall unknown;
        const QJsonObject notFound = post({ { QStringLiteral("model"), QStringLiteral("think-anthropic") } }, unknown,
                                          QStringLiteral("/v5/nothing"));
        QCOMPARE(unknown.status, 404);
        QCOMPARE(notFound.value(QStringLiteral("problem")).toObject().value(QStringLiteral("status")).toInt(), 404);
        RecordedCall bad;
        const QJsonObject refused = post({ { QStringLiteral("model"), QStringLiteral("think-anthropic") } }, bad);
        QCOMPARE(bad.status, 400);
        QCOMPARE(refused.value(QStringLiteral("problem")).toObject().value(QStringLiteral("message")).toString(),
                 QStringLiteral("'turns' must be an array"));
    }

    void ownReasoningTaggedWithItsOwnTag()
    {
        // The fifth format's own reasoning state, going to a client of another format, is enveloped under its own
        // tag, and comes home to it (never to another vendor).
        ir::Part own;
        own.kind = ir::Part::Kind::Thinking;
        own.text = QStringLiteral("thought");
        own.signature = QStringLiteral("turns-state");
        own.signatureFormat = turnsFormat();
        const ir::Part inAnthropic = ir::forClient(own, WireFormat::Anthropic, QStringLiteral("m5"));
        QVERIFY2(inAnthropic.signature.startsWith(QStringLiteral("d2a.turns.t.")), qPrintable(inAnthropic.signature));
        ir::Part back;
        QVERIFY(ir::openEnvelope(inAnthropic.signature, WireFormat::Anthropic, &back));
        QCOMPARE(back.signatureFormat, turnsFormat());
        QCOMPARE(back.signature, QStringLiteral("turns-state"));
        QCOMPARE(back.signatureModel, QStringLiteral("m5"));
        // Gemini's field is bytes: the same envelope, in base64.
        const ir::Part inGemini = ir::forClient(own, WireFormat::Gemini, QStringLiteral("m5"));
        ir::Part fromGemini;
        QVERIFY(ir::openEnvelope(inGemini.signature, WireFormat::Gemini, &fromGemini));
        QCOMPARE(fromGemini.signatureFormat, turnsFormat());
        // A tag no format registered is nobody's: not opened, so not sent to any vendor as its own.
        ir::Part unknown;
        QVERIFY(!ir::openEnvelope(QStringLiteral("d2a.sixth.t.bTU.state"), WireFormat::Anthropic, &unknown));
        QVERIFY(!formatForTag(u"sixth"));
    }
};

QTEST_GUILESS_MAIN(TestFifth)
#include "tst_fifth.moc"
