#pragma once
// Internal: the per-format modules behind translate.h.

#include "translate.h"

namespace d2a::fmt {

#define D2A_FORMAT_MODULE(ns)                                                                                          \
    namespace ns {                                                                                                     \
    Result<ir::Response> readResponse(const QJsonObject &body);                                                        \
    QJsonObject writeResponse(const ir::Response &response);                                                           \
    Result<QJsonObject> writeRequest(const ir::Request &request);                                                      \
    std::unique_ptr<EventReader> makeEventReader();                                                                    \
    std::unique_ptr<StreamWriter> makeStreamWriter(const ir::Request &request);                                        \
    }

D2A_FORMAT_MODULE(anthropic)
D2A_FORMAT_MODULE(chat)
D2A_FORMAT_MODULE(responses)
D2A_FORMAT_MODULE(gemini)
#undef D2A_FORMAT_MODULE

namespace anthropic { Result<ir::Request> readRequest(const QJsonObject &body); }
namespace chat { Result<ir::Request> readRequest(const QJsonObject &body); }
namespace responses { Result<ir::Request> readRequest(const QJsonObject &body); }
namespace gemini {
Result<ir::Request> readRequest(const QJsonObject &body, const QString &pathModel);
Result<ir::Response> readChunks(const QJsonArray &chunks);
}

/// A 400 that names the offending field: "'messages[2].content' must be ...".
inline Error fieldError(const QString &field, const QString &problem)
{
    return Error::badRequest(QStringLiteral("'%1' %2").arg(field, problem));
}

/// Maps finish reasons to and from each format.
QString finishName(WireFormat f, ir::Finish finish);

/// An SSE event with a JSON payload.
QByteArray sseJson(const QByteArray &event, const QJsonObject &data);

} // namespace d2a::fmt
