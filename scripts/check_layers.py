#!/usr/bin/env python3
"""Checks the layering of src/ (docs/architecture.md, "Layers" and "Layering check").

The order of the layers is read from one place: the table under "## Layers" in
docs/architecture.md (one row per layer, first column `name`). A layer may include only
itself and the layers listed before it. Every source file counts as its folder's layer:
libraries, tests, fuzzers and programs (*_main.cc) alike; `src/cas/server/` is the layer
`cas/server`.

Checks, each failure naming the file, line and include:
  1. order:  `#include "x/..."` where layer x comes after the file's layer (or is unknown);
  2. deps:   a layer's library (scone_library in its CMakeLists.txt) includes another layer
             or a third-party library (OpenSSL, yaml-cpp, libyaml, nlohmann_json, spdlog, Boost,
             SQLite, toml++, CLI11) that its DEPS do not name, i.e. relies on a transitive
             dependency; tests, fuzzers and programs may use their layer's library, its DEPS
             and their own DEPS;
  3. unused: a library's DEPS name a layer (scone_*) that none of its files includes;
  4. cmake:  the top-level CMakeLists.txt adds the layer folders in the documented order.

Exit status 0 when clean, 1 with one line per finding otherwise. Reads files only; fast.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
DOC = ROOT / "docs" / "architecture.md"

# Third-party headers -> the CMake targets that provide them (any one of them suffices).
THIRD_PARTY = [
    (re.compile(r"openssl/(ssl|tls1|dtls1)\.h$"), {"OpenSSL::SSL"}),
    (re.compile(r"openssl/"), {"OpenSSL::Crypto"}),
    (re.compile(r"nlohmann/"), {"nlohmann_json::nlohmann_json"}),
    (re.compile(r"yaml-cpp/"), {"yaml-cpp", "yaml-cpp::yaml-cpp", "scone_yaml_cpp"}),
    (re.compile(r"^yaml\.h$"), {"scone_libyaml"}),
    (re.compile(r"spdlog/"), {"spdlog::spdlog"}),
    (re.compile(r"boost/"), {"Boost::system", "Boost::headers", "Boost::boost"}),
    (re.compile(r"sqlite3\.h$"), {"SQLite::SQLite3"}),
    (re.compile(r"toml\+\+/"), {"scone_tomlplusplus"}),
    (re.compile(r"CLI/"), {"CLI11::CLI11"}),
    (re.compile(r"(gtest|gmock)/"), {"GTest::gtest", "GTest::gmock"}),
]

# Our own targets that wrap a third-party library (not layers).
THIRD_PARTY_TARGETS = {t for _, targets in THIRD_PARTY for t in targets if t.startswith("scone_")}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def read_layer_order():
    """Returns the layers in order from the table under "## Layers" in the architecture page."""
    layers = []
    in_section = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_section = line.strip() == "## Layers"
            continue
        if in_section:
            m = re.match(r"^\|\s*`([a-z_/]+)`\s*\|", line)
            if m:
                layers.append(m.group(1))
    return layers


def file_layer(path, layers):
    """The layer of a file under src/: the longest layer name that is a prefix of its folder."""
    folder = path.parent.relative_to(SRC).as_posix()
    best = None
    for layer in layers:
        if folder == layer or folder.startswith(layer + "/"):
            if best is None or len(layer) > len(best):
                best = layer
    return best


def included_layer(header, layers):
    """The layer an `#include "x/..."` refers to, or None for a header outside src/ layers."""
    best = None
    for layer in layers:
        if header.startswith(layer + "/"):
            if best is None or len(layer) > len(best):
                best = layer
    if best is None and "/" in header:
        return "?" + header.split("/")[0]
    return best


def target_of(layer):
    return "scone_" + layer.replace("/", "_")


def parse_cmake(layer):
    """Returns (library DEPS, test DEPS, {source file name: DEPS}) from a layer's CMakeLists."""
    cmake = SRC / layer / "CMakeLists.txt"
    if not cmake.exists():
        return None
    text = re.sub(r"#[^\n]*", "", cmake.read_text(encoding="utf-8"))
    lib_deps, test_deps, others = None, set(), {}
    for m in re.finditer(r"\b(scone_library|scone_tests|scone_fuzzer|scone_program)\s*\(([^)]*)\)",
                         text):
        kind, args = m.group(1), m.group(2).split()
        deps = set(args[args.index("DEPS") + 1:]) if "DEPS" in args else set()
        if kind == "scone_library":
            lib_deps = deps
        elif kind == "scone_tests":
            test_deps = deps
        elif kind == "scone_fuzzer":
            others[args[0] + ".cc"] = deps
        else:
            others[args[args.index("SRC") + 1]] = deps
    return lib_deps, test_deps, others


