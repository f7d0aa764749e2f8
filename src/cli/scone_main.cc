// The `scone` command line tool. All logic lives in the cli library (cli/app.h).
#include <ctime>
#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
  scone::cli::Context ctx(std::cout, std::cerr,
                          [] { return static_cast<int64_t>(std::time(nullptr)); });
  return scone::cli::Run(argc, argv, ctx);
}
