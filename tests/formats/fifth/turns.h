#pragma once
// A fifth wire format, kept outside core in this one folder to show that a format is one folder: "Turns", a
// made-up API (POST /v5/turns) with its own request, answer, stream grammar, error shape and reasoning field.
//   request  {"model":"...","stream":false,"turns":[{"role":"user"|"model","text":"...",
//             "thought":{"text":"...","seal":"..."}}]}
//   answer   {"model":"...","text":"...","thought":{"text":"...","seal":"..."},"finish":"done",
//             "usage":{"in":n,"out":n}}
//   stream   data: {"thought":"..."} / {"seal":"..."} / {"text":"..."} / {"finish":"done","usage":{...}}
//   error    {"problem":{"status":n,"message":"..."}}
// A thought's "seal" is the client's reasoning field: another vendor's state travels in it as an envelope.

#include "formats/registry.h"

namespace turns {

/// The format's record; its id is the WireFormat value after the built-in four.
const d2a::FormatSpec &spec();
/// Registers the format (once; before the proxy's route table is first built).
void registerFormat();

} // namespace turns
