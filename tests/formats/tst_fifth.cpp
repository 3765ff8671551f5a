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
using namespace Qt::StringLiterals;

class TestFifth : public QObject
{
    Q_OBJECT

    ProxyFixture m_f;
    QTemporaryDir m_home;

    static WireFormat turnsFormat() { return turns::spec().id; }

    QJsonObject post(const QJsonObject &body, RecordedCall &rc, const QString &path = u"/v5/turns"_s)
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
        QTest::failOnWarning(QRegularExpression(u".*"_s)); // an unexpected warning is a failure
        QVERIFY(m_f.up());
        Config c = m_f.config();
        ModelConfig m;
        m.id = u"think-anthropic"_s;
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
        const RouteMatch route = RouteTable::instance().match(u"/v5/turns"_s);
        QVERIFY(route.route);
        QCOMPARE(route.format, turnsFormat());
        QVERIFY(RouteTable::instance().endpoints().contains(u"POST /v5/turns"_s));
        // Usage names an unknown client's API after the route's format.
        QCOMPARE(clientName(u"curl/8"_s, turnsFormat()), u"Other (Turns)"_s);
    }

    void answerTranslatedFromAnthropic()
    {
        RecordedCall rc;
        const QJsonObject answer =
            post({ { u"model"_s, u"think-anthropic"_s },
                   { u"turns"_s, QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"text"_s, u"q"_s } } } } },
                 rc);
        QCOMPARE(rc.status, 200);
        // The request went to Factory's Anthropic route, written as Anthropic Messages.
        QCOMPARE(m_f.fake->received.last().path, QByteArray("/api/llm/a/v1/messages"));
        QCOMPARE(upstreamBody().value(u"messages"_s).toArray().first().toObject().value(u"role"_s).toString(),
                 u"user"_s);
        QVERIFY(upstreamBody().contains(u"max_tokens"_s)); // Anthropic's adaptTranslated ran
        // The answer in the fifth format: its text, finish name, usage, and Anthropic's thinking in an envelope.
        QCOMPARE(answer.value(u"text"_s).toString(), u"The answer is 42."_s);
        QCOMPARE(answer.value(u"finish"_s).toString(), u"done"_s);
        QVERIFY(answer.value(u"usage"_s).toObject().value(u"in"_s).toInt() > 0);
        const QJsonObject thought = answer.value(u"thought"_s).toObject();
        QCOMPARE(thought.value(u"text"_s).toString(), u"Let me think about it."_s);
        const QString seal = thought.value(u"seal"_s).toString();
        QVERIFY2(seal.startsWith(u"d2a.anthropic.t."_s) && seal.endsWith(u".sig-anthropic-opaque"_s), qPrintable(seal));

        // The next turn sends the history back: Anthropic gets its own signature exactly as issued, and never the
        // client's own vendor's state (a seal that is no envelope).
        RecordedCall next;
        post({ { u"model"_s, u"think-anthropic"_s },
               { u"turns"_s,
                 QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"text"_s, u"q"_s } },
                              QJsonObject { { u"role"_s, u"model"_s },
                                            { u"text"_s, u"The answer is 42."_s },
                                            { u"thought"_s, thought } },
                              QJsonObject { { u"role"_s, u"model"_s },
                                            { u"text"_s, u"mine"_s },
                                            { u"thought"_s, QJsonObject { { u"text"_s, u"own"_s },
                                                                          { u"seal"_s, u"turns-own-state"_s } } } },
                              QJsonObject { { u"role"_s, u"user"_s }, { u"text"_s, u"again"_s } } } } },
             next);
        QCOMPARE(next.status, 200);
        const QByteArray sent = m_f.fake->received.last().body;
        QVERIFY2(sent.contains(R"("signature":"sig-anthropic-opaque")"), sent.constData());
        QVERIFY2(!sent.contains("turns-own-state") && !sent.contains("d2a."), sent.constData());
    }

    void streamTranslatedFromAnthropic()
    {
        RecordedCall rc;
        post({ { u"model"_s, u"think-anthropic"_s },
               { u"stream"_s, true },
               { u"turns"_s, QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"text"_s, u"q"_s } } } } },
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
            text += e.value(u"text"_s).toString();
            seal += e.value(u"seal"_s).toString();
            finish += e.value(u"finish"_s).toString();
        }
        QCOMPARE(text, u"The answer is 42."_s);
        QVERIFY2(seal.startsWith(u"d2a.anthropic.t."_s) && seal.endsWith(u".sig-anthropic-opaque"_s), qPrintable(seal));
        QCOMPARE(finish, u"done"_s);
    }

    void errorsInItsOwnShape()
    {
        RecordedCall unknown;
        const QJsonObject notFound = post({ { u"model"_s, u"think-anthropic"_s } }, unknown, u"/v5/nothing"_s);
        QCOMPARE(unknown.status, 404);
        QCOMPARE(notFound.value(u"problem"_s).toObject().value(u"status"_s).toInt(), 404);
        RecordedCall bad;
        const QJsonObject refused = post({ { u"model"_s, u"think-anthropic"_s } }, bad);
        QCOMPARE(bad.status, 400);
        QCOMPARE(refused.value(u"problem"_s).toObject().value(u"message"_s).toString(), u"'turns' must be an array"_s);
    }

    void ownReasoningTaggedWithItsOwnTag()
    {
        // The fifth format's own reasoning state, going to a client of another format, is enveloped under its own
        // tag, and comes home to it (never to another vendor).
        ir::Part own;
        own.kind = ir::Part::Kind::Thinking;
        own.text = u"thought"_s;
        own.signature = u"turns-state"_s;
        own.signatureFormat = turnsFormat();
        const ir::Part inAnthropic = ir::forClient(own, WireFormat::Anthropic, u"m5"_s);
        QVERIFY2(inAnthropic.signature.startsWith(u"d2a.turns.t."_s), qPrintable(inAnthropic.signature));
        ir::Part back;
        QVERIFY(ir::openEnvelope(inAnthropic.signature, WireFormat::Anthropic, &back));
        QCOMPARE(back.signatureFormat, turnsFormat());
        QCOMPARE(back.signature, u"turns-state"_s);
        QCOMPARE(back.signatureModel, u"m5"_s);
        // Gemini's field is bytes: the same envelope, in base64.
        const ir::Part inGemini = ir::forClient(own, WireFormat::Gemini, u"m5"_s);
        ir::Part fromGemini;
        QVERIFY(ir::openEnvelope(inGemini.signature, WireFormat::Gemini, &fromGemini));
        QCOMPARE(fromGemini.signatureFormat, turnsFormat());
        // A tag no format registered is nobody's: not opened, so not sent to any vendor as its own.
        ir::Part unknown;
        QVERIFY(!ir::openEnvelope(u"d2a.sixth.t.bTU.state"_s, WireFormat::Anthropic, &unknown));
        QVERIFY(!formatForTag(u"sixth"));
    }
};

QTEST_GUILESS_MAIN(TestFifth)
#include "tst_fifth.moc"
