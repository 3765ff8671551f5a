#include "agentbody.h"

#include "json/jsonwriter.h"

#include <QtCore/qlist.h>
#include <QtCore/qstring.h>

namespace d2a::bench {

namespace {

using json::Writer;
using L = QLatin1StringView;

/// A small deterministic generator (xorshift), so every run sends the same bytes.
class Rng
{
public:
    explicit Rng(unsigned seed) : m_s(seed * 2654435761u + 1u) { }
    unsigned next()
    {
        m_s ^= m_s << 13;
        m_s ^= m_s >> 17;
        m_s ^= m_s << 5;
        return m_s;
    }
    int range(int n) { return int(next() % unsigned(n)); }
    template<typename T, std::size_t N> const T &pick(const T (&a)[N]) { return a[range(int(N))]; }

private:
    unsigned m_s;
};

const char *const kWords[] = { "the",    "request", "handler", "returns", "a",       "value",   "when",   "upstream",
                               "stream", "ends",    "config",  "parser",  "token",   "refresh", "cache",  "index",
                               "module", "test",    "build",   "error",   "message", "client",  "server", "socket",
                               "buffer", "event",   "schema",  "tool",    "result",  "model" };
const char *const kIdents[] = { "parseRequest", "m_buffer", "onReadyRead", "writeChunk",   "TokenStore",
                                "applyEdits",   "routeFor", "kMaxBody",    "sseSplit",     "retryAfter",
                                "HttpClient",   "fromJson", "QByteArray",  "std::optional" };
const char *const kFiles[] = { "core/server/exchange.cpp",
                               "core/upstream/httpclient.cpp",
                               "src/app/main.ts",
                               "lib/parser.py",
                               "tests/unit/test_cache.py",
                               "README.md",
                               "package.json",
                               "src/components/Table.tsx",
                               "internal/store/store.go",
                               "Cargo.toml" };

QString sentence(Rng &r, int words)
{
    QString s;
    for (int i = 0; i < words; ++i) {
        if (i)
            s += u' ';
        s += QLatin1StringView(r.pick(kWords));
    }
    s[0] = s[0].toUpper();
    return s + u'.';
}

QString prose(Rng &r, int sentences)
{
    QString s;
    for (int i = 0; i < sentences; ++i) {
        if (i)
            s += (i % 5 == 0) ? QStringLiteral("\n\n") : QStringLiteral(" ");
        s += sentence(r, 6 + r.range(14));
    }
    return s;
}

/// A code listing with the characters that need escaping in JSON: quotes, backslashes, tabs, newlines, UTF-8.
QString code(Rng &r, int lines)
{
    QString s;
    for (int i = 0; i < lines; ++i) {
        const int indent = r.range(4);
        s += QString(indent * 4, u' ');
        switch (r.range(7)) {
        case 0: s += QStringLiteral("if (%1.isEmpty()) {").arg(QLatin1StringView(r.pick(kIdents))); break;
        case 1:
            s += QStringLiteral("return \"%1 \\\"%2\\\"\";")
                     .arg(QLatin1StringView(r.pick(kWords)), QLatin1StringView(r.pick(kIdents)));
            break;
        case 2:
            s += QStringLiteral("const auto path = \"C:\\\\Users\\\\dev\\\\%1\";")
                     .arg(QLatin1StringView(r.pick(kWords)));
            break;
        case 3: s += QStringLiteral("// %1 — naïve résumé ✓").arg(sentence(r, 5)); break;
        case 4:
            s += QStringLiteral("%1(%2, %3);\t// %4")
                     .arg(QLatin1StringView(r.pick(kIdents)), QLatin1StringView(r.pick(kWords)))
                     .arg(r.range(1000))
                     .arg(QLatin1StringView(r.pick(kWords)));
            break;
        case 5: s += QStringLiteral("}"); break;
        default:
            s += QStringLiteral("m_%1 = %2 * %3.5;")
                     .arg(QLatin1StringView(r.pick(kWords)))
                     .arg(r.range(100))
                     .arg(r.range(10));
            break;
        }
        s += u'\n';
    }
    return s;
}

struct ToolDef
{
    const char *name;
    QString description;
    QByteArray schema; ///< JSON text, keys in a deliberate (non-alphabetical) order
};

QList<ToolDef> makeTools(Rng &r, int count)
{
    QList<ToolDef> t;
    auto add = [&](const char *name, int descSentences, QByteArray schema) {
        t.append({ name, prose(r, descSentences), std::move(schema) });
    };
    add("Bash", 30,
        R"J({"type":"object","properties":{"command":{"type":"string","description":"The command to execute"},"timeout":{"type":"number","description":"Optional timeout in milliseconds (max 600000)"},"description":{"type":"string","description":"Clear, concise description of what this command does in 5-10 words"},"run_in_background":{"type":"boolean","description":"Set to true to run this command in the background"}},"required":["command"],"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"})J");
    add("Read", 12,
        R"J({"type":"object","properties":{"file_path":{"type":"string","description":"The absolute path to the file to read"},"offset":{"type":"number","description":"The line number to start reading from"},"limit":{"type":"number","description":"The number of lines to read"}},"required":["file_path"],"additionalProperties":false})J");
    add("Write", 8,
        R"J({"type":"object","properties":{"file_path":{"type":"string","description":"The absolute path to the file to write (must be absolute, not relative)"},"content":{"type":"string","description":"The content to write to the file"}},"required":["file_path","content"],"additionalProperties":false})J");
    add("Edit", 10,
        R"J({"type":"object","properties":{"file_path":{"type":"string","description":"The absolute path to the file to modify"},"old_string":{"type":"string","description":"The text to replace"},"new_string":{"type":"string","description":"The text to replace it with (must be different from old_string)"},"replace_all":{"type":"boolean","default":false,"description":"Replace all occurences of old_string (default false)"}},"required":["file_path","old_string","new_string"],"additionalProperties":false})J");
    add("MultiEdit", 10,
        R"J({"type":"object","properties":{"file_path":{"type":"string","description":"The absolute path to the file to modify"},"edits":{"type":"array","items":{"type":"object","properties":{"old_string":{"type":"string","description":"The text to replace"},"new_string":{"type":"string","description":"The text to replace it with"},"replace_all":{"type":"boolean","default":false}},"required":["old_string","new_string"],"additionalProperties":false},"minItems":1,"description":"Array of edit operations to perform sequentially on the file"}},"required":["file_path","edits"],"additionalProperties":false})J");
    add("Glob", 6,
        R"J({"type":"object","properties":{"pattern":{"type":"string","description":"The glob pattern to match files against"},"path":{"type":"string","description":"The directory to search in"}},"required":["pattern"],"additionalProperties":false})J");
    add("Grep", 14,
        R"J({"type":"object","properties":{"pattern":{"type":"string","description":"The regular expression pattern to search for in file contents"},"path":{"type":"string"},"glob":{"type":"string"},"output_mode":{"type":"string","enum":["content","files_with_matches","count"]},"-B":{"type":"number"},"-A":{"type":"number"},"-C":{"type":"number"},"-n":{"type":"boolean"},"-i":{"type":"boolean"},"type":{"type":"string"},"head_limit":{"type":"number"},"multiline":{"type":"boolean"}},"required":["pattern"],"additionalProperties":false})J");
    add("TodoWrite", 25,
        R"J({"type":"object","properties":{"todos":{"type":"array","items":{"type":"object","properties":{"content":{"type":"string","minLength":1},"status":{"type":"string","enum":["pending","in_progress","completed"]},"activeForm":{"type":"string","minLength":1}},"required":["content","status","activeForm"],"additionalProperties":false},"description":"The updated todo list"}},"required":["todos"],"additionalProperties":false})J");
    add("WebFetch", 8,
        R"J({"type":"object","properties":{"url":{"type":"string","format":"uri"},"prompt":{"type":"string"}},"required":["url","prompt"],"additionalProperties":false})J");
    add("WebSearch", 6,
        R"J({"type":"object","properties":{"query":{"type":"string","minLength":2},"allowed_domains":{"type":"array","items":{"type":"string"}},"blocked_domains":{"type":"array","items":{"type":"string"}}},"required":["query"],"additionalProperties":false})J");
    add("Task", 20,
        R"J({"type":"object","properties":{"description":{"type":"string"},"prompt":{"type":"string"},"subagent_type":{"type":"string"}},"required":["description","prompt","subagent_type"],"additionalProperties":false})J");
    add("NotebookEdit", 6,
        R"J({"type":"object","properties":{"notebook_path":{"type":"string"},"cell_id":{"type":"string"},"new_source":{"type":"string"},"cell_type":{"type":"string","enum":["code","markdown"]},"edit_mode":{"type":"string","enum":["replace","insert","delete"]}},"required":["notebook_path","new_source"],"additionalProperties":false})J");
    add("ExitPlanMode", 4,
        R"J({"type":"object","properties":{"plan":{"type":"string"}},"required":["plan"],"additionalProperties":false})J");
    add("BashOutput", 4,
        R"J({"type":"object","properties":{"bash_id":{"type":"string"},"filter":{"type":"string"}},"required":["bash_id"],"additionalProperties":false})J");
    add("KillShell", 3,
        R"J({"type":"object","properties":{"shell_id":{"type":"string"}},"required":["shell_id"],"additionalProperties":false})J");
    add("SlashCommand", 5,
        R"J({"type":"object","properties":{"command":{"type":"string"}},"required":["command"],"additionalProperties":false})J");
    add("AskUserQuestion", 12,
        R"J({"type":"object","properties":{"questions":{"type":"array","items":{"type":"object","properties":{"question":{"type":"string"},"header":{"type":"string","maxLength":12},"options":{"type":"array","items":{"type":"object","properties":{"label":{"type":"string"},"description":{"type":"string"}},"required":["label","description"],"additionalProperties":false},"minItems":2,"maxItems":4},"multiSelect":{"type":"boolean"}},"required":["question","header","options","multiSelect"],"additionalProperties":false},"minItems":1,"maxItems":4}},"required":["questions"],"additionalProperties":false})J");
    add("Skill", 5,
        R"J({"type":"object","properties":{"command":{"type":"string"}},"required":["command"],"additionalProperties":false})J");
    add("ListMcpResources", 3,
        R"J({"type":"object","properties":{"server":{"type":"string"}},"additionalProperties":false})J");
    add("ReadMcpResource", 3,
        R"J({"type":"object","properties":{"server":{"type":"string"},"uri":{"type":"string"}},"required":["server","uri"],"additionalProperties":false})J");
    add("LS", 4,
        R"J({"type":"object","properties":{"path":{"type":"string"},"ignore":{"type":"array","items":{"type":"string"}}},"required":["path"],"additionalProperties":false})J");
    while (t.size() > count)
        t.removeLast();
    return t;
}

struct Call
{
    QString id;
    QString name;
    QByteArray args; ///< JSON object text, keys in the tool's order
    QString result;
    bool error = false;
};

struct Turn
{
    QString userText; ///< a plain user message before the assistant turn (may be empty)
    QString assistantText;
    QList<Call> calls;
};

QByteArray argsFor(Rng &r, const QString &name)
{
    QByteArray out;
    Writer w(&out);
    w.beginObject();
    if (name == u"Bash") {
        w.member(L("command"), QStringLiteral("cd /work/app && grep -rn \"%1\" src | head -n %2")
                                   .arg(QLatin1StringView(r.pick(kIdents)))
                                   .arg(10 + r.range(40)));
        w.member(L("description"), sentence(r, 6));
    } else if (name == u"Read") {
        w.member(L("file_path"), QStringLiteral("/work/app/") + QLatin1StringView(r.pick(kFiles)));
        w.key(L("offset")).number(qint64(1 + r.range(300)));
        w.key(L("limit")).number(qint64(200));
    } else if (name == u"Edit") {
        w.member(L("file_path"), QStringLiteral("/work/app/") + QLatin1StringView(r.pick(kFiles)));
        w.member(L("old_string"), code(r, 3));
        w.member(L("new_string"), code(r, 4));
    } else if (name == u"TodoWrite") {
        w.key(L("todos")).beginArray();
        for (int i = 0; i < 4; ++i) {
            w.beginObject()
                .member(L("content"), sentence(r, 5))
                .member(L("status"), i == 0   ? "completed"
                                     : i == 1 ? "in_progress"
                                              : "pending");
            w.member(L("activeForm"), sentence(r, 4)).endObject();
        }
        w.endArray();
    } else {
        w.member(L("pattern"), QStringLiteral("%1\\(.*\\)").arg(QLatin1StringView(r.pick(kIdents))));
        w.member(L("path"), QStringLiteral("/work/app/src"));
        w.member(L("output_mode"), "content");
    }
    w.endObject();
    return out;
}

QList<Turn> makeConversation(Rng &r, const AgentBodyOptions &o)
{
    static const char *const callTools[] = { "Bash", "Read", "Read", "Grep", "Edit", "Bash", "TodoWrite", "Read" };
    QList<Turn> turns;
    int callsLeft = o.turns;
    int id = 0;
    int assistantTurns = (o.turns * 40 + 50) / 51; // 51 calls in 40 turns: some turns call tools in parallel
    for (int t = 0; t < assistantTurns; ++t) {
        Turn turn;
        if (t > 0 && o.userMessages > 0 && t % qMax(1, assistantTurns / o.userMessages) == 0)
            turn.userText = prose(r, 3);
        turn.assistantText = r.range(3) == 0 ? QString() : prose(r, 1 + r.range(3));
        const int left = assistantTurns - t;
        const int n = callsLeft > left ? 2 : 1;
        for (int c = 0; c < n && callsLeft > 0; ++c, --callsLeft) {
            Call call;
            call.id = QStringLiteral("toolu_%1%2").arg(id++, 4, 10, QLatin1Char('0')).arg(QStringLiteral("bench7Qz"));
            call.name = QLatin1StringView(r.pick(callTools));
            call.args = argsFor(r, call.name);
            if (call.name == u"Read")
                call.result = code(r, 55 + r.range(60));
            else if (call.name == u"Bash")
                call.result = code(r, 8) + QStringLiteral("\nexit status 0\n") + prose(r, 2);
            else if (call.name == u"TodoWrite")
                call.result = QStringLiteral("Todos have been modified successfully.");
            else
                call.result = code(r, 10 + r.range(20));
            call.error = r.range(17) == 0;
            turn.calls.append(call);
        }
        turns.append(turn);
    }
    return turns;
}

struct Conversation
{
    QList<QString> system;
    QList<ToolDef> tools;
    QString firstUser;
    QList<Turn> turns;
    QString lastUser;
};

Conversation makeAll(const AgentBodyOptions &o)
{
    Rng r(o.seed);
    Conversation c;
    c.system << QStringLiteral("You are an interactive CLI tool that helps users with software engineering tasks. ")
                    + prose(r, 90);
    c.system << QStringLiteral("<env>\nWorking directory: /work/app\nIs directory a git repo: Yes\nPlatform: "
                               "linux\nToday's date: 2026-11-29\n</env>\n")
                    + prose(r, 8);
    c.system << QStringLiteral("# Project memory (AGENTS.md)\n\n") + prose(r, 40)
                    + QStringLiteral("\n\n```sh\nmake test\n```\n");
    c.tools = makeTools(r, o.tools);
    c.firstUser = QStringLiteral("The proxy drops the last event of a stream when the client is slow. Find the cause, "
                                 "fix it and add a test. ")
                  + prose(r, 3);
    c.turns = makeConversation(r, o);
    c.lastUser = QStringLiteral("Thanks. Now run the whole suite once more and summarise what changed.");
    return c;
}

// --- the four wire formats -------------------------------------------------------------------------------------

QByteArray anthropic(const Conversation &c, const AgentBodyOptions &o)
{
    QByteArray out;
    out.reserve(200 * 1024);
    Writer w(&out);
    w.beginObject().member(L("model"), QString::fromLatin1(o.model)).member(L("max_tokens"), 32000);
    w.key(L("system")).beginArray();
    for (int i = 0; i < c.system.size(); ++i) {
        w.beginObject().member(L("type"), "text").member(L("text"), c.system[i]);
        if (i == c.system.size() - 1)
            w.memberRaw(L("cache_control"), R"J({"type":"ephemeral"})J");
        w.endObject();
    }
    w.endArray();
    w.key(L("messages")).beginArray();
    w.beginObject().member(L("role"), "user").key(L("content")).beginArray();
    w.beginObject().member(L("type"), "text").member(L("text"), c.firstUser).endObject().endArray().endObject();
    for (const Turn &t : c.turns) {
        if (!t.userText.isEmpty())
            w.beginObject().member(L("role"), "user").member(L("content"), t.userText).endObject();
        w.beginObject().member(L("role"), "assistant").key(L("content")).beginArray();
        if (!t.assistantText.isEmpty())
            w.beginObject().member(L("type"), "text").member(L("text"), t.assistantText).endObject();
        for (const Call &call : t.calls)
            w.beginObject()
                .member(L("type"), "tool_use")
                .member(L("id"), call.id)
                .member(L("name"), call.name)
                .memberRaw(L("input"), call.args)
                .endObject();
        w.endArray().endObject();
        w.beginObject().member(L("role"), "user").key(L("content")).beginArray();
        for (const Call &call : t.calls) {
            w.beginObject()
                .member(L("type"), "tool_result")
                .member(L("tool_use_id"), call.id)
                .member(L("content"), call.result);
            if (call.error)
                w.member(L("is_error"), true);
            w.endObject();
        }
        w.endArray().endObject();
    }
    w.beginObject().member(L("role"), "user").key(L("content")).beginArray();
    w.beginObject()
        .member(L("type"), "text")
        .member(L("text"), c.lastUser)
        .memberRaw(L("cache_control"), R"J({"type":"ephemeral"})J")
        .endObject();
    w.endArray().endObject();
    w.endArray();
    w.key(L("tools")).beginArray();
    for (const ToolDef &t : c.tools)
        w.beginObject()
            .member(L("name"), t.name)
            .member(L("description"), t.description)
            .memberRaw(L("input_schema"), t.schema)
            .endObject();
    w.endArray();
    w.memberRaw(L("metadata"), R"J({"user_id":"user_bench_account__session_0b8c7f1e-5a57-4a0e-9a55-1c2d3e4f5a6b"})J");
    w.member(L("stream"), o.stream);
    w.endObject();
    return out;
}

QByteArray chat(const Conversation &c, const AgentBodyOptions &o)
{
    QByteArray out;
    out.reserve(200 * 1024);
    Writer w(&out);
    w.beginObject().member(L("model"), QString::fromLatin1(o.model));
    w.key(L("messages")).beginArray();
    QString system;
    for (const QString &s : c.system)
        system += (system.isEmpty() ? QString() : QStringLiteral("\n\n")) + s;
    w.beginObject().member(L("role"), "system").member(L("content"), system).endObject();
    w.beginObject().member(L("role"), "user").member(L("content"), c.firstUser).endObject();
    for (const Turn &t : c.turns) {
        if (!t.userText.isEmpty())
            w.beginObject().member(L("role"), "user").member(L("content"), t.userText).endObject();
        w.beginObject().member(L("role"), "assistant");
        if (t.assistantText.isEmpty())
            w.key(L("content")).null();
        else
            w.member(L("content"), t.assistantText);
        w.key(L("tool_calls")).beginArray();
        for (const Call &call : t.calls) {
            w.beginObject().member(L("id"), call.id).member(L("type"), "function").key(L("function")).beginObject();
            w.member(L("name"), call.name).key(L("arguments")).stringUtf8(call.args).endObject().endObject();
        }
        w.endArray().endObject();
        for (const Call &call : t.calls)
            w.beginObject()
                .member(L("role"), "tool")
                .member(L("tool_call_id"), call.id)
                .member(L("content"), call.error ? QStringLiteral("Error: ") + call.result : call.result)
                .endObject();
    }
    w.beginObject().member(L("role"), "user").member(L("content"), c.lastUser).endObject();
    w.endArray();
    w.key(L("tools")).beginArray();
    for (const ToolDef &t : c.tools) {
        w.beginObject().member(L("type"), "function").key(L("function")).beginObject();
        w.member(L("name"), t.name)
            .member(L("description"), t.description)
            .memberRaw(L("parameters"), t.schema)
            .endObject()
            .endObject();
    }
    w.endArray();
    w.member(L("max_tokens"), 32000).member(L("stream"), o.stream);
    if (o.stream)
        w.memberRaw(L("stream_options"), R"J({"include_usage":true})J");
    w.endObject();
    return out;
}

QByteArray responses(const Conversation &c, const AgentBodyOptions &o)
{
    QByteArray out;
    out.reserve(200 * 1024);
    Writer w(&out);
    w.beginObject().member(L("model"), QString::fromLatin1(o.model));
    QString system;
    for (const QString &s : c.system)
        system += (system.isEmpty() ? QString() : QStringLiteral("\n\n")) + s;
    w.member(L("instructions"), system);
    w.key(L("input")).beginArray();
    auto userMessage = [&](const QString &text) {
        w.beginObject().member(L("type"), "message").member(L("role"), "user").key(L("content")).beginArray();
        w.beginObject().member(L("type"), "input_text").member(L("text"), text).endObject().endArray().endObject();
    };
    userMessage(c.firstUser);
    for (const Turn &t : c.turns) {
        if (!t.userText.isEmpty())
            userMessage(t.userText);
        if (!t.assistantText.isEmpty()) {
            w.beginObject().member(L("type"), "message").member(L("role"), "assistant").key(L("content")).beginArray();
            w.beginObject()
                .member(L("type"), "output_text")
                .member(L("text"), t.assistantText)
                .endObject()
                .endArray()
                .endObject();
        }
        for (const Call &call : t.calls)
            w.beginObject()
                .member(L("type"), "function_call")
                .member(L("call_id"), call.id)
                .member(L("name"), call.name)
                .key(L("arguments"))
                .stringUtf8(call.args)
                .endObject();
        for (const Call &call : t.calls)
            w.beginObject()
                .member(L("type"), "function_call_output")
                .member(L("call_id"), call.id)
                .member(L("output"), call.result)
                .endObject();
    }
    userMessage(c.lastUser);
    w.endArray();
    w.key(L("tools")).beginArray();
    for (const ToolDef &t : c.tools)
        w.beginObject()
            .member(L("type"), "function")
            .member(L("name"), t.name)
            .member(L("description"), t.description)
            .memberRaw(L("parameters"), t.schema)
            .member(L("strict"), false)
            .endObject();
    w.endArray();
    w.member(L("tool_choice"), "auto")
        .member(L("parallel_tool_calls"), true)
        .member(L("store"), false)
        .member(L("stream"), o.stream);
    w.endObject();
    return out;
}

QByteArray gemini(const Conversation &c, const AgentBodyOptions &)
{
    QByteArray out;
    out.reserve(200 * 1024);
    Writer w(&out);
    w.beginObject();
    w.key(L("contents")).beginArray();
    auto userText = [&](const QString &text) {
        w.beginObject()
            .member(L("role"), "user")
            .key(L("parts"))
            .beginArray()
            .beginObject()
            .member(L("text"), text)
            .endObject()
            .endArray()
            .endObject();
    };
    userText(c.firstUser);
    for (const Turn &t : c.turns) {
        if (!t.userText.isEmpty())
            userText(t.userText);
        w.beginObject().member(L("role"), "model").key(L("parts")).beginArray();
        if (!t.assistantText.isEmpty())
            w.beginObject().member(L("text"), t.assistantText).endObject();
        for (const Call &call : t.calls)
            w.beginObject()
                .key(L("functionCall"))
                .beginObject()
                .member(L("name"), call.name)
                .memberRaw(L("args"), call.args)
                .endObject()
                .endObject();
        w.endArray().endObject();
        w.beginObject().member(L("role"), "user").key(L("parts")).beginArray();
        for (const Call &call : t.calls) {
            w.beginObject().key(L("functionResponse")).beginObject().member(L("name"), call.name);
            w.key(L("response"))
                .beginObject()
                .member(call.error ? L("error") : L("output"), call.result)
                .endObject()
                .endObject()
                .endObject();
        }
        w.endArray().endObject();
    }
    userText(c.lastUser);
    w.endArray();
    w.key(L("systemInstruction")).beginObject().key(L("parts")).beginArray();
    for (const QString &s : c.system)
        w.beginObject().member(L("text"), s).endObject();
    w.endArray().endObject();
    w.key(L("tools")).beginArray().beginObject().key(L("functionDeclarations")).beginArray();
    for (const ToolDef &t : c.tools)
        w.beginObject()
            .member(L("name"), t.name)
            .member(L("description"), t.description)
            .memberRaw(L("parametersJsonSchema"), t.schema)
            .endObject();
    w.endArray().endObject().endArray();
    w.key(L("generationConfig"))
        .beginObject()
        .member(L("maxOutputTokens"), 32000)
        .key(L("temperature"))
        .raw("1.0")
        .endObject();
    w.endObject();
    return out;
}

} // namespace

QByteArray agentBody(BodyFormat format, const AgentBodyOptions &options)
{
    const Conversation c = makeAll(options);
    switch (format) {
    case BodyFormat::Anthropic: return anthropic(c, options);
    case BodyFormat::Chat: return chat(c, options);
    case BodyFormat::Responses: return responses(c, options);
    case BodyFormat::Gemini: return gemini(c, options);
    }
    return {};
}

} // namespace d2a::bench
