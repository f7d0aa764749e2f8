// The parsers of the sections of a session file (internal to the sdl layer).
//
// Each reads one YAML node of its section into the model with a Reader (reader.h): it
// checks keys, types and value domains, and leaves rules between sections to the
// validator (validator.h). On failure the Reader holds the diagnostic. One file per
// section: services (parse_services.cc), secrets (parse_secrets.cc), references to other
// sessions (parse_refs.cc), images and volumes (parse_images.cc), access policy (parse_policy.cc),
// security (parse_security.cc); the top level is in parser.cc.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "sdl/model.h"
#include "sdl/reader.h"

namespace scone::sdl {

// services: one entry.
Status ParseService(Reader& r, const YamlNode& n, Service* svc);

// secrets: one entry.
Status ParseSecret(Reader& r, const YamlNode& n, Secret* sec);

// Where a reference to another session stands; it decides the keys it takes.
enum class RefKind {
  kSecretExport,  // session (or a plain session name), on this or another CAS
  kVolumeExport,  // session on this CAS only (volumes are not exported to other CASes)
  kSecretImport,  // session and `secret`, on this or another CAS
  kVolumeImport,  // session and `volume`, on this or another CAS
};
// A reference to another session; `what` names it in messages ("an import").
Status ParseSessionRef(Reader& r, const YamlNode& n, std::string_view what, RefKind kind,
                       SessionRef* ref);
// `export` (kSecretExport or kVolumeExport): one target or a list of them.
Status ParseExports(Reader& r, const YamlNode& n, RefKind kind, std::vector<SessionRef>* out);

// images / volumes: one entry.
Status ParseImage(Reader& r, const YamlNode& n, Image* img);
Status ParseVolume(Reader& r, const YamlNode& n, Volume* vol);

// access_policy, and security.attestation.
Status ParseAccessPolicy(Reader& r, const YamlNode& n, AccessPolicy* ap);
Status ParseSecurityAttestation(Reader& r, const YamlNode& n, SecurityAttestation* sa);

}  // namespace scone::sdl
