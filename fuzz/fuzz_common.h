#pragma once
// Shared by the libFuzzer targets: a cursor over the fuzzer's bytes, for targets that take a few choices
// (a format, split points) before the payload.

#include <QtCore/qbytearray.h>

#include <cstddef>
#include <cstdint>

namespace d2a::fuzz {

class Input
{
public:
    Input(const uint8_t *data, size_t size) : m_data(reinterpret_cast<const char *>(data)), m_size(size) { }
    /// One byte of choice (0 when exhausted).
    uint8_t byte() { return m_pos < m_size ? uint8_t(m_data[m_pos++]) : 0; }
    /// Everything not consumed yet.
    QByteArray rest() const { return QByteArray(m_data + m_pos, qsizetype(m_size - m_pos)); }

private:
    const char *m_data;
    size_t m_size;
    size_t m_pos = 0;
};

/// Splits `bytes` into pieces whose sizes come from `seed` (1..64 bytes each, cycling), as reads off a socket
/// would: parsers must give the same result whatever the split.
template<typename F> void inPieces(const QByteArray &bytes, uint8_t seed, F &&f)
{
    qsizetype at = 0;
    uint32_t state = seed | 1u;
    while (at < bytes.size()) {
        state = state * 1103515245u + 12345u;
        const qsizetype n = qMin<qsizetype>(bytes.size() - at, 1 + qsizetype((state >> 16) % 64));
        f(bytes.mid(at, n));
        at += n;
    }
}

#define D2A_FUZZ_CHECK(cond)                                                                                           \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            __builtin_trap();                                                                                          \
    } while (0)

} // namespace d2a::fuzz
