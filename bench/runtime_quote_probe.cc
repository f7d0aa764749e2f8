// What `scone-run` does before the program's `main` when it attests it, without CAS: open
// PROGRAM once, get a quote for that open file from las, execute the same open file. Used by
// bench/runtime_startup.py (the start-up time a quote adds) and by
// tests/e2e/test_runtime_las.py (a quote for a passed program from the real `las`). las
// serves it only when started with `--runtime` naming this program.
//
//   runtime_quote_probe [-o QUOTE_FILE] PROGRAM [ARGS...]     (las: $SCONE_LAS_ADDR)
//
// The report data is 64 bytes of 0x5c. Exit status: PROGRAM's, or 1 if anything failed.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "runtime/loader.h"
#include "runtime/quote_source.h"
#include "runtime/runtime_env.h"

namespace {

int Fail(const scone::Status& s) {
  (void)std::fprintf(stderr, "runtime_quote_probe: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int at = 1;
  std::string quote_file;
  if (at + 1 < argc && std::strcmp(argv[at], "-o") == 0) {
    quote_file = argv[at + 1];
    at += 2;
  }
  if (at >= argc) {
    (void)std::fprintf(stderr, "usage: runtime_quote_probe [-o QUOTE_FILE] PROGRAM [ARGS...]\n");
    return 1;
  }
  auto env = scone::runtime::ReadRuntimeEnvironment([](const char* n) { return std::getenv(n); });
  if (!env.ok()) return Fail(env.status());
  auto program = scone::runtime::OpenProgram::Open(argv[at], std::nullopt);
  if (!program.ok()) return Fail(program.status());
  scone::Bytes report_data(64, 0x5c);
  auto quote = scone::runtime::QuoteForProgram(env->las, *program, report_data);
  if (!quote.ok()) return Fail(quote.status());
  if (!quote_file.empty()) {
    if (auto s = scone::WriteFileAtomic(quote_file, quote->quote, 0644); !s.ok()) return Fail(s);
  }
  if (auto s = program->CheckUnchanged(); !s.ok()) return Fail(s);
  std::vector<std::string> args(argv + at, argv + argc);
  std::vector<std::string> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.emplace_back(*e);
  return Fail(program->Exec(args, envp));
}
