#pragma once
// Errors travel as values until one boundary per ingress format renders them in that client's error shape.

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>

#include <utility>
#include <variant>

namespace d2a {

/// One failure: the HTTP status the client should see, a human message (never a secret), and optionally the
/// vendor's own error type to keep when the client speaks the upstream's format (e.g. "overloaded_error").
struct Error
{
    Error() = default;
    Error(int status, QString text, QByteArray type = {})
        : httpStatus(status), message(std::move(text)), vendorType(std::move(type))
    {
    }

    int httpStatus = 500;
    QString message;
    QByteArray vendorType;
    /// A machine-readable reason for clients that branch on one: OpenAI's `error.code` ("unknown_route"),
    /// Anthropic's `error.details.error_code` ("thread_unsupported_request"). Empty: the status's usual code.
    QByteArray code;
    /// The request field at fault (OpenAI's `error.param`); empty: none.
    QString param;

    Error &withCode(QByteArray c)
    {
        code = std::move(c);
        return *this;
    }

    static Error badRequest(const QString &m) { return { 400, m, {} }; }
    static Error unauthorized(const QString &m) { return { 401, m, {} }; }
    static Error notFound(const QString &m) { return { 404, m, {} }; }
    static Error tooLarge(const QString &m) { return { 413, m, {} }; }
    static Error badGateway(const QString &m) { return { 502, m, {} }; }
    static Error serviceUnavailable(const QString &m) { return { 503, m, {} }; }
    static Error timeout(const QString &m) { return { 504, m, {} }; }
    static Error internal(const QString &m) { return { 500, m, {} }; }
};

/// A value or an Error; no exceptions cross core's public API.
template<typename T> class Result
{
public:
    Result(T value) : m_v(std::move(value)) { }
    Result(Error error) : m_v(std::move(error)) { }
    bool ok() const { return std::holds_alternative<T>(m_v); }
    explicit operator bool() const { return ok(); }
    const T &value() const { return std::get<T>(m_v); }
    T &value() { return std::get<T>(m_v); }
    const Error &error() const { return std::get<Error>(m_v); }

private:
    std::variant<T, Error> m_v;
};

} // namespace d2a
