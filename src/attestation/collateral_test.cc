// Parsing of PCS collateral: TCB info, QE identity, the signed-JSON framing.
#include "attestation/collateral.h"

#include <gtest/gtest.h>

#include "attestation/signed_json.h"
#include "common/file_util.h"
#include "common/hex.h"

namespace scone::attestation {
namespace {

const std::filesystem::path kVectors = std::filesystem::path(SCONE_TESTDATA_DIR) / "vectors";

std::string Read(const char* path) {
  auto r = ReadFile(kVectors / path);
  EXPECT_TRUE(r.ok());
  return *r;
}

const std::string kSig(128, 'a');

std::string Wrap(const std::string& member, const std::string& body) {
  return "{\"" + member + "\":" + body + ",\"signature\":\"" + kSig + "\"}";
}

TEST(SignedJson, SliceIsTheExactInnerObject) {
  const std::string body = "{ \"b\" : [1, {\"}\":\"{\\\"\"}], \"a\":\"x\" }";
  auto s = ParseSignedJson("  {\"signature\":\"" + kSig + "\" ,\n \"tcbInfo\" :" + body + " }",
                           "tcbInfo", "t");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->body, body);
  EXPECT_EQ(s->value["a"], "x");
}

TEST(SignedJson, RejectsDuplicatesAndExtraMembers) {
  EXPECT_FALSE(ParseSignedJson(Wrap("tcbInfo", "{\"a\":1,\"a\":2}"), "tcbInfo", "t").ok());
  EXPECT_FALSE(ParseSignedJson("{\"tcbInfo\":{},\"tcbInfo\":{},\"signature\":\"" + kSig + "\"}",
                               "tcbInfo", "t")
                   .ok());
  EXPECT_FALSE(
      ParseSignedJson("{\"tcbInfo\":{},\"x\":1,\"signature\":\"" + kSig + "\"}", "tcbInfo", "t")
          .ok());
  EXPECT_FALSE(
      ParseSignedJson("{\"tcbInfo\":[],\"signature\":\"" + kSig + "\"}", "tcbInfo", "t").ok());
  EXPECT_FALSE(ParseSignedJson(Wrap("tcbInfo", "{}") + "x", "tcbInfo", "t").ok());
  EXPECT_FALSE(ParseSignedJson("{\"tcbInfo\":{},\"signature\":\"abc\"}", "tcbInfo", "t").ok());
  // Escaped key spelling of the same member is still a duplicate.
  EXPECT_FALSE(
      ParseSignedJson("{\"tcbInfo\":{},\"tcb\\u0049nfo\":{},\"signature\":\"" + kSig + "\"}",
                      "tcbInfo", "t")
          .ok());
  std::string deep(200, '[');
  EXPECT_FALSE(ParseStrictJson(deep + std::string(200, ']'), "t").ok());
}

TEST(TcbInfo, ParsesVersion3) {
  auto t = ParseTcbInfo(Read("dcap-qvl/pcs/tcb_info.json"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->version, 3);
  EXPECT_EQ(t->id, "SGX");
  EXPECT_EQ(HexEncode(t->fmspc), "00a067110000");
  EXPECT_EQ(t->tcb_evaluation_data_number, 17);
  EXPECT_EQ(t->issue_date, 1750330571);
  ASSERT_FALSE(t->levels.empty());
  EXPECT_EQ(t->levels[0].status, TcbStatus::kSWHardeningNeeded);
  EXPECT_EQ(t->levels[0].advisory_ids, std::vector<std::string>{"INTEL-SA-00615"});
  EXPECT_EQ(t->signed_body.front(), '{');
  EXPECT_EQ(Read("dcap-qvl/pcs/tcb_info.json").find(t->signed_body), 11u);
}

TEST(TcbInfo, ParsesVersion2) {
  auto t = ParseTcbInfo(Read("automata-tcbinfo-v2/tcb_info.json"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->version, 2);
  EXPECT_TRUE(t->id.empty());
  EXPECT_EQ(t->levels[0].sgx_components[0], 12);
  EXPECT_TRUE(t->levels[0].advisory_ids.empty());
}

TEST(TcbInfo, SelectsTheFirstLevelThatIsNotHigher) {
  TcbInfo info;
  TcbLevel a, b;
  a.sgx_components = {3, 3};
  a.pce_svn = 10;
  b.sgx_components = {2, 2};
  b.pce_svn = 5;
  info.levels = {a, b};
  EXPECT_EQ(SelectTcbLevel(info, {3, 3}, 10), &info.levels[0]);
  EXPECT_EQ(SelectTcbLevel(info, {3, 3}, 9), &info.levels[1]);
  EXPECT_EQ(SelectTcbLevel(info, {3, 1}, 10), nullptr);
  EXPECT_EQ(SelectTcbLevel(info, {9, 9, 9}, 4), nullptr);
  // Order in the file does not matter: the highest matching level wins.
  std::swap(info.levels[0], info.levels[1]);
  EXPECT_EQ(SelectTcbLevel(info, {3, 3}, 10), &info.levels[1]);
}

TEST(TcbInfo, RejectsMalformedDocuments) {
  const std::string good = Read("dcap-qvl/pcs/tcb_info.json");
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    s.replace(pos, from.size(), to);
    return s;
  };
  for (const std::string& bad :
       {edit("\"version\":3", "\"version\":4"), edit("\"id\":\"SGX\"", "\"id\":\"TDX\""),
        edit("\"tcbType\":0", "\"tcbType\":1"), edit("\"fmspc\":\"00A067110000\"", "\"fmspc\":1"),
        edit("\"fmspc\":\"00A067110000\"", "\"fmspc\":\"00A0671100\""),
        edit("\"issueDate\":\"2025-06-19T10:56:11Z\"", "\"issueDate\":\"yesterday\""),
        edit("\"tcbStatus\":\"SWHardeningNeeded\"", "\"tcbStatus\":\"Fine\""),
        edit("{\"svn\":11},", ""), edit("\"pcesvn\":13", "\"pcesvn\":70000"),
        edit("\"svn\":11", "\"svn\":-1"), edit("\"svn\":11", "\"svn\":1.5"),
        edit("\"version\":3,", "\"version\":3,\"version\":3,"), std::string("{}"),
        std::string("")}) {
    auto t = ParseTcbInfo(bad);
    EXPECT_FALSE(t.ok()) << bad.substr(0, 120);
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
    }
  }
}

TEST(QeIdentity, Parses) {
  auto q = ParseQeIdentity(Read("dcap-qvl/pcs/qe_identity.json"));
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->id, "QE");
  EXPECT_EQ(q->misc_select_mask, 0xffffffffu);
  EXPECT_EQ(q->attributes[0], 0x11);
  EXPECT_EQ(q->attributes_mask[0], 0xfb);
  EXPECT_EQ(HexEncode(q->mr_signer),
            "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff");
  EXPECT_EQ(q->isv_prod_id, 1);
  ASSERT_EQ(q->levels.size(), 6u);
  EXPECT_EQ(SelectQeTcbLevel(*q, 10), &q->levels[0]);
  EXPECT_EQ(SelectQeTcbLevel(*q, 7)->status, TcbStatus::kOutOfDate);
  EXPECT_EQ(SelectQeTcbLevel(*q, 0), nullptr);
}

