// The order- and byte-keeping JSON layer: strict parsing with spans, the writer, splices and edits by path.
#include "json/json.h"
#include "json/scan_p.h"

#include <random>
#include "json/jsonedit.h"
#include "json/jsonwriter.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

using namespace d2a;
using namespace d2a::json;

class TestJson final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    void valid_data()
    {
        QTest::addColumn<QByteArray>("text");
        const char *cases[] = { "{}",
                                "[]",
                                "0",
                                "-0",
                                "1.5e-7",
                                "-12.25E+3",
                                "\"\"",
                                "\"a\\u00e9\\n\"",
                                "true",
                                "false",
                                "null",
                                " { \"a\" : [ 1 , { } , [ ] , \"x\" ] } ",
                                "{\"\\u0061\":1,\"b\":2}",
                                "[\"\\ud83d\\ude00\"]",
                                "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
                                "123456789012345678901234567890",
                                "[1.0,2.50,1e400]",
                                "\"\\/\\b\\f\\r\\t\\\"\\\\\"",
                                "{\"a\":{\"a\":{\"a\":1}}}",
                                "[\"\\ud800\"]" };
        for (const char *c : cases)
            QTest::newRow(c) << QByteArray(c);
    }
    void valid()
    {
        QFETCH(QByteArray, text);
        auto doc = Document::parse(text);
        QVERIFY2(doc.ok(), doc.ok() ? "" : qPrintable(doc.error().message));
        // The root's span is the whole value without surrounding whitespace.
        QCOMPARE(doc.value().root().raw().toByteArray(), text.trimmed());
        // Agrees with Qt's parser where Qt is exact (no big numbers, no lone surrogates).
        if (!text.contains("1234567890123") && !text.contains("1e400") && !text.contains("ud800")
            && text.trimmed().startsWith('{')) {
            QJsonParseError pe;
            QJsonDocument::fromJson(text, &pe);
            QCOMPARE(pe.error, QJsonParseError::NoError);
        }
    }

    void invalid_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QByteArray("") << QStringLiteral("empty body");
        QTest::newRow("trailing comma obj") << QByteArray("{\"a\":1,}") << QStringLiteral("member name");
        QTest::newRow("trailing comma arr") << QByteArray("[1,]") << QStringLiteral("unexpected character");
        QTest::newRow("leading zero") << QByteArray("[01]") << QStringLiteral("expected ',' or ']'");
        QTest::newRow("bare dot") << QByteArray("[1.]") << QStringLiteral("invalid number");
        QTest::newRow("plus") << QByteArray("[+1]") << QStringLiteral("unexpected character");
        QTest::newRow("nan") << QByteArray("[NaN]") << QStringLiteral("unexpected character");
        QTest::newRow("single quotes") << QByteArray("{'a':1}") << QStringLiteral("member name");
        QTest::newRow("comment") << QByteArray("{/*x*/}") << QStringLiteral("member name");
        QTest::newRow("control char") << QByteArray("[\"a\tb\"]") << QStringLiteral("control character");
        QTest::newRow("bad escape") << QByteArray("[\"\\x\"]") << QStringLiteral("invalid escape");
        QTest::newRow("bad unicode") << QByteArray("[\"\\u12g4\"]") << QStringLiteral("\\u escape");
        QTest::newRow("invalid utf8") << QByteArray("[\"\xff\"]") << QStringLiteral("invalid UTF-8");
        QTest::newRow("overlong utf8") << QByteArray("[\"\xc0\xaf\"]") << QStringLiteral("invalid UTF-8");
        QTest::newRow("surrogate utf8") << QByteArray("[\"\xed\xa0\x80\"]") << QStringLiteral("invalid UTF-8");
        QTest::newRow("truncated utf8") << QByteArray("[\"\xe2\x82\"]") << QStringLiteral("invalid UTF-8");
        QTest::newRow("unterminated") << QByteArray("{\"a\":\"x") << QStringLiteral("unterminated string");
        QTest::newRow("unclosed") << QByteArray("{\"a\":[1,2") << QStringLiteral("unexpected end");
        QTest::newRow("two values") << QByteArray("{} {}") << QStringLiteral("after the JSON value");
        QTest::newRow("missing colon") << QByteArray("{\"a\" 1}") << QStringLiteral("expected ':'");
        QTest::newRow("duplicate") << QByteArray("{\"model\":\"a\",\"x\":1,\"model\":\"b\"}")
                                   << QStringLiteral("duplicate key 'model'");
        QTest::newRow("duplicate escaped")
            << QByteArray("{\"a\":1,\"\\u0061\":2}") << QStringLiteral("duplicate key 'a'");
        QTest::newRow("duplicate nested path")
            << QByteArray("{\"messages\":[{\"role\":\"user\"},{\"role\":\"x\",\"role\":\"y\"}]}")
            << QStringLiteral("(messages[1])");
        QTest::newRow("error path") << QByteArray("{\"tools\":[{\"name\":\"a\"},{\"name\":tru}]}")
                                    << QStringLiteral("(tools[1].name)");
        QByteArray deep(600, '[');
        deep += QByteArray(600, ']');
        QTest::newRow("too deep") << deep << QStringLiteral("nested deeper than 512");
    }
    void invalid()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        auto doc = Document::parse(text);
        QVERIFY(!doc.ok());
        QCOMPARE(doc.error().httpStatus, 400);
        QVERIFY2(doc.error().message.contains(message), qPrintable(doc.error().message));
    }

    void specialBytesAtEveryOffsetOfALongString()
    {
        // Plain text is skipped in 16- or 8-byte steps; every special byte must still be seen wherever it lies
        // relative to those steps, and the string's value and end must come out the same.
        for (int len : { 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47 }) {
            for (int at = 0; at < len; ++at) {
                auto body = [&](const QByteArray &insert) -> QByteArray {
                    QByteArray text(len, 'a');
                    text.replace(at, 1, insert);
                    return "[\"" + text + "\",1]";
                };
                auto ok = [&](const QByteArray &insert, const QString &expected) -> QString {
                    auto doc = Document::parse(body(insert));
                    if (!doc.ok())
                        return QStringLiteral("refused: ") + doc.error().message;
                    const QString got = doc.value().root().at(0).toString();
                    return got == expected ? QString()
                                           : QStringLiteral("read as '%1', not '%2'")
                                                 .arg(QString::fromLatin1(got.toUtf8().toPercentEncoding()),
                                                      QString::fromLatin1(expected.toUtf8().toPercentEncoding()));
                };
                auto bad = [&](const QByteArray &insert, const QString &message) -> QString {
                    auto doc = Document::parse(body(insert));
                    if (doc.ok())
                        return QStringLiteral("accepted");
                    return doc.error().message.contains(message) ? QString() : doc.error().message;
                };
                QString expected(len, u'a');
                const QString where = QStringLiteral(" (length %1, offset %2)").arg(len).arg(at);
                auto withAt = [&](QChar c) {
                    QString s = expected;
                    s[at] = c;
                    return s;
                };
                QString r = ok("\\n", withAt(u'\n'));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = ok("\\\"", withAt(u'"'));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = ok("\xc3\xa9", withAt(QChar(0xe9)));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = ok("\x7f", withAt(QChar(0x7f))); // DEL is allowed
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = bad(QByteArray(1, '\t'), QStringLiteral("control character"));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = bad(QByteArray(1, '\x1f'), QStringLiteral("control character"));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = bad(QByteArray(1, '\0'), QStringLiteral("control character"));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = bad("\xff", QStringLiteral("invalid UTF-8"));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = bad("\x80", QStringLiteral("invalid UTF-8"));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                // Several specials close together, wider characters, and faults the block scan hands on.
                auto withAtText = [&](const QString &t) {
                    QString s = expected;
                    s.replace(at, 1, t);
                    return s;
                };
                r = ok("\\n\\t\\\\", withAtText(QStringLiteral("\n\t\\")));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = ok("\\u00e9\\/", withAtText(QStringLiteral("\u00e9/")));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = ok("\xe2\x82\xac\xf0\x9f\x98\x80", withAtText(QString::fromUtf8("\xe2\x82\xac\xf0\x9f\x98\x80")));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = bad("\\u12g4", QStringLiteral("\\u escape"));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = bad("\\x", QStringLiteral("invalid escape"));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = bad("\xe2\x82", QStringLiteral("invalid UTF-8"));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                r = bad("\\n\x01", QStringLiteral("control character"));
                QVERIFY2(r.isEmpty(), qPrintable(r + where));
                // A quote ends the string early: what follows is then not JSON.
                QVERIFY2(!Document::parse(body("\"")).ok() || at == len - 1, qPrintable(where));
            }
            // Unterminated at every length: the scan must stop at the end of the buffer.
            QVERIFY(!Document::parse("[\"" + QByteArray(len, 'a')).ok());
        }
    }

    void blockSkipsStopAtOrBeforeTheFirstSpecialByte()
    {
        // Every variant compiled here (the portable word skip always; SSE2 on x86-64) against the byte rule,
        // over random text with special bytes sprinkled at every density.
        std::mt19937 rng(20261129);
        for (int round = 0; round < 4000; ++round) {
            const int len = int(rng() % 80);
            const int density = 1 + int(rng() % 40);
            std::string text;
            for (int i = 0; i < len; ++i) {
                unsigned char c = 'a' + rng() % 26;
                if (int(rng() % density) == 0) {
                    static const unsigned char specials[] = {
                        '"', '\\', 0, 0x1f, '\n', 0x80, 0xc3, 0xff, 0x7f, ' ', '~'
                    };
                    c = specials[rng() % sizeof specials];
                }
                text.push_back(char(c));
            }
            const auto *b = reinterpret_cast<const unsigned char *>(text.data());
            const auto *e = b + text.size();
            const auto *first = b;
            while (first < e && !scan::isSpecial(*first))
                ++first;
            auto check = [&](const unsigned char *got, const char *variant) {
                QVERIFY2(got >= b && got <= first, variant);
                for (const unsigned char *q = b; q < got; ++q)
                    QVERIFY2(!scan::isSpecial(*q), variant);
            };
            check(scan::skipPlainWords(b, e), "words");
#if defined(__SSE2__)
            check(scan::skipPlainSse2(b, e), "sse2");
            if (first < e && first - b < (e - b) / 16 * 16)
                QCOMPARE(scan::skipPlainSse2(b, e), first); // exact inside full blocks
#endif
        }
    }

    void duplicatesAmongManyKeys()
    {
        QByteArray text = "{";
        for (int i = 0; i < 40; ++i)
            text += "\"k" + QByteArray::number(i) + "\":" + QByteArray::number(i) + ',';
        QVERIFY(Document::parse(text + "\"z\":0}").ok());
        auto doc = Document::parse(text + "\"k7\":0}");
        QVERIFY(!doc.ok());
        QVERIFY(doc.error().message.contains(QStringLiteral("duplicate key 'k7'")));
    }

    void valuesAndSpans()
    {
        const QByteArray text = R"({ "model" : "gpt-\u0035", "n": 12345678901234567890123, "f": 1.0, "t": true,
            "list": [ {"a": 1}, "two", null ], "nested": {"z": 1, "a": 2} })";
        auto parsed = Document::parse(text);
        QVERIFY(parsed.ok());
        const Value root = parsed.value().root();
        QCOMPARE(root.size(), 6);
        QCOMPARE(root["model"].toString(), QStringLiteral("gpt-5"));
        QVERIFY(root["model"].stringIs(QLatin1StringView("gpt-5")));
        QCOMPARE(root["model"].raw().toByteArray(), QByteArray("\"gpt-\\u0035\""));
        QCOMPARE(root["n"].raw().toByteArray(), QByteArray("12345678901234567890123")); // exact, not rounded
        QCOMPARE(root["f"].raw().toByteArray(), QByteArray("1.0"));
        QCOMPARE(root["f"].toDouble(), 1.0);
        QCOMPARE(root["f"].toInteger(-1), qint64(1));
        QVERIFY(root["t"].toBool());
        QCOMPARE(root["list"].size(), 3);
        QCOMPARE(root["list"].at(0)["a"].toInteger(), qint64(1));
        QCOMPARE(root["list"].at(1).toString(), QStringLiteral("two"));
        QVERIFY(root["list"].at(2).isNull());
        QVERIFY(root["list"].at(3).isUndefined());
        QVERIFY(root["missing"].isUndefined());
        QStringList keys;
        for (Value m : root["nested"].children())
            keys << m.key();
        QCOMPARE(keys, QStringList({ QStringLiteral("z"), QStringLiteral("a") })); // source order, not sorted
        QCOMPARE(text.mid(root["nested"].keyStart(), 8), QByteArray("\"nested\""));
    }

    void memberSpanFindsOnlyTopLevelMembers_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("span"); // "-" for none
        QTest::newRow("plain") << QByteArray("{\"a\":1,\"usage\":{\"x\":2}}") << QByteArray("usage")
                               << QByteArray("{\"x\":2}");
        QTest::newRow("spaces") << QByteArray(" {\n \"a\" : [1, {\"usage\":3}] ,\t\"usage\" : null } ")
                                << QByteArray("usage") << QByteArray("null");
        // A nested member of the same name is skipped; so is the name inside a string, escaped or not.
        QTest::newRow("nested first") << QByteArray(
            "{\"c\":[{\"args\":{\"usageMetadata\":{\"n\":1}}}],\"usageMetadata\":{\"n\":2}}")
                                      << QByteArray("usageMetadata") << QByteArray("{\"n\":2}");
        QTest::newRow("in a string") << QByteArray("{\"t\":\"\\\"usage\\\":{\\\"n\\\":1} \\\\\",\"usage\":{\"n\":2}}")
                                     << QByteArray("usage") << QByteArray("{\"n\":2}");
        QTest::newRow("braces in a string") << QByteArray("{\"t\":\"}}]]{\",\"usage\":{\"s\":\"}\"}}")
                                            << QByteArray("usage") << QByteArray("{\"s\":\"}\"}");
        QTest::newRow("absent") << QByteArray("{\"a\":{\"usage\":1}}") << QByteArray("usage") << QByteArray("-");
        QTest::newRow("not an object") << QByteArray("[{\"usage\":1}]") << QByteArray("usage") << QByteArray("-");
        QTest::newRow("cut short") << QByteArray("{\"a\":\"x\",\"usage\":{\"n\":") << QByteArray("usage")
                                   << QByteArray("-");
        QTest::newRow("unterminated string") << QByteArray("{\"a\":\"x") << QByteArray("usage") << QByteArray("-");
        QTest::newRow("empty") << QByteArray() << QByteArray("usage") << QByteArray("-");
    }

    void memberSpanFindsOnlyTopLevelMembers()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, span);
        const auto found = json::memberSpan(text, key);
        if (span == "-") {
            QVERIFY(!found);
            return;
        }
        QVERIFY(found);
        QCOMPARE(found->toByteArray(), span);
    }

    void writtenStringsReadBackAtEveryOffset()
    {
        // Plain ASCII is written 8 units at a time; every other unit must be seen wherever it lies relative to
        // those steps, and what is written must read back as the same text.
        const QString specials[] = { QStringLiteral("\""),
                                     QStringLiteral("\\"),
                                     QStringLiteral("\n"),
                                     QString(QChar(0x01)),
                                     QString(QChar(0x7f)),
                                     QString(QChar(0xe9)),
                                     QString::fromUtf8("\xf0\x9f\x98\x80"),
                                     QString(QChar(0xd800)) };
        for (int len : { 1, 7, 8, 9, 15, 16, 17, 24, 33 }) {
            for (int at = 0; at < len; ++at) {
                for (const QString &special : specials) {
                    QString text(len, u'a');
                    text.replace(at, 1, special);
                    const QByteArray written = "[" + quoted(text) + "]";
                    auto doc = Document::parse(written);
                    QVERIFY2(doc.ok(), written.constData());
                    QCOMPARE(doc.value().root().at(0).toString(), text);
                }
            }
        }
    }

    void writerKeepsOrderAndEscapes()
    {
        QByteArray out;
        Writer w(&out);
        w.beginObject()
            .member(QLatin1StringView("type"), "content_block_start")
            .member(QLatin1StringView("index"), 0)
            .key(QLatin1StringView("text"))
            .string(QStringLiteral("quote \" backslash \\ nl \n tab \t bell \x07 é 😀"))
            .key(QLatin1StringView("lone"))
            .string(QString(QChar(0xD800)))
            .key(QLatin1StringView("n"))
            .number(0.1)
            .key(QLatin1StringView("i"))
            .number(3.0)
            .key(QLatin1StringView("list"))
            .beginArray()
            .number(qint64(1))
            .raw("{\"z\":1,\"a\":2}")
            .null()
            .endArray()
            .endObject();
        QCOMPARE(out,
                 QByteArray(
                     "{\"type\":\"content_block_start\",\"index\":0,\"text\":\"quote \\\" backslash \\\\ nl \\n tab "
                     "\\t bell "
                     "\\u0007 \xc3\xa9 "
                     "\xf0\x9f\x98\x80\",\"lone\":\"\\ud800\",\"n\":0.1,\"i\":3,\"list\":[1,{\"z\":1,\"a\":2},null]}"));
        auto back = Document::parse(out);
        QVERIFY(back.ok());
        QCOMPARE(back.value().root()["text"].toString(),
                 QStringLiteral("quote \" backslash \\ nl \n tab \t bell \x07 é 😀"));
        QCOMPARE(back.value().root()["lone"].toString(), QString(QChar(0xD800)));
    }

    void patcherSplicesOnlyWhatChanges()
    {
        const QByteArray text =
            "{ \"z\":1,  \"model\" : \"a\",\"keep\":{\"b\":1.0,\"a\":[3,2,1]}, \"drop\":true ,\"last\":9 }";
        auto parsed = Document::parse(text);
        QVERIFY(parsed.ok());
        const Value root = parsed.value().root();
        Patcher p(parsed.value());
        p.setMember(root, QLatin1StringView("model"), "\"b\"");
        p.removeMember(root, QLatin1StringView("drop"));
        p.setMember(root, QLatin1StringView("added"), "{\"x\":1}");
        p.insertElement(root["keep"]["a"], 0, "4");
        QCOMPARE(p.apply(), QByteArray("{ \"z\":1,  \"model\" : \"b\",\"keep\":{\"b\":1.0,\"a\":[4,3,2,1]}, "
                                       "\"last\":9,\"added\":{\"x\":1} }"));

        Patcher first(parsed.value());
        first.removeMember(root, QLatin1StringView("z"));
        first.removeMember(root, QLatin1StringView("last"));
        QCOMPARE(first.apply(), QByteArray("{ \"model\" : \"a\",\"keep\":{\"b\":1.0,\"a\":[3,2,1]}, \"drop\":true }"));

        auto empty = Document::parse("{}");
        Patcher e(empty.value());
        e.setMember(empty.value().root(), QLatin1StringView("a"), "1");
        QCOMPARE(e.apply(), QByteArray("{\"a\":1}"));
        auto one = Document::parse("{\"only\":1}");
        Patcher o(one.value());
        o.removeMember(one.value().root(), QLatin1StringView("only"));
        QCOMPARE(o.apply(), QByteArray("{}"));
        // Neighbours removed together, the last members, every member, with members added.
        auto many = Document::parse("{\"a\":1, \"b\":2, \"c\":3, \"d\":4}");
        Patcher tail(many.value());
        tail.removeMember(many.value().root(), "c");
        tail.removeMember(many.value().root(), "d");
        tail.setMember(many.value().root(), "e", "5");
        QCOMPARE(tail.apply(), QByteArray("{\"a\":1, \"b\":2,\"e\":5}"));
        Patcher head(many.value());
        head.removeMember(many.value().root(), "a");
        head.removeMember(many.value().root(), "b");
        QCOMPARE(head.apply(), QByteArray("{\"c\":3, \"d\":4}"));
        Patcher all(many.value());
        for (const char *k : { "a", "b", "c", "d" })
            all.removeMember(many.value().root(), QLatin1StringView(k));
        all.setMember(many.value().root(), "z", "0");
        QCOMPARE(all.apply(), QByteArray("{\"z\":0}"));
        auto arr = Document::parse("[1,2]");
        Patcher a(arr.value());
        a.insertElement(arr.value().root(), 2, "3");
        QCOMPARE(a.apply(), QByteArray("[1,2,3]"));
        // Array elements removed: the first, neighbours in the middle, the last, every one; an edit beside them.
        auto list = Document::parse("[ {\"a\":1}, 2 ,3, [4], \"5\" ]");
        QVERIFY(list.ok());
        const Value items = list.value().root();
        Patcher firstEl(list.value());
        firstEl.removeElement(items, items.at(0));
        QCOMPARE(firstEl.apply(), QByteArray("[ 2 ,3, [4], \"5\" ]"));
        Patcher middle(list.value());
        middle.removeElement(items, items.at(1));
        middle.removeElement(items, items.at(2));
        middle.replace(items.at(0)["a"], "9");
        QCOMPARE(middle.apply(), QByteArray("[ {\"a\":9}, [4], \"5\" ]"));
        Patcher lastEl(list.value());
        lastEl.removeElement(items, items.at(4));
        QCOMPARE(lastEl.apply(), QByteArray("[ {\"a\":1}, 2 ,3, [4] ]"));
        Patcher every(list.value());
        for (int i = 0; i < 5; ++i)
            every.removeElement(items, items.at(i));
        QCOMPARE(every.apply(), QByteArray("[]"));
    }

    void textKeepsItsTokenUntilChanged()
    {
        // A string read as Text is written back as the same token (its escapes as the client chose them),
        // decoded only when asked, and a changed Text is escaped afresh.
        const QByteArray source = "{\"a\":\"caf\\u00e9 \\/ \\\"q\\\"\\n\",\"e\":\"\",\"n\":5}";
        auto doc = Document::parse(source);
        QVERIFY(doc.ok());
        const Value root = doc.value().root();
        const Text a = root["a"].toText();
        QCOMPARE(a.token(), QByteArrayView("\"caf\\u00e9 \\/ \\\"q\\\"\\n\""));
        QVERIFY(!a.isEmpty());
        QCOMPARE(a.toString(), QStringLiteral("caf\u00e9 / \"q\"\n"));
        QCOMPARE(a.toString(), root["a"].toString());
        QVERIFY(root["e"].toText().isEmpty());
        QVERIFY(!root["e"].toText().token().isEmpty());
        QVERIFY(root["n"].toText().isEmpty()); // not a string
        QVERIFY(root["n"].toText().token().isEmpty());

        QByteArray out;
        Writer(&out).beginArray().string(a).string(root["e"].toText()).string(Text(QStringLiteral("x\"y"))).endArray();
        QCOMPARE(out, QByteArray("[\"caf\\u00e9 \\/ \\\"q\\\"\\n\",\"\",\"x\\\"y\"]"));

        Text changed = a;
        changed += QStringLiteral("!");
        QVERIFY(changed.token().isEmpty());
        QCOMPARE(changed.toString(), a.toString() + u'!');
        out.clear();
        Writer(&out).string(changed);
        QCOMPARE(out, json::quoted(a.toString() + u'!'));
        // The token stays valid after its document is gone: it shares the source's bytes.
        const Text kept = a;
        doc = Document::parse(QByteArray("{}"));
        QCOMPARE(kept.toString(), QStringLiteral("caf\u00e9 / \"q\"\n"));
        QVERIFY(kept == a && kept != changed);
    }

    void writerRecordsTheTreeAParseFinds()
    {
        // Every way of writing a value, nested, with keys plain and escaped, strings with and without escapes,
        // values copied from a document and exact JSON from elsewhere: the tree recorded while writing is
        // exactly the one Document::parse finds in the text.
        auto source = Document::parse(
            QByteArray("{\"s\":\"a\\\"b\",\"o\":{\"k\":[1,{\"x\":null}],\"e\\u0041\":\"t\"},\"n\":-2.5e3}"));
        QVERIFY(source.ok());
        const Value root = source.value().root();
        QByteArray out;
        Writer w(&out);
        w.recordTree();
        w.beginObject()
            .member("plain", "v")
            .member(QLatin1StringView("n"), 42)
            .key(QStringView(u"quo\"ted"))
            .string(QStringView(u"line\nbreak"))
            .member("t", root["s"].toText())
            .member("q", QStringLiteral("caf\u00e9"))
            .key("copied")
            .value(root["o"])
            .key("number")
            .value(root["n"])
            .key("missing")
            .value(root["nope"])
            .memberRaw("raw", "{\"a\":[true,false,\"x\\n\"],\"b\":{}}")
            .key("list")
            .beginArray()
            .number(1.5)
            .number(std::nan(""))
            .boolean(true)
            .null()
            .beginArray()
            .endArray()
            .beginObject()
            .endObject()
            .value(root["o"]["k"])
            .raw("\"r\"")
            .stringUtf8("u8")
            .endArray()
            .endObject();
        auto written = w.takeDocument();
        QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().message));
        QVERIFY(out.isEmpty()); // the text moved into the document
        auto parsed = Document::parse(written.value().source());
        QVERIFY2(parsed.ok(), written.value().source().constData());
        QVERIFY2(written.value().sameTreeAs(parsed.value()), written.value().source().constData());
        // And it reads as a document: lookups, keys, escapes.
        const Value r = written.value().root();
        QCOMPARE(r["copied"]["k"].at(1)["x"].type(), Type::Null);
        QVERIFY(r["t"].toString() == QStringLiteral("a\"b"));
        QCOMPARE(r["list"].size(), 9);
        QCOMPARE(r["quo\"ted"].toString(), QStringLiteral("line\nbreak")); // an escaped key, found by its name
        int keys = 0;
        for (Value m : r.children())
            keys += m.keyIs("quo\"ted") ? 1 : 0;
        QCOMPARE(keys, 1);
        // A document differs from one with other text or another tree.
        auto other = Document::parse(QByteArray("{\"a\":1}"));
        QVERIFY(!written.value().sameTreeAs(other.value()));

        // Invalid exact JSON, an unclosed container, nothing written: no document.
        QByteArray bad;
        Writer b(&bad);
        b.recordTree();
        b.beginArray().raw("{oops").endArray();
        QVERIFY(!b.takeDocument().ok());
        QByteArray open;
        Writer o(&open);
        o.recordTree();
        o.beginObject().member("a", 1);
        QVERIFY(!o.takeDocument().ok());
        QByteArray none;
        Writer n(&none);
        QVERIFY(!n.takeDocument().ok());
    }

    void stringScanAgreesWithAPlainValidator()
    {
        // The 64-byte scan finds escapes by bit arithmetic across chunk boundaries: random strings dense in
        // backslashes, quotes, \u escapes, control and non-ASCII bytes, long enough to span several chunks and
        // ending anywhere near the end of the text, are accepted or refused exactly as a byte-by-byte JSON
        // string validator says, and read back as the same text.
        auto isHex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
        // Where the string ends (one past its closing quote), or -1 when the text is not one valid string.
        auto valid = [&](const QByteArray &t) -> qsizetype {
            if (t.isEmpty() || t[0] != '"')
                return -1;
            qsizetype i = 1;
            for (;;) {
                if (i >= t.size())
                    return -1;
                const unsigned char c = uchar(t[i]);
                if (c == '"') {
                    const qsizetype end = i + 1;
                    for (++i; i < t.size(); ++i)
                        if (t[i] != ' ')
                            return -1;
                    return end;
                }
                if (c == '\\') {
                    if (i + 1 >= t.size())
                        return -1;
                    const char e = t[i + 1];
                    if (e == 'u') {
                        if (i + 5 >= t.size())
                            return -1;
                        for (int k = 2; k < 6; ++k)
                            if (!isHex(t[i + k]))
                                return -1;
                        i += 6;
                    } else if (QByteArrayView("\"\\/bfnrt").contains(e)) {
                        i += 2;
                    } else {
                        return -1;
                    }
                } else if (c < 0x20) {
                    return -1;
                } else if (c >= 0x80) { // UTF-8 by its definition: decode, then refuse overlong forms,
                    // surrogates and anything above U+10FFFF
                    const int n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
                    if (n == 0 || c >= 0xf8 || i + n > t.size())
                        return -1;
                    char32_t cp = c & (0x7f >> n);
                    for (int k = 1; k < n; ++k) {
                        if ((uchar(t[i + k]) & 0xc0) != 0x80)
                            return -1;
                        cp = (cp << 6) | (uchar(t[i + k]) & 0x3f);
                    }
                    if (cp < (n == 2   ? 0x80u
                              : n == 3 ? 0x800u
                                       : 0x10000u)
                        || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return -1;
                    i += n;
                } else {
                    ++i;
                }
            }
        };
        const QList<QByteArray> units = { "a", "b", "\\", "\\", "\\", "\"", "n", "u", "0", "F", "\\n", "\\\"",
                                          "\\u00e9", "\\u12", "\xc3\xa9", "\x01", "\xff", " ", "xyzxyzxyz",
                                          // UTF-8 of 2, 3 and 4 bytes, crossing chunk ends as they fall; then
                                          // a lone continuation, cut-short, overlong and surrogate forms
                                          "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3\xa9\xe2\x82\xac", "\x80",
                                          "\xe2\x82", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                          "\xf0\x9f\x98" };
        std::mt19937 rng(20261204);
        int accepted = 0, refused = 0;
        for (int round = 0; round < 40000; ++round) {
            QByteArray body;
            const int length = int(rng() % 220);
            const int shape = int(rng() % 3);
            const bool plain = shape != 2; // mostly valid: the fast path's own inputs
            QList<qsizetype> boundaries { 0 }; // between units: where a fault may go
            while (body.size() < length) {
                const QByteArray &u = units[qsizetype(rng() % quint32(units.size()))];
                if (plain
                    && (u == "\"" || u == "\\" || u == "\x01" || u == "\xff" || u == "\\u12" || u == "u"
                        || (uchar(u[0]) >= 0x80 && !u.startsWith("\xc3") && !u.startsWith("\xe2\x82\xac")
                            && !u.startsWith("\xf0\x9f\x98\x80"))))
                    continue;
                body += u;
                boundaries.append(body.size());
            }
            if (shape == 1) { // valid but for one fault, anywhere: refused even inside a fast 64-byte chunk
                static const QList<QByteArray> faults = {
                    "\\a",  "\\ ",      "\\x41",        "\\u12g4",  "\\U0041",         "\x01", "\x1f", "\xff",
                    "\x80", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80"
                };
                body.insert(boundaries.at(qsizetype(rng() % quint32(boundaries.size()))),
                            faults.at(qsizetype(rng() % quint32(faults.size()))));
            }
            const QByteArray text = '"' + body + '"' + QByteArray(int(rng() % 80), ' ');
            const qsizetype end = valid(text);
            auto doc = Document::parse(text);
            QVERIFY2(doc.ok() == (end > 0), text.toPercentEncoding().constData());
            if (end < 0) {
                ++refused;
                continue;
            }
            ++accepted;
            const Value root = doc.value().root();
            QCOMPARE(root.end(), end);
            QCOMPARE(root.toString(), json::decodeString(root.raw()));
            QCOMPARE(json::decodeStringUtf8(root.raw()), root.toString().toUtf8()); // the UTF-8 decoder agrees
            const bool ascii = std::all_of(body.cbegin(), body.cend(), [](char c) { return uchar(c) < 0x80; });
            if (!body.contains('\\') && ascii) // the escape flag decides how stringIs compares
                QVERIFY(root.stringIs(QLatin1StringView(body)));
            else if (body.contains('\\') && ascii)
                QCOMPARE(root.stringIs(QLatin1StringView(root.raw().sliced(1).chopped(1))),
                         root.toString() == QLatin1StringView(root.raw().sliced(1).chopped(1)));
        }
        QVERIFY(accepted > 5000 && refused > 5000); // both sides were tried
        // A character that runs from one 64-byte chunk into the next, then a fault in that next chunk: the fault
        // is named where it is (the careful scan starts from the character's first byte, not inside it).
        for (int at = 56; at < 68; ++at)
            for (const QByteArray &character :
                 { QByteArray("\xc3\xa9"), QByteArray("\xe2\x82\xac"), QByteArray("\xf0\x9f\x98\x80") }) {
                const QByteArray text = '"' + QByteArray(at, 'a') + character + "bc\x01" + QByteArray(90, 'd') + '"';
                auto doc = Document::parse(text);
                QVERIFY(!doc.ok());
                const qsizetype fault = text.indexOf('\x01');
                QCOMPARE(doc.error().message,
                         QStringLiteral("invalid JSON at byte %1: control character in a string").arg(fault));
                QVERIFY(Document::parse(QByteArray(text).replace('\x01', ' ')).ok());
            }
    }

    void fragmentKeepsAValueWithItsTree()
    {
        // A value copied out of its document keeps the tree a parse of its text finds, outlives the document,
        // and is written into another document with that tree.
        Fragment schema;
        {
            auto doc = Document::parse(
                QByteArray("{\"tools\":[{\"name\":\"t\",\"input_schema\":{\"type\":\"object\",\"properties\":{"
                           "\"p\\u0041\":{\"type\":\"string\",\"enum\":[\"a\\n\",1.50]}}}}]}"));
            QVERIFY(doc.ok());
            schema = Fragment(doc.value().root()["tools"].at(0)["input_schema"]);
            QVERIFY(Fragment(doc.value().root()["nope"]).isEmpty());
        }
        QVERIFY(!schema.isEmpty());
        QCOMPARE(
            schema.text(),
            QByteArray(
                "{\"type\":\"object\",\"properties\":{\"p\\u0041\":{\"type\":\"string\",\"enum\":[\"a\\n\",1.50]}}}"));
        auto parsed = Document::parse(schema.text());
        QVERIFY(parsed.ok());
        QCOMPARE(schema.root().rawKey(), QByteArrayView()); // no longer a member
        QCOMPARE(schema.root()["properties"]["pA"]["enum"].at(1).raw(), QByteArrayView("1.50"));
        QByteArray out;
        Writer w(&out);
        w.recordTree();
        w.beginObject().key("parameters").value(schema.root()).endObject();
        auto written = w.takeDocument();
        QVERIFY(written.ok());
        auto reparsed = Document::parse(written.value().source());
        QVERIFY(reparsed.ok());
        QVERIFY(written.value().sameTreeAs(reparsed.value()));
        // A whole written document kept as a fragment.
        const Fragment whole(std::move(parsed.value()));
        QCOMPARE(whole.text(), schema.text());
        QVERIFY(Fragment(Document()).isEmpty());
    }

    void editsByPathKeepTheFile()
    {
        const QByteArray file =
            "{\n    \"port\": 3000,\n    \"models\": [\n        { \"id\": \"a\", \"reasoning\": \"auto\" }\n    ],\n"
            "    \"unknown\": {\"keep\": [1,2]}\n}\n";
        // Replace a nested value.
        auto r = set(file, { "models", 0, "reasoning" }, "\"high\"");
        QVERIFY(r.ok());
        QCOMPARE(r.value(), QByteArray(file).replace("\"auto\"", "\"high\""));
        // Add a member, indented like its siblings.
        r = set(file, { "host" }, "\"0.0.0.0\"");
        QVERIFY(r.ok());
        QCOMPARE(r.value(), QByteArray("{\n    \"port\": 3000,\n    \"models\": [\n        { \"id\": \"a\", "
                                       "\"reasoning\": \"auto\" }\n    ],\n"
                                       "    \"unknown\": {\"keep\": [1,2]},\n    \"host\": \"0.0.0.0\"\n}\n"));
        // Append an element, pretty-printed at its depth.
        r = set(file, { "models", 1 }, "{\"id\":\"b\",\"backend\":\"x\"}");
        QVERIFY(r.ok());
        QCOMPARE(r.value(),
                 QByteArray(
                     "{\n    \"port\": 3000,\n    \"models\": [\n        { \"id\": \"a\", \"reasoning\": \"auto\" },\n"
                     "        {\n            \"id\": \"b\",\n            \"backend\": \"x\"\n        }\n    ],\n"
                     "    \"unknown\": {\"keep\": [1,2]}\n}\n"));
        // Create objects on the way.
        r = set(file, { "timeouts", "connect_ms" }, "5");
        QVERIFY(r.ok());
        QVERIFY2(r.value().contains("\"timeouts\": {\n        \"connect_ms\": 5\n    }\n}"), r.value().constData());
        // Remove.
        r = remove(file, { "port" });
        QVERIFY(r.ok());
        QCOMPARE(r.value(),
                 QByteArray("{\n    \"models\": [\n        { \"id\": \"a\", \"reasoning\": \"auto\" }\n    ],\n"
                            "    \"unknown\": {\"keep\": [1,2]}\n}\n"));
        r = remove(file, { "unknown", "keep", 1 });
        QVERIFY(r.ok());
        QVERIFY(r.value().contains("{\"keep\": [1]}"));
        QCOMPARE(get(file, { "models", 0, "id" }).value_or(QByteArray()), QByteArray("\"a\""));
        QVERIFY(!get(file, { "nope" }));
        QVERIFY(!set("{ broken", { "a" }, "1").ok());
    }
};

QTEST_GUILESS_MAIN(TestJson)
#include "tst_json.moc"
