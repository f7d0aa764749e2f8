// The renderer (secrets/render.h): every format the validator accepts renders, nothing
// else does; placeholders in text, older spellings, the |escape(json) pipe; encodings
// against RFC 4648's test vectors.
#include "secrets/render.h"

#include <gtest/gtest.h>

#include "crypto/keys.h"
#include "crypto/x509.h"
#include "sdl/placeholders.h"
#include "secrets/encoding.h"
#include "secrets/test_util.h"

namespace scone::secrets {
namespace {

using testing::Generate;
using testing::Load;

std::string Text(const SecretBytes& b) { return std::string(AsChars(b.Reveal())); }

const SecretValues& Values() {
  static const SecretValues v = Generate(Load(R"(secrets:
  - {name: pw, kind: ascii, value: "a\"b\\c\n"}
  - {name: bin, kind: binary, value: "666f6f626172"}
  - {name: key, kind: private-key}
  - {name: pub, kind: public-key, private_key: key}
  - {name: ca, kind: x509-ca}
  - {name: cert, kind: x509, private_key: key, issuer: ca}
)"));
  return v;
}

TEST(RenderTest, EveryFormatTheValidatorAcceptsRenders) {
  for (const auto& [name, value] : Values()) {
    for (std::string_view format : sdl::FormatsFor(value.kind)) {
      auto r = RenderValue(value, format);
      EXPECT_TRUE(r.ok()) << name << ":" << format << ": " << r.status().message();
    }
  }
}

TEST(RenderTest, NoOtherFormatRenders) {
  for (const auto& [name, value] : Values()) {
    auto accepted = sdl::FormatsFor(value.kind);
    for (std::string_view format : sdl::AllFormats()) {
      if (std::find(accepted.begin(), accepted.end(), format) != accepted.end()) continue;
      EXPECT_EQ(RenderValue(value, format).status().code(), Code::kInvalidArgument)
          << name << ":" << format;
    }
    for (std::string_view format : {"PEM", "privatekey:", "crt:", "hex:", "x"}) {
      EXPECT_FALSE(RenderValue(value, format).ok()) << name << ":" << format;
    }
  }
}

TEST(RenderTest, BytesInEveryEncoding) {
  const SecretValue& bin = Values().at("bin");  // "foobar"
  EXPECT_EQ(Text(*RenderValue(bin, "")), "foobar");
  EXPECT_EQ(Text(*RenderValue(bin, "bin")), "foobar");
  EXPECT_EQ(Text(*RenderValue(bin, "hex")), "666f6f626172");
  EXPECT_EQ(Text(*RenderValue(bin, "base64")), "Zm9vYmFy");
  EXPECT_EQ(Text(*RenderValue(bin, "base32")), "MZXW6YTBOI======");
  EXPECT_EQ(Text(*RenderValue(bin, "base32nopad")), "MZXW6YTBOI");
}

TEST(RenderTest, EncodingsMatchRfc4648) {
  const char* in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* b64[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  const char* b32[] = {
      "", "MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=", "MZXW6YTB", "MZXW6YTBOI======"};
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(Text(Base64(AsBytes(in[i]), false)), b64[i]);
    EXPECT_EQ(Text(Base32(AsBytes(in[i]), true)), b32[i]);
  }
  const uint8_t url[] = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Text(Base64(ByteView(url, 3), true)), "-_-_");
  EXPECT_EQ(Text(Base64(ByteView(url, 3), false)), "+/+/");
}

TEST(RenderTest, KeysAndCertificatesParseInEveryForm) {
  const SecretValues& v = Values();
  auto key = crypto::ParsePrivateKeyPem(Text(*RenderValue(v.at("key"), "pkcs8:pem")));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(crypto::ParsePkcs8PrivateKeyDer(RenderValue(v.at("key"), "der")->Reveal()).ok());
  auto pub = crypto::ParsePublicKeySpkiDer(RenderValue(v.at("pub"), "spki:der")->Reveal());
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(crypto::SamePublicKey(key->get(), pub->get()));
  EXPECT_NE(Text(*RenderValue(v.at("pub"), "")).find("BEGIN PUBLIC KEY"), std::string::npos);

  auto crt = crypto::ParseCertificatesPem(Text(*RenderValue(v.at("cert"), "crt")));
  ASSERT_TRUE(crt.ok());
  EXPECT_EQ(crt->size(), 1u);
  EXPECT_TRUE(crypto::PrivateKeyMatchesCertificate(key->get(), crt->front().get()));
  auto chain = crypto::ParseCertificatesPem(Text(*RenderValue(v.at("cert"), "chain")));
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->size(), 2u);  // the certificate, then its CA
  EXPECT_TRUE(crypto::ParseCertificateDer(RenderValue(v.at("cert"), "crt:der")->Reveal()).ok());
  auto cert_key = crypto::ParsePrivateKeyPem(Text(*RenderValue(v.at("cert"), "privatekey")));
  ASSERT_TRUE(cert_key.ok());
  EXPECT_TRUE(crypto::SamePublicKey(cert_key->get(), key->get()));
}

TEST(RenderTest, TextWithPlaceholdersOlderSpellingsAndThePipe) {
  const SecretValues& v = Values();
  auto r = RenderText(
      "x=$$SCONE::bin:hex$$ y=$$SCONE::bin.hex$$ j={\"p\":\"$$SCONE::pw|escape(json)$$\"}", v);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(Text(*r), "x=666f6f626172 y=666f6f626172 j={\"p\":\"a\\\"b\\\\c\\n\"}");
  auto crt = RenderText("$$SCONE::cert.crt$$", v);
  ASSERT_TRUE(crt.ok());
  EXPECT_EQ(Text(*crt), Text(*RenderValue(v.at("cert"), "crt")));
  EXPECT_EQ(Text(*RenderText("$$SCONE::cert.key$$", v)),
            Text(*RenderValue(v.at("cert"), "privatekey")));
  EXPECT_EQ(Text(*RenderText("no placeholder $$ $5", v)), "no placeholder $$ $5");
}

TEST(RenderTest, ErrorsNameThePlaceholderNeverAValue) {
  const SecretValues& v = Values();
  EXPECT_EQ(RenderText("$$SCONE::missing$$", v).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(RenderText("$$SCONE::pw.crt$$", v).status().code(), Code::kFailedPrecondition);
  auto bad = RenderText("$$SCONE::pw:pem$$", v);
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("\"pw\""), std::string::npos);
  EXPECT_EQ(bad.status().message().find("a\"b"), std::string::npos);
  EXPECT_EQ(RenderText("$$SCONE::pw|escape(xml)$$", v).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(RenderText("$$SCONE::pw", v).status().code(), Code::kInvalidArgument);
}

TEST(RenderTest, EscapeJsonKeepsUtf8AndEscapesEverythingElse) {
  EXPECT_EQ(Text(EscapeJson(AsBytes("\x01\x7f\t\xc3\xa9\xe2\x82\xac"))),
            "\\u0001\\u007f\\t\xc3\xa9\xe2\x82\xac");
  const uint8_t invalid[] = {0xc3, 0x28, 0xff,
                             0xed, 0xa0, 0x80};  // bad continuation, 0xff, surrogate
  EXPECT_EQ(Text(EscapeJson(ByteView(invalid, sizeof(invalid)))),
            "\\u00c3(\\u00ff\\u00ed\\u00a0\\u0080");
}

TEST(RenderTest, ACertificateWithoutKeyRendersOnlyItsCertificate) {
  SecretValue v;
  v.kind = sdl::SecretKind::kX509;
  v.chain = Values().at("cert").chain;
  EXPECT_TRUE(RenderValue(v, "crt").ok());
  EXPECT_EQ(RenderValue(v, "privatekey").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(RenderValue(v, "pkcs12-with-private-key").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace scone::secrets
