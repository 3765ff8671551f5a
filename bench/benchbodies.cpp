// bench_bodies DIR: writes the generated coding-agent request bodies the benchmark sends (agentbody.h):
// agent-anthropic.json (Anthropic Messages) and agent-chat.json (the same conversation as OpenAI Chat).
#include "agentbody.h"

#include <QtCore/qfile.h>

#include <cstdio>

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_bodies DIR\n");
        return 2;
    }
    const QString dir = QString::fromLocal8Bit(argv[1]);
    using d2a::bench::BodyFormat;
    d2a::bench::AgentBodyOptions o;
    o.stream = false;
    for (const auto &[name, format] : { std::pair { "agent-anthropic.json", BodyFormat::Anthropic },
                                        std::pair { "agent-chat.json", BodyFormat::Chat } }) {
        QFile f(dir + u'/' + QLatin1StringView(name));
        if (!f.open(QIODevice::WriteOnly))
            return 1;
        const QByteArray body = d2a::bench::agentBody(format, o);
        f.write(body);
        std::printf("%s %lld bytes\n", name, static_cast<long long>(body.size()));
    }
    return 0;
}
