// Private to core/json: the fast part of the string scan, in a header so tests can check every variant.
#pragma once

#include <QtCore/qglobal.h>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace d2a::json::scan {

/// Whether a string scan must stop at byte `c`: '"', '\\', a control character or a non-ASCII byte.
constexpr bool isSpecial(unsigned char c)
{
    return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

/// Portable: skips 8 bytes at a time while none is special (each term below is non-zero exactly when some
/// byte of the word matches). Returns a pointer at or before the first special byte, all bytes before it plain.
inline const unsigned char *skipPlainWords(const unsigned char *p, const unsigned char *end)
{
    constexpr quint64 ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    while (end - p >= 8) {
        quint64 v;
        std::memcpy(&v, p, 8);
        const quint64 q = v ^ (ones * '"'), b = v ^ (ones * '\\');
        if ((((q - ones) & ~q) | ((b - ones) & ~b) | ((v - ones * 0x20) & ~v) | v) & highs)
            break;
        p += 8;
    }
    return p;
}

#if defined(__SSE2__)
/// Platform-specific (x86-64, where SSE2 is baseline): 16 bytes at a time; returns the first special byte
/// itself when there is one in a full 16-byte block. One signed compare finds both bytes < 0x20 and bytes
/// >= 0x80 (negative as signed).
inline const unsigned char *skipPlainSse2(const unsigned char *p, const unsigned char *end)
{
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                         _mm_cmplt_epi8(v, space));
        if (const int mask = _mm_movemask_epi8(hit))
            return p + __builtin_ctz(unsigned(mask));
        p += 16;
    }
    return p;
}

/// Platform-specific (x86-64): a bit for each of the 16 bytes at `p` that a string scan must look at.
inline unsigned specialMask16(const unsigned char *p)
{
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                     _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    return unsigned(_mm_movemask_epi8(hit));
}
#endif

/// Which bytes of a 64-byte chunk are escaped (the byte after each backslash that starts an escape), as a bit
/// per byte; `carry` says whether the chunk's first byte is escaped by the previous chunk's last backslash and
/// is set for the next chunk. Portable bit arithmetic: a run of backslashes escapes every second one, and the
/// byte after an odd-length run.
inline quint64 escapedBytes(quint64 backslashes, quint64 *carry)
{
    constexpr quint64 oddBits = 0xAAAAAAAAAAAAAAAAULL;
    const quint64 escapedFirst = *carry;
    if (!backslashes) {
        *carry = 0;
        return escapedFirst;
    }
    const quint64 potentialEscape = backslashes & ~escapedFirst;
    const quint64 maybeEscaped = potentialEscape << 1;
    const quint64 evenSeriesCodesAndOddBits = (maybeEscaped | oddBits) - potentialEscape;
    const quint64 escapeAndTerminalCode = evenSeriesCodesAndOddBits ^ oddBits;
    const quint64 escaped = escapeAndTerminalCode ^ (backslashes | escapedFirst);
    const quint64 escape = escapeAndTerminalCode & backslashes;
    *carry = escape >> 63;
    return escaped;
}

#if defined(__SSE2__)
/// Platform-specific (x86-64): the masks of a 64-byte chunk at `p` that a string scan needs.
struct ChunkMasks
{
    quint64 quotes = 0; ///< '"'
    quint64 backslashes = 0; ///< '\\'
    quint64 controls = 0; ///< control characters (the careful scan takes those, to name the fault)
    quint64 nonAscii = 0; ///< bytes of multi-byte UTF-8 characters (or bytes that are not UTF-8)
};

inline ChunkMasks chunkMasks(const unsigned char *p)
{
    ChunkMasks m;
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    for (int i = 0; i < 4; ++i) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * i));
        const __m128i q = _mm_cmpeq_epi8(v, quote), b = _mm_cmpeq_epi8(v, backslash);
        const unsigned shift = 16u * unsigned(i);
        m.quotes |= quint64(unsigned(_mm_movemask_epi8(q))) << shift;
        m.backslashes |= quint64(unsigned(_mm_movemask_epi8(b))) << shift;
        const unsigned high = unsigned(_mm_movemask_epi8(v));
        m.controls |= quint64(unsigned(_mm_movemask_epi8(_mm_cmplt_epi8(v, space))) & ~high) << shift;
        m.nonAscii |= quint64(high) << shift;
    }
    return m;
}
#endif

/// The first byte at or after `p` that a string scan must look at, or a point before it with only plain
/// bytes in between (the caller finishes byte by byte). Plain ASCII, most of an agent's conversation, is
/// skipped in blocks.
inline const unsigned char *skipPlainStringBytes(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__)
    return skipPlainSse2(p, end);
#else
    return skipPlainWords(p, end);
#endif
}

} // namespace d2a::json::scan
