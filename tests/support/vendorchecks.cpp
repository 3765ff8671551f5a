#include "vendorchecks.h"

#include "json/jsonwriter.h"

#include <QtCore/qcryptographichash.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qset.h>
#include <QtCore/qstringlist.h>

using d2a::json::Writer;

namespace vendorchecks {

namespace {

constexpr char kSecret[] = "droid2api fake upstream signing secret";
constexpr char kPrefix[] = "d2a1";

QByteArray macOf(const QString &tag, const QString &model, const QString &extra, const QString &content)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(QByteArrayView(kSecret));
    for (const QString *s : { &tag, &model, &extra, &content }) {
        h.addData(QByteArrayView("\0", 1));
        h.addData(s->toUtf8());
    }
    return h.result().toHex().left(32);
}

QByteArray anthropicError(const QString &message)
{
    QByteArray out;
    Writer w(&out);
    w.beginObject().member("type", "error").key("error").beginObject();
    w.member("type", "invalid_request_error").member("message", message).endObject().endObject();
    return out;
}

QByteArray openaiError(const QString &message, const char *code)
{
    QByteArray out;
    Writer w(&out);
    w.beginObject().key("error").beginObject().member("message", message).member("type", "invalid_request_error");
    w.memberNull("param").key("code");
    if (code)
        w.string(QLatin1StringView(code));
    else
        w.null();
    w.endObject().endObject();
    return out;
}

QByteArray geminiError(const QString &message)
{
    QByteArray out;
    Writer w(&out);
    w.beginObject().key("error").beginObject().member("code", 400).member("message", message);
    w.member("status", "INVALID_ARGUMENT").endObject().endObject();
    return out;
}

Rejection anthropic(const QString &message)
{
    return { 400, anthropicError(message), message };
}

Rejection openai(const QString &message, const char *code = nullptr)
{
    return { 400, openaiError(message, code), message };
}

Rejection gemini(const QString &message)
{
    return { 400, geminiError(message), message };
}

QString formatOf(const QByteArray &path)
{
    if (path.contains("/messages"))
        return QStringLiteral("anthropic");
    if (path.contains("/responses"))
        return QStringLiteral("responses");
    if (path.contains("/chat/completions"))
        return QStringLiteral("chat");
    return QStringLiteral("gemini");
}

// --- Anthropic Messages

std::optional<Rejection> checkAnthropic(const QJsonObject &body)
{
    // Factory's Messages route keeps no threads: an unknown top-level field, in Anthropic's words for one.
    if (body.contains(QStringLiteral("thread")))
        return anthropic(QStringLiteral("thread: Extra inputs are not permitted"));
    // Structured outputs: output_config.format is {type: "json_schema", schema: {...}}.
    const QJsonValue format = body.value(QStringLiteral("output_config")).toObject().value(QStringLiteral("format"));
    if (!format.isUndefined()) {
        if (format.toObject().value(QStringLiteral("type")).toString() != u"json_schema")
            return anthropic(QStringLiteral("output_config.format.type: Input should be 'json_schema'"));
        if (!format.toObject().value(QStringLiteral("schema")).isObject())
            return anthropic(QStringLiteral("output_config.format.schema: Field required"));
    }
    const QJsonArray messages = body.value(QStringLiteral("messages")).toArray();
    static const QRegularExpression idPattern(QStringLiteral("^[a-zA-Z0-9_-]+$"));
    // Schema first: the tool_use id pattern.
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonArray content = messages[i].toObject().value(QStringLiteral("content")).toArray();
        for (qsizetype j = 0; j < content.size(); ++j) {
            const QJsonObject b = content[j].toObject();
            if (b.value(QStringLiteral("type")).toString() == u"tool_use"
                && !idPattern.match(b.value(QStringLiteral("id")).toString()).hasMatch())
                return anthropic(
                    QStringLiteral("messages.%1.content.%2.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'")
                        .arg(i)
                        .arg(j));
        }
    }
    // Each tool_result answers a tool_use of the previous (assistant) message.
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonObject m = messages[i].toObject();
        const QJsonArray content = m.value(QStringLiteral("content")).toArray();
        QSet<QString> previousUses;
        if (i > 0) {
            const QJsonObject prev = messages[i - 1].toObject();
            if (prev.value(QStringLiteral("role")).toString() == u"assistant")
                for (const QJsonValue &b : prev.value(QStringLiteral("content")).toArray())
                    if (b.toObject().value(QStringLiteral("type")).toString() == u"tool_use")
                        previousUses.insert(b.toObject().value(QStringLiteral("id")).toString());
        }
        for (qsizetype j = 0; j < content.size(); ++j) {
            const QJsonObject b = content[j].toObject();
            if (b.value(QStringLiteral("type")).toString() != u"tool_result")
                continue;
            const QString id = b.value(QStringLiteral("tool_use_id")).toString();
            if (!previousUses.contains(id))
                return anthropic(
                    QStringLiteral(
                        "messages.%1.content.%2: unexpected `tool_use_id` found in `tool_result` blocks: %3. "
                        "Each `tool_result` block must have a corresponding `tool_use` block in the previous "
                        "message.")
                        .arg(i)
                        .arg(j)
                        .arg(id));
        }
    }
    // With thinking on, a tool-result turn continues the last assistant message, which must start with thinking.
    const QString thinkingType =
        body.value(QStringLiteral("thinking")).toObject().value(QStringLiteral("type")).toString();
    const bool thinking = thinkingType == u"enabled" || thinkingType == u"adaptive";
    if (thinking && !messages.isEmpty()) {
        const QJsonObject last = messages.last().toObject();
        bool lastHasResult = false;
        if (last.value(QStringLiteral("role")).toString() == u"user")
            for (const QJsonValue &b : last.value(QStringLiteral("content")).toArray())
                lastHasResult =
                    lastHasResult || b.toObject().value(QStringLiteral("type")).toString() == u"tool_result";
        if (lastHasResult) {
            for (qsizetype i = messages.size() - 1; i >= 0; --i) {
                const QJsonObject m = messages[i].toObject();
                if (m.value(QStringLiteral("role")).toString() != u"assistant")
                    continue;
                const QJsonValue content = m.value(QStringLiteral("content"));
                const QString first =
                    content.isString() ? QStringLiteral("text")
                                       : content.toArray().first().toObject().value(QStringLiteral("type")).toString();
                if (first != u"thinking" && first != u"redacted_thinking")
                    return anthropic(
                        QStringLiteral(
                            "messages.%1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `%2`. "
                            "When "
                            "`thinking` is enabled, a final `assistant` message must start with a thinking block "
                            "(preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you "
                            "include thinking blocks from previous turns. To avoid this requirement, disable "
                            "`thinking`. "
                            "Please consult our documentation at "
                            "https://docs.claude.com/en/docs/build-with-claude/extended-thinking")
                            .arg(i)
                            .arg(first));
                break;
            }
        }
    }
    // Signatures last (the model reads them): each must be the fake's for exactly that thinking text.
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonArray content = messages[i].toObject().value(QStringLiteral("content")).toArray();
        for (qsizetype j = 0; j < content.size(); ++j) {
            const QJsonObject b = content[j].toObject();
            const QString type = b.value(QStringLiteral("type")).toString();
            if (type == u"thinking"
                && !verify(b.value(QStringLiteral("signature")).toString(), QStringLiteral("ant-thinking"),
                           b.value(QStringLiteral("thinking")).toString()))
                return anthropic(
                    QStringLiteral("messages.%1.content.%2: Invalid `signature` in `thinking` block").arg(i).arg(j));
            if (type == u"text"
                && b.value(QStringLiteral("text")).toString().isEmpty()) // maximhq/bifrost#1189, from opencode
                return anthropic(QStringLiteral("messages: text content blocks must be non-empty"));
            if (type == u"redacted_thinking"
                && !verify(b.value(QStringLiteral("data")).toString(), QStringLiteral("ant-redacted"), QString()))
                return anthropic(QStringLiteral("messages.%1.content.%2: Invalid `data` in `redacted_thinking` block")
                                     .arg(i)
                                     .arg(j));
        }
    }
    return std::nullopt;
}