TEST(QeIdentity, RejectsMalformedDocuments) {
  const std::string good = Read("dcap-qvl/pcs/qe_identity.json");
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"id\":\"QE\"", "\"id\":\"QVE\""},
           {"\"version\":2", "\"version\":1"},
           {"\"isvprodid\":1", "\"isvprodid\":\"1\""},
           {"\"miscselect\":\"00000000\"", "\"miscselect\":\"000000\""},
           {"\"tcbStatus\":\"UpToDate\"", "\"tcbStatus\":\"SWHardeningNeeded\""},
           {"\"isvsvn\":8", "\"isvsvn\":-8"}}) {
    std::string s = good;
    auto pos = s.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    s.replace(pos, from.size(), to);
    EXPECT_FALSE(ParseQeIdentity(s).ok()) << to;
  }
}

TEST(Collateral, LoadsAndParsesAVectorDirectory) {
  auto c = LoadCollateralDir(kVectors / "automata-v3");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->has_crls());
  auto p = ParseCollateral(*c);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->tcb_info_issuer_chain.size(), 2u);
  EXPECT_EQ(p->pck_crl_issuer_chain.size(), 2u);
  EXPECT_NE(p->pck_crl, nullptr);
  EXPECT_NE(p->root_ca_crl, nullptr);
}

TEST(Collateral, WriteThenLoadRoundTrips) {
  auto c = LoadCollateralDir(kVectors / "dcap-qvl/pcs");
  ASSERT_TRUE(c.ok());
  auto dir = std::filesystem::temp_directory_path() /
             ("scone-collateral-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  c->root_ca_crl.reset();
  ASSERT_TRUE(WriteCollateralDir(dir, *c).ok());
  auto again = LoadCollateralDir(dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->tcb_info_json, c->tcb_info_json);
  EXPECT_EQ(again->pck_crl, c->pck_crl);
  EXPECT_FALSE(again->root_ca_crl.has_value());
  EXPECT_FALSE(again->has_crls());
  std::filesystem::remove_all(dir);
}

TEST(Collateral, NamesTheFileOfAParseError) {
  auto c = LoadCollateralDir(kVectors / "dcap-qvl/pcs");
  ASSERT_TRUE(c.ok());
  c->pck_crl = Bytes{1, 2, 3};
  auto p = ParseCollateral(*c);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
  EXPECT_NE(p.status().message().find("pck_crl.der"), std::string::npos);
}

}  // namespace
}  // namespace scone::attestation
