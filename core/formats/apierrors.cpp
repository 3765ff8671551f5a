#include "apierrors.h"

#include "../json/jsonwriter.h"
#include "../log/log.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsonobject.h>

namespace d2a {

namespace {

QByteArray openAiType(int status)
{
    switch (status) {
    case 400: case 404: case 413: case 422: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 429: return "rate_limit_error";
    default: return status >= 500 ? "server_error" : "invalid_request_error";
    }
}

QByteArray openAiCode(int status)
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

QByteArray anthropicType(int status)
{
    switch (status) {
    case 400: case 422: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 529: return "overloaded_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
    }
}

QByteArray geminiStatus(int status)
{
    switch (status) {
    case 400: case 413: case 422: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 429: return "RESOURCE_EXHAUSTED";
    case 502: case 503: case 529: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: return status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
    }
}

} // namespace

QByteArray renderErrorBody(WireFormat format, const Error &e)
{
    const QString message = log::redact(e.message);
    QByteArray out;
    json::Writer w(&out);
    switch (format) {
    case WireFormat::OpenAIChat:
    case WireFormat::OpenAIResponses: {
        w.beginObject().key("error").beginObject().member("message", message).member("type", openAiType(e.httpStatus).constData());
        w.memberNull("param").key("code");
        const QByteArray code = openAiCode(e.httpStatus);
        if (code.isEmpty())
            w.null();
        else
            w.string(QLatin1StringView(code));
        w.endObject().endObject();
        break;
    }
    case WireFormat::Anthropic: {
        const QByteArray type = e.vendorType.isEmpty() ? anthropicType(e.httpStatus) : e.vendorType;
        w.beginObject().member("type", "error").key("error").beginObject();
        w.key("type").stringUtf8(type).member("message", message).endObject().endObject();
        break;
    }
    case WireFormat::Gemini:
        w.beginObject().key("error").beginObject().member("code", e.httpStatus).member("message", message);
        w.member("status", geminiStatus(e.httpStatus).constData()).endObject().endObject();
        break;
    }
    return out;
}

QByteArray renderStreamError(WireFormat format, const Error &error)
{
    switch (format) {
    case WireFormat::Anthropic:
        return "event: error\ndata: " + renderErrorBody(format, error) + "\n\n";
    case WireFormat::OpenAIResponses: {
        // The Responses stream's own error event: {type:"error", code, message, param}.
        const QByteArray code = openAiCode(error.httpStatus).isEmpty() ? openAiType(error.httpStatus) : openAiCode(error.httpStatus);
        QByteArray data;
        json::Writer w(&data);
        w.beginObject().member("type", "error").key("code").stringUtf8(code).member("message", log::redact(error.message));
        w.memberNull("param").endObject();
        return "event: error\ndata: " + data + "\n\n";
    }
    case WireFormat::OpenAIChat:
        return "data: " + renderErrorBody(format, error) + "\n\n";
    case WireFormat::Gemini:
        return "data: " + renderErrorBody(format, error) + "\r\n\r\n";
    }
    return {};
}

QByteArray keepAliveEvent(WireFormat format)
{
    switch (format) {
    case WireFormat::Anthropic: return QByteArrayLiteral("event: ping\ndata: {\"type\":\"ping\"}\n\n");
    case WireFormat::Gemini: return QByteArrayLiteral("\r\n");
    case WireFormat::OpenAIChat:
    case WireFormat::OpenAIResponses: return QByteArrayLiteral(": keepalive\n\n");
    }
    return {};
}

QString upstreamErrorMessage(const QByteArray &body)
{
    const QByteArray trimmed = body.trimmed();
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(trimmed, &pe);
    QString msg;
    if (pe.error == QJsonParseError::NoError && doc.isObject()) {
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
    } else if (pe.error == QJsonParseError::NoError && doc.isArray() && !doc.array().isEmpty()) {
        // Gemini's REST API sometimes wraps its error object in an array.
        msg = upstreamErrorMessage(QJsonDocument(doc.array().first().toObject()).toJson());
    }
    if (msg.isEmpty())
        msg = QString::fromUtf8(trimmed.left(2000));
    return log::redact(msg.left(4000));
}

QByteArray upstreamErrorType(const QByteArray &body)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QJsonValue err = o.value(u"error");
    if (err.isObject())
        return err.toObject().value(u"type").toString().toLatin1();
    return {};
}

} // namespace d2a