// --- OpenAI Responses

std::optional<Rejection> checkResponses(const QJsonObject &body)
{
    // Structured outputs: a json_schema format is named.
    const QJsonObject textFormat =
        body.value(QStringLiteral("text")).toObject().value(QStringLiteral("format")).toObject();
    if (textFormat.value(QStringLiteral("type")).toString() == u"json_schema"
        && !textFormat.value(QStringLiteral("name")).isString())
        return openai(QStringLiteral("Missing required parameter: 'text.format.name'."), "missing_required_parameter");
    const QJsonArray input = body.value(QStringLiteral("input")).toArray();
    const bool storeFalse =
        body.value(QStringLiteral("store")).isBool() && !body.value(QStringLiteral("store")).toBool();
    const bool chained = body.value(QStringLiteral("previous_response_id")).isString();
    for (qsizetype n = 0; n < input.size(); ++n) {
        const QJsonObject item = input[n].toObject();
        const QString type = item.value(QStringLiteral("type")).toString();
        if (type != u"function_call" && type != u"function_call_output" && type != u"custom_tool_call"
            && type != u"custom_tool_call_output")
            continue;
        const QString callId = item.value(QStringLiteral("call_id")).toString();
        if (callId.size() > 64)
            return openai(QStringLiteral(
                              "Invalid 'input[%1].call_id': string too long. Expected a string with maximum length 64, "
                              "but got a string with length %2 instead.")
                              .arg(n)
                              .arg(callId.size()),
                          "string_above_max_length");
    }
    QSet<QString> calls;
    for (qsizetype n = 0; n < input.size(); ++n) {
        const QJsonObject item = input[n].toObject();
        const QString type = item.value(QStringLiteral("type")).toString();
        if (type == u"function_call" || type == u"custom_tool_call") {
            calls.insert(item.value(QStringLiteral("call_id")).toString());
        } else if (type == u"function_call_output") {
            const QString callId = item.value(QStringLiteral("call_id")).toString();
            if (!calls.contains(callId) && (storeFalse || !chained))
                return openai(
                    QStringLiteral("No tool call found for function call output with call_id %1.").arg(callId));
        } else if (type == u"reasoning" && storeFalse) {
            const QString id = item.value(QStringLiteral("id")).toString();
            const QString encrypted = item.value(QStringLiteral("encrypted_content")).toString();
            if (encrypted.isEmpty())
                return openai(
                    QStringLiteral("Item with id '%1' not found. Items are not persisted when `store` is set to false. "
                                   "Try again with `store` set to true, or remove this item from your input.")
                        .arg(id));
            const auto s = verify(encrypted, QStringLiteral("oai-reasoning"), QString());
            if (!s || s->extra != id)
                return openai(
                    QStringLiteral("The encrypted content for item %1 could not be verified. Reason: Encrypted content "
                                   "could not be decrypted or parsed.")
                        .arg(id),
                    "invalid_encrypted_content");
        }
    }
    return std::nullopt;
}

