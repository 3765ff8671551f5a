#include "apierrors.h"

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

QJsonObject errorObject(WireFormat format, const Error &e)
{
    const QString message = log::redact(e.message);
    switch (format) {
    case WireFormat::OpenAIChat:
    case WireFormat::OpenAIResponses: {
        QJsonObject err { { QStringLiteral("message"), message },
                          { QStringLiteral("type"), QString::fromLatin1(openAiType(e.httpStatus)) },
                          { QStringLiteral("param"), QJsonValue::Null } };
        const QByteArray code = openAiCode(e.httpStatus);
        err.insert(QStringLiteral("code"), code.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(QString::fromLatin1(code)));
        return { { QStringLiteral("error"), err } };
    }
    case WireFormat::Anthropic: {
        const QByteArray type = e.vendorType.isEmpty() ? anthropicType(e.httpStatus) : e.vendorType;
        return { { QStringLiteral("type"), QStringLiteral("error") },
                 { QStringLiteral("error"),
                   QJsonObject { { QStringLiteral("type"), QString::fromLatin1(type) },
                                 { QStringLiteral("message"), message } } } };
    }
    case WireFormat::Gemini:
        return { { QStringLiteral("error"),
                   QJsonObject { { QStringLiteral("code"), e.httpStatus },
                                 { QStringLiteral("message"), message },
                                 { QStringLiteral("status"), QString::fromLatin1(geminiStatus(e.httpStatus)) } } } };
    }
    return {};
}

} // namespace

QByteArray renderErrorBody(WireFormat format, const Error &error)
{
    return QJsonDocument(errorObject(format, error)).toJson(QJsonDocument::Compact);
}

QByteArray renderStreamError(WireFormat format, const Error &error)
{
    const QByteArray json = renderErrorBody(format, error);
    switch (format) {
    case WireFormat::Anthropic:
        return "event: error\ndata: " + json + "\n\n";
    case WireFormat::OpenAIResponses: {
        // The Responses stream's own error event: {type:"error", code, message, param}.
        QJsonObject o { { QStringLiteral("type"), QStringLiteral("error") },
                        { QStringLiteral("code"), QString::fromLatin1(openAiCode(error.httpStatus).isEmpty() ? openAiType(error.httpStatus) : openAiCode(error.httpStatus)) },
                        { QStringLiteral("message"), log::redact(error.message) },
                        { QStringLiteral("param"), QJsonValue::Null } };
        return "event: error\ndata: " + QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n\n";
    }
    case WireFormat::OpenAIChat:
    case WireFormat::Gemini:
        return "data: " + json + "\n\n";
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
