#include "common/printable.h"

#include <gtest/gtest.h>

#include <string>

namespace scone {
namespace {

using namespace std::string_literals;

TEST(PrintableText, KeepsOrdinaryTextAsItIs) {
  for (std::string s : {""s, "listening on unix:/run/las.sock"s, "quote to pid 42 {\"a\": 1}"s,
                        "Grüße, 日本語, emoji \xf0\x9f\x94\x91"s}) {
    EXPECT_FALSE(NeedsEscaping(s)) << s;
    EXPECT_EQ(PrintableText(s), s);
  }
}

TEST(PrintableText, EscapesLineBreaksSoOneValueIsOneLine) {
  std::string forged = "/tmp/x\n2026-11-27T17:30:01Z INFO las: forged\r";
  EXPECT_TRUE(NeedsEscaping(forged));
  EXPECT_EQ(PrintableText(forged), "/tmp/x\\n2026-11-27T17:30:01Z INFO las: forged\\r");
  EXPECT_EQ(PrintableText("a\tb"), "a\\tb");
}

TEST(PrintableText, EscapesEscapeSequencesAndOtherControls) {
  EXPECT_EQ(PrintableText("\x1b[31mred\x1b]0;title\x07"), "\\x1b[31mred\\x1b]0;title\\x07");
  EXPECT_EQ(PrintableText("nul\0del\x7f"s), "nul\\x00del\\x7f");
  // C1 controls written as UTF-8 (U+009B is the one-character CSI).
  EXPECT_EQ(PrintableText("\xc2\x9b"
                          "31m"),
            "\\u{009b}31m");
  EXPECT_EQ(PrintableText("\xc2\x85"), "\\u{0085}");
}

TEST(PrintableText, EscapesLineSeparatorsAndBidiOverrides) {
  EXPECT_EQ(PrintableText("a\xe2\x80\xa8"
                          "b"),
            "a\\u{2028}b");
  EXPECT_EQ(PrintableText("a\xe2\x80\xae"
                          "cba"),
            "a\\u{202e}cba");
  EXPECT_EQ(PrintableText("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u{2066}x\\u{2069}");
  EXPECT_EQ(PrintableText("\xe2\x80\x8f"), "\\u{200f}");
}

TEST(PrintableText, EscapesBytesThatAreNotUtf8) {
  EXPECT_EQ(PrintableText("\x9b"
                          "31m"),
            "\\x9b31m");                                                 // a bare C1 byte
  EXPECT_EQ(PrintableText("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(PrintableText("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");           // overlong, 3 bytes
  EXPECT_EQ(PrintableText("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
  EXPECT_EQ(PrintableText("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(PrintableText("ab\xe2\x82"), "ab\\xe2\\x82");                // truncated at the end
  EXPECT_EQ(PrintableText("\xff\xfe"), "\\xff\\xfe");
  EXPECT_TRUE(NeedsEscaping("ok\xe2\x82"));
}

TEST(PrintableText, EscapesBackslashSoTheOutputIsUnambiguous) {
  EXPECT_EQ(PrintableText("C:\\n"), "C:\\\\n");
  EXPECT_NE(PrintableText("\\n"), PrintableText("\n"));
}

TEST(PrintableText, OutputNeverNeedsEscapingAgainExceptForItsBackslashes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string out = PrintableText(all);
  for (char c : out) {
    auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 && u < 0x7f) << static_cast<int>(u);
  }
}

}  // namespace
}  // namespace scone