// --- Chat Completions

std::optional<Rejection> checkChat(const QJsonObject &body)
{
    const QJsonArray messages = body.value(QStringLiteral("messages")).toArray();
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonArray calls = messages[i].toObject().value(QStringLiteral("tool_calls")).toArray();
        for (qsizetype j = 0; j < calls.size(); ++j) {
            const QString id = calls[j].toObject().value(QStringLiteral("id")).toString();
            if (id.size() > 40)
                return openai(
                    QStringLiteral("Invalid 'messages[%1].tool_calls[%2].id': string too long. Expected a string with "
                                   "maximum length 40, but got a string with length %3 instead.")
                        .arg(i)
                        .arg(j)
                        .arg(id.size()),
                    "string_above_max_length");
        }
    }
    QStringList pending; // ids of the last assistant message's calls not answered yet
    QSet<QString> offered; // ids of the last non-tool message's calls
    auto unanswered = [&] {
        return openai(QStringLiteral(
                          "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                          "'tool_call_id'. The following tool_call_ids did not have response messages: %1")
                          .arg(pending.join(QStringLiteral(", "))));
    };
    for (const QJsonValue &v : messages) {
        const QJsonObject m = v.toObject();
        if (m.value(QStringLiteral("role")).toString() == u"tool") {
            const QString id = m.value(QStringLiteral("tool_call_id")).toString();
            if (!offered.contains(id))
                return openai(
                    QStringLiteral("Invalid parameter: messages with role 'tool' must be a response to a preceeding "
                                   "message with 'tool_calls'."));
            pending.removeAll(id);
            continue;
        }
        if (!pending.isEmpty())
            return unanswered();
        offered.clear();
        if (m.value(QStringLiteral("role")).toString() == u"assistant")
            for (const QJsonValue &c : m.value(QStringLiteral("tool_calls")).toArray()) {
                pending << c.toObject().value(QStringLiteral("id")).toString();
                offered.insert(pending.last());
            }
    }
    if (!pending.isEmpty())
        return unanswered();
    return std::nullopt;
}

// --- Gemini (3)

