// Measuring a program that a caller names (las's testing-only TCP mode, docs/las.md).
//
// On its Unix socket las measures the calling process itself. With
// `--only_for_testing-tcp`, callers on TCP name a program by path instead, and las measures
// that file: a caller then obtains a quote for an identity it need not have, which is why
// every such quote carries the DEBUG attribute (LasService forces it; no production policy
// accepts it). What is left to keep small is what las reveals about files: las may run as
// root, so naming a file must not give anyone the SHA-256 of a file they could not read
// themselves (`/etc/shadow`), nor make las open a device or wait on a FIFO.
//
// The rule ("a file every user may measure"): the path is absolute, without `..` and
// without symbolic links in any component; every directory on it may be searched by every
// user (o+x); the program is a regular file that every user may read and execute (o+r and
// o+x), neither setuid nor setgid. Its signature file `PATH.sig`, if there is one, is a
// regular file (no link) that every user may read. Whoever passes these checks could
// have computed the same values from the same files without las. Checks are made on the
// opened files themselves, component by component, so a rename in between cannot swap in
// another file.
#pragma once

#include <string>

#include "common/status.h"
#include "platform/enclave_identity.h"

namespace scone::las {

// The identity of the program at `path` as its files describe it (the DEBUG attribute as
// its signature file says: forcing DEBUG is the caller's job). kInvalidArgument for a path
// that is not absolute or holds `..`, kNotFound if a component is missing,
// kPermissionDenied for a file or directory the rule above excludes (the message says
// which and why), and the errors of platform::IdentityOfMeasuredProgram.
Result<platform::EnclaveIdentity> MeasureNamedProgram(const std::string& path);

// The content of a signature file open as `fd` (read from its offset), at most 64 KiB
// (kInvalidArgument beyond: it is no signature file). `shown` names it in messages.
Result<std::string> ReadSignatureFile(int fd, const std::string& shown);

}  // namespace scone::las