def is_test_file(name):
    return name.endswith("_test.cc") or name.endswith("test_util.h")


def main():
    findings = []
    layers = read_layer_order()
    if not layers:
        print(f"check_layers: no layer table under '## Layers' in {DOC.relative_to(ROOT)}")
        return 1
    rank = {layer: i for i, layer in enumerate(layers)}

    # 4. The top-level CMakeLists.txt adds the layer folders in the documented order.
    top = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    m = re.search(r"foreach\(layer ([^)]*)\)", top)
    top_layers = m.group(1).split() if m else []
    documented = [layer for layer in layers if "/" not in layer]
    if top_layers != documented:
        findings.append(f"CMakeLists.txt: layers added as {top_layers}, documented as {documented}")

    cmake = {layer: parse_cmake(layer) for layer in layers}
    used_layers = {layer: set() for layer in layers}
    missing = {}  # (layer, target) -> the includes that need it

    for path in sorted(SRC.rglob("*")):
        if path.suffix not in (".h", ".cc", ".in") or not path.is_file():
            continue
        rel = path.relative_to(ROOT).as_posix()
        layer = file_layer(path, layers)
        if layer is None:
            findings.append(f"{rel}: folder is not a layer in {DOC.relative_to(ROOT)}")
            continue
        config = cmake.get(layer)
        lib_deps, test_deps, others = config if config else (set(), set(), {})
        if path.name in others:
            allowed = {target_of(layer)} | (lib_deps or set()) | others[path.name]
            is_library = False
        elif is_test_file(path.name):
            allowed = {target_of(layer)} | (lib_deps or set()) | test_deps | {
                "GTest::gtest", "GTest::gmock"}
            is_library = False
        else:
            allowed = {target_of(layer)} | (lib_deps or set())
            is_library = True
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            quote, header = m.group(1), m.group(2)
            where = f"{rel}:{lineno}: #include {quote}{header}{'>' if quote == '<' else quote}"
            if quote == '"':
                other = included_layer(header, layers)
                if other is None:
                    continue  # a header beside the file, not a layer path
                if other.startswith("?"):
                    findings.append(f"{where}: '{other[1:]}' is not a layer in "
                                    f"{DOC.relative_to(ROOT)}")
                    continue
                if rank[other] > rank[layer]:
                    findings.append(f"{where}: layer '{layer}' must not include '{other}', "
                                    "which comes after it in the layer order")
                    continue
                if other == layer:
                    continue
                if is_library:
                    used_layers[layer].add(target_of(other))
                if config and target_of(other) not in allowed:
                    missing.setdefault((layer, target_of(other)), []).append(where)
            else:
                for pattern, targets in THIRD_PARTY:
                    if pattern.match(header):
                        if config and not targets & allowed:
                            missing.setdefault((layer, " or ".join(sorted(targets))),
                                               []).append(where)
                        break

    # 2. One finding per layer and missing dependency, naming the first include that needs it.
    for (layer, target), wheres in missing.items():
        more = f" (and {len(wheres) - 1} more includes)" if len(wheres) > 1 else ""
        findings.append(f"{wheres[0]}: {target} is not among the DEPS in "
                        f"src/{layer}/CMakeLists.txt{more}")

    # 3. A library's DEPS name only layers it includes.
    for layer, config in cmake.items():
        if not config or config[0] is None:
            continue
        for dep in sorted(d for d in config[0] if d.startswith("scone_")):
            if dep not in used_layers[layer] and dep not in THIRD_PARTY_TARGETS:
                findings.append(f"src/{layer}/CMakeLists.txt: scone_library DEPS name {dep}, "
                                "which no library file of the layer includes")

    for finding in findings:
        print(finding)
    if findings:
        print(f"check_layers: {len(findings)} finding(s); the order is the table under "
              f"'## Layers' in {DOC.relative_to(ROOT)}")
        return 1
    print(f"check_layers: {len(layers)} layers, includes and CMake DEPS consistent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