std::optional<Rejection> checkGemini(const QByteArray &path, const QJsonObject &body)
{
    QString model = body.value(QStringLiteral("model")).toString();
    const qsizetype at = path.indexOf("/models/");
    if (model.isEmpty() && at >= 0) { // the public API names the model in the path
        QByteArray m = path.mid(at + 8);
        m = m.left(m.indexOf(':') < 0 ? m.size() : m.indexOf(':'));
        model = QString::fromUtf8(m);
    }
    if (!model.contains(QStringLiteral("google"), Qt::CaseInsensitive)
        && !model.contains(QStringLiteral("gemini"), Qt::CaseInsensitive))
        return std::nullopt;
    const QJsonArray contents = body.value(QStringLiteral("contents")).toArray();
    auto isModel = [](const QJsonObject &c) { return c.value(QStringLiteral("role")).toString() == u"model"; };
    auto calls = [](const QJsonObject &c) {
        int k = 0;
        for (const QJsonValue &p : c.value(QStringLiteral("parts")).toArray())
            k += p.toObject().contains(QStringLiteral("functionCall")) ? 1 : 0;
        return k;
    };
    // Each model content's calls are answered by the next content with as many function responses.
    for (qsizetype i = 0; i + 1 < contents.size(); ++i) {
        const QJsonObject c = contents[i].toObject();
        const QJsonObject next = contents[i + 1].toObject();
        const int k = calls(c);
        if (!isModel(c) || k == 0 || isModel(next))
            continue;
        int responses = 0;
        for (const QJsonValue &p : next.value(QStringLiteral("parts")).toArray())
            responses += p.toObject().contains(QStringLiteral("functionResponse")) ? 1 : 0;
        if (responses != k)
            return gemini(
                QStringLiteral("Please ensure that the number of function response parts is equal to the number of "
                               "function call parts of the function call turn."));
    }
    // The current turn: after the last user content with a part that is not a function response.
    qsizetype current = 0;
    for (qsizetype i = 0; i < contents.size(); ++i) {
        const QJsonObject c = contents[i].toObject();
        if (isModel(c))
            continue;
        for (const QJsonValue &p : c.value(QStringLiteral("parts")).toArray())
            if (!p.toObject().contains(QStringLiteral("functionResponse")))
                current = i + 1;
    }
    for (qsizetype i = current; i < contents.size(); ++i) {
        const QJsonObject c = contents[i].toObject();
        if (!isModel(c))
            continue;
        for (const QJsonValue &pv : c.value(QStringLiteral("parts")).toArray()) {
            const QJsonObject p = pv.toObject();
            if (!p.contains(QStringLiteral("functionCall")))
                continue;
            if (p.value(QStringLiteral("thoughtSignature")).toString().isEmpty())
                return gemini(
                    QStringLiteral(
                        "Function call is missing a thought_signature in functionCall parts. This is required for "
                        "tools "
                        "to work correctly, and missing thought_signature may lead to degraded model performance. "
                        "Additional data, function call `default_api:%1` , position %2. Please refer to "
                        "https://ai.google.dev/gemini-api/docs/thought-signatures for more details.")
                        .arg(
                            p.value(QStringLiteral("functionCall")).toObject().value(QStringLiteral("name")).toString())
                        .arg(i + 1));
            break; // only the first call of a content carries one
        }
    }
    // Every signature is this model's (or a documented dummy).
    for (const QJsonValue &cv : contents)
        for (const QJsonValue &pv : cv.toObject().value(QStringLiteral("parts")).toArray()) {
            const QJsonObject p = pv.toObject();
            if (!p.contains(QStringLiteral("thoughtSignature")))
                continue;
            const QString sig = p.value(QStringLiteral("thoughtSignature")).toString();
            if (sig == u"skip_thought_signature_validator" || sig == u"context_engineering_is_the_way_to_go")
                continue;
            const auto s = verify(sig, QStringLiteral("gem-thought"), QString());
            if (!s || s->model != model)
                return gemini(QStringLiteral("Corrupted thought signature."));
        }
    return std::nullopt;
}

} // namespace

QString sign(const QString &tag, const QString &model, const QString &extra, const QString &content)
{
    const QByteArray token = QByteArray(kPrefix) + '|' + tag.toUtf8() + '|' + model.toUtf8() + '|' + extra.toUtf8()
                             + '|' + macOf(tag, model, extra, content);
    return QString::fromLatin1(token.toBase64());
}

std::optional<Signed> verify(const QString &token, const QString &tag, const QString &content)
{
    const auto decoded = QByteArray::fromBase64Encoding(token.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || token.isEmpty())
        return std::nullopt;
    const QList<QByteArray> f = decoded.decoded.split('|');
    if (f.size() != 5 || f[0] != kPrefix || QString::fromUtf8(f[1]) != tag)
        return std::nullopt;
    const Signed s { QString::fromUtf8(f[2]), QString::fromUtf8(f[3]) };
    if (macOf(tag, s.model, s.extra, content) != f[4])
        return std::nullopt;
    return s;
}

QString anthropicThinkingSignature(const QString &model, const QString &thinking)
{
    return sign(QStringLiteral("ant-thinking"), model, QString(), thinking);
}

QString anthropicRedactedData(const QString &model, const QString &nonce)
{
    return sign(QStringLiteral("ant-redacted"), model, nonce, QString());
}

QString responsesEncryptedContent(const QString &model, const QString &itemId)
{
    return sign(QStringLiteral("oai-reasoning"), model, itemId, QString());
}

QString geminiThoughtSignature(const QString &model, const QString &nonce)
{
    return sign(QStringLiteral("gem-thought"), model, nonce, QString());
}

std::optional<Rejection> check(const QByteArray &path, const QJsonObject &body)
{
    const QString format = formatOf(path);
    if (format == u"anthropic")
        return checkAnthropic(body);
    if (format == u"responses")
        return checkResponses(body);
    if (format == u"chat")
        return checkChat(body);
    return checkGemini(path, body);
}

} // namespace vendorchecks
