#include "apierrors.h"

#include "../json/jsonwriter.h"
#include "../log/log.h"
#include "formats_p.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsonobject.h>

namespace d2a {

namespace fmt {

QByteArray openAiErrorType(int status)
{
    switch (status) {
    case 400:
    case 404:
    case 413:
    case 422: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 429: return "rate_limit_error";
    default: return status >= 500 ? "server_error" : "invalid_request_error";
    }
}

QByteArray openAiErrorCode(int status)
{
    switch (status) {
    case 401: return "invalid_api_key";
    case 404: return "model_not_found";
    case 413: return "request_too_large";
    case 429: return "rate_limit_exceeded";
    case 502: return "upstream_error";
    case 503: return "service_unavailable";
    case 504: return "upstream_timeout";
    default: return {};
    }
}

QByteArray openAiErrorBody(const Error &e)
{
    QByteArray out;
    json::Writer w(&out);
    w.beginObject().key("error").beginObject().member("message", log::redact(e.message));
    w.member("type", openAiErrorType(e.httpStatus).constData());
    if (e.param.isEmpty())
        w.memberNull("param");
    else
        w.member("param", e.param);
    w.key("code");
    const QByteArray code = e.code.isEmpty() ? openAiErrorCode(e.httpStatus) : e.code;
    if (code.isEmpty())
        w.null();
    else
        w.string(QLatin1StringView(code));
    w.endObject().endObject();
    return out;
}

bool isOpenAiError(const QJsonObject &body)
{
    const QJsonObject err = body.value(u"error").toObject();
    return err.contains(u"message") && err.contains(u"type");
}

} // namespace fmt

QByteArray renderErrorBody(WireFormat format, const Error &error)
{
    return formatSpec(format).errorBody(error);
}

QByteArray renderStreamError(WireFormat format, const Error &error)
{
    return formatSpec(format).streamError(error);
}

QByteArray keepAliveEvent(WireFormat format)
{
    return formatSpec(format).keepAlive.toByteArray();
}

bool isOwnErrorShape(WireFormat format, const UpstreamError &error)
{
    return !error.object.value(u"error").toObject().isEmpty() && formatSpec(format).isOwnError(error.object);
}

namespace {

/// The message of a parsed error body (`trimmed` is its text), else its text.
QString messageOf(const QByteArray &trimmed, const QJsonDocument &doc, bool parsed)
{
    QString msg;
    if (parsed && doc.isObject()) {
        const QJsonObject o = doc.object();
        const QJsonValue err = o.value(u"error");
        if (err.isObject())
            msg = err.toObject().value(u"message").toString();
        else if (err.isString())
            msg = err.toString();
        if (msg.isEmpty())
            msg = o.value(u"message").toString();
        if (msg.isEmpty())
            msg = o.value(u"detail").toString();
        if (msg.isEmpty() && o.value(u"detail").isArray())
            msg = QString::fromUtf8(QJsonDocument(o.value(u"detail").toArray()).toJson(QJsonDocument::Compact));
    } else if (parsed && doc.isArray() && !doc.array().isEmpty()) {
        // Gemini's REST API sometimes wraps its error object in an array.
        const QJsonDocument first(doc.array().first().toObject());
        msg = messageOf(first.toJson().trimmed(), first, true);
    }
    if (msg.isEmpty())
        msg = QString::fromUtf8(trimmed.left(2000));
    return log::redact(msg.left(4000));
}

} // namespace

UpstreamError readUpstreamError(const QByteArray &body)
{
    const QByteArray trimmed = body.trimmed();
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(trimmed, &pe);
    const bool parsed = pe.error == QJsonParseError::NoError;
    UpstreamError out;
    out.message = messageOf(trimmed, doc, parsed);
    out.object = doc.object();
    if (const QJsonValue err = out.object.value(u"error"); err.isObject())
        out.type = err.toObject().value(u"type").toString().toLatin1();
    return out;
}

} // namespace d2a
