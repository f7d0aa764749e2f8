#include "net/http_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "net/http_client.h"

namespace scone::net {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/scone-net-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ServerOptions o;
    o.max_body_bytes = 1024;
    o.read_timeout = std::chrono::milliseconds(500);
    o.first_request_timeout = std::chrono::milliseconds(500);
    auto s = HttpServer::New(
        [](const HttpRequest& req, const PeerInfo& peer) {
          HttpResponse r;
          r.body = req.method + " " + req.target + " " + req.body +
                   " unix=" + std::to_string(peer.is_unix) + " pid=" + std::to_string(peer.pid);
          return r;
        },
        o);
    ASSERT_TRUE(s.ok());
    server_ = std::move(s).value();
    ASSERT_TRUE(server_->Listen(*ParseEndpoint("127.0.0.1:0", 0)).ok());
    unix_ = {(dir_ / "s.sock").string(), "", 0};
    ASSERT_TRUE(server_->Listen(unix_).ok());
    tcp_ = *ParseEndpoint("127.0.0.1:" + std::to_string(server_->bound_tcp_port()), 0);
    server_->Start();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<HttpServer> server_;
  Endpoint tcp_, unix_;
};

TEST_F(HttpServerTest, AnswersOverTcpAndUnixWithPeerCredentials) {
  auto r = HttpCall(tcp_, {"POST", "/v1/x", "text/plain", "hello"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "POST /v1/x hello unix=0 pid=0");
  r = HttpCall(unix_, {"GET", "/y", "", ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "GET /y  unix=1 pid=" + std::to_string(getpid()));
}

TEST_F(HttpServerTest, RefusesOversizedBody) {
  auto r = HttpCall(tcp_, {"POST", "/", "text/plain", std::string(5000, 'a')});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413u);
}

int ConnectUnix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  (void)std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {  // NOLINT
    close(fd);
    return -1;
  }
  return fd;
}

TEST_F(HttpServerTest, MalformedRequestGets400) {
  int fd = ConnectUnix(unix_.unix_path);
  ASSERT_GE(fd, 0);
  const char junk[] = "NOT HTTP AT ALL\r\n\r\n";
  ASSERT_GT(write(fd, junk, sizeof(junk) - 1), 0);
  char buf[256] = {};
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(buf).find("400"), std::string::npos);
}

// Reads one HTTP response from `fd` and returns it, or what came before the end of the
// stream or an error. Reads the header a byte at a time and then exactly the body, so that
// the next response stays in the socket.
std::string ReadResponse(int fd) {
  std::string out;
  char c;
  while (out.find("\r\n\r\n") == std::string::npos && out.size() < 4096) {
    if (read(fd, &c, 1) != 1) return out;
    out.push_back(c);
  }
  size_t cl = out.find("Content-Length: ");
  if (cl == std::string::npos) return out;
  size_t length = std::stoul(out.substr(cl + 16));
  std::string body(length, '\0');
  size_t got = 0;
  while (got < length) {
    ssize_t n = read(fd, body.data() + got, length - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  return out + body.substr(0, got);
}

bool WriteAll(int fd, std::string_view data) {
  return write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
}

constexpr std::string_view kGet = "GET /k HTTP/1.1\r\nHost: x\r\n\r\n";

TEST_F(HttpServerTest, UnixRequestsAreAttributedToTheProcessThatWroteThem) {
  // One kept-alive connection, shared with a child after fork: each request names the
  // process that wrote it, not the one that connected.
  int fd = ConnectUnix(unix_.unix_path);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, kGet));
  EXPECT_NE(ReadResponse(fd).find("pid=" + std::to_string(getpid())), std::string::npos);
  pid_t child = fork();
  if (child == 0) {
    bool ok = WriteAll(fd, kGet);
    std::string r = ReadResponse(fd);
    ok = ok && r.find("pid=" + std::to_string(getpid())) != std::string::npos;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child's request";
  ASSERT_TRUE(WriteAll(fd, kGet));
  EXPECT_NE(ReadResponse(fd).find("pid=" + std::to_string(getpid())), std::string::npos);
  close(fd);
}

TEST_F(HttpServerTest, UnixRequestWrittenByTwoProcessesIsRefused) {
  int fd = ConnectUnix(unix_.unix_path);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, kGet.substr(0, 10)));
  pid_t child = fork();
  if (child == 0) _exit(WriteAll(fd, kGet.substr(10)) ? 0 : 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  std::string r = ReadResponse(fd);
  EXPECT_NE(r.find("403"), std::string::npos) << r;
  EXPECT_NE(r.find("more than one process"), std::string::npos) << r;
  char c;
  EXPECT_EQ(read(fd, &c, 1), 0) << "the connection is closed after the refusal";
  close(fd);
}

TEST_F(HttpServerTest, BytesCarriedOverToTheNextRequestKeepTheirWriter) {
  // Two requests in one write are both the writer's; a second request begun by the parent
  // and finished by a child is refused, although its first bytes came with the first one.
  int fd = ConnectUnix(unix_.unix_path);
  ASSERT_GE(fd, 0);
  std::string two = std::string(kGet) + std::string(kGet);
  ASSERT_TRUE(WriteAll(fd, two));
  const std::string me = "pid=" + std::to_string(getpid());
  EXPECT_NE(ReadResponse(fd).find(me), std::string::npos);
  EXPECT_NE(ReadResponse(fd).find(me), std::string::npos);
  ASSERT_TRUE(WriteAll(fd, std::string(kGet) + std::string(kGet.substr(0, 10))));
  pid_t child = fork();
  if (child == 0) _exit(WriteAll(fd, kGet.substr(10)) ? 0 : 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_NE(ReadResponse(fd).find(me), std::string::npos);
  std::string refused = ReadResponse(fd);
  EXPECT_NE(refused.find("403"), std::string::npos) << refused;
  EXPECT_NE(refused.find("more than one process"), std::string::npos) << refused;
  close(fd);
}

TEST_F(HttpServerTest, DescriptorsSentToTheServerAreClosed) {
  size_t before = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++before;
  int fd = ConnectUnix(unix_.unix_path);
  ASSERT_GE(fd, 0);
  int passed[2];
  ASSERT_EQ(pipe(passed), 0);
  for (int i = 0; i < 3; ++i) {  // with each request a descriptor the server never asked for
    iovec iov{const_cast<char*>(kGet.data()), kGet.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &passed[0], sizeof(int));
    ASSERT_EQ(sendmsg(fd, &msg, 0), static_cast<ssize_t>(kGet.size()));
    EXPECT_NE(ReadResponse(fd).find("200 OK"), std::string::npos);
  }
  close(fd);
  close(passed[0]);
  close(passed[1]);
  size_t after = 0;
  for (int tries = 0; tries < 100; ++tries) {  // the server closes its side asynchronously
    after = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++after;
    if (after <= before) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(after, before);
}

TEST_F(HttpServerTest, HttpClientKeepsItsConnection) {
  // Over TCP the server sees the client's port: the same one for every call.
  auto s = HttpServer::New(
      [](const HttpRequest&, const PeerInfo& peer) {
        HttpResponse r;
        r.body = peer.address;
        return r;
      },
      {});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Listen(*ParseEndpoint("127.0.0.1:0", 0)).ok());
  (*s)->Start();
  HttpClient client(*ParseEndpoint("127.0.0.1:" + std::to_string((*s)->bound_tcp_port()), 0));
  std::string first;
  for (int i = 0; i < 20; ++i) {
    auto r = client.Call({"GET", "/", "", ""});
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().ToString();
    if (i == 0) first = r->body;
    EXPECT_EQ(r->body, first);
  }
  EXPECT_NE(first.find("127.0.0.1:"), std::string::npos);
}

TEST_F(HttpServerTest, TheAnswerToASensitiveRequestIsSensitive) {
  for (const Endpoint& ep : {unix_, tcp_}) {
    for (bool sensitive : {false, true}) {
      auto once = HttpCall(ep, {"POST", "/s", "text/plain", "secret", sensitive});
      ASSERT_TRUE(once.ok()) << ep.ToString() << ": " << once.status().ToString();
      EXPECT_EQ(once->sensitive, sensitive);
      HttpClient client(ep);
      auto kept = client.Call({"POST", "/s", "text/plain", "secret", sensitive});
      ASSERT_TRUE(kept.ok()) << ep.ToString() << ": " << kept.status().ToString();
      EXPECT_EQ(kept->sensitive, sensitive);
      EXPECT_EQ(kept->body.substr(0, 14), "POST /s secret");
    }
  }
}

TEST_F(HttpServerTest, HttpClientReconnectsWhenTheServerClosedAnIdleConnection) {
  // The fixture's server drops connections idle for 500 ms; this client would keep them
  // for 10 s, so its second call finds its connection closed and makes a new one.
  HttpClientOptions reuse;
  reuse.idle_timeout = std::chrono::milliseconds(10000);
  for (const Endpoint& ep : {unix_, tcp_}) {
    HttpClient client(ep, {}, reuse);
    ASSERT_TRUE(client.Call({"GET", "/a", "", ""}).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    auto r = client.Call({"POST", "/b", "text/plain", "again"}, HttpClient::Repeat::kYes);
    ASSERT_TRUE(r.ok()) << ep.ToString() << ": " << r.status().ToString();
    EXPECT_EQ(r->body.substr(0, 13), "POST /b again");
    // A POST that may not be repeated fails instead (over Unix, where the closed
    // connection is seen at once).
    if (ep.is_unix()) {
      ASSERT_TRUE(client.Call({"GET", "/c", "", ""}).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(800));
      EXPECT_EQ(client.Call({"POST", "/d", "text/plain", "once"}).status().code(),
                Code::kUnavailable);
    }
  }
}

TEST_F(HttpServerTest, HttpClientIsUsableFromSeveralThreads) {
  HttpClient client(unix_);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto r = client.Call({"GET", "/t", "", ""});
        if (r.ok() && r->status == 200) ok.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
}

TEST_F(HttpServerTest, SlowClientIsDroppedWithoutBlockingOthers) {
  int slow = ConnectUnix(unix_.unix_path);
  ASSERT_GE(slow, 0);
  const char partial[] = "GET / HTTP/1.1\r\nHost: x\r\n";  // never finished
  ASSERT_GT(write(slow, partial, sizeof(partial) - 1), 0);
  // Others are served meanwhile.
  for (int i = 0; i < 5; ++i) {
    auto r = HttpCall(tcp_, {"GET", "/", "", ""});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200u);
  }
  // After the read timeout the server closes the slow connection.
  char buf[16];
  ssize_t n = read(slow, buf, sizeof(buf));
  close(slow);
  EXPECT_EQ(n, 0);
}

TEST_F(HttpServerTest, UnreachableServerIsUnavailable) {
  Endpoint nowhere{(dir_ / "none.sock").string(), "", 0};
  EXPECT_EQ(HttpCall(nowhere, {"GET", "/", "", ""}).status().code(), Code::kUnavailable);
}

TEST_F(HttpServerTest, RefusesToReplaceALiveSocketOrAFile) {
  auto other =
      HttpServer::New([](const HttpRequest&, const PeerInfo&) { return HttpResponse{}; }, {});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->Listen(unix_).code(), Code::kFailedPrecondition);
  std::string file = (dir_ / "plain-file").string();
  FILE* f = std::fopen(file.c_str(), "w");
  (void)std::fclose(f);
  EXPECT_EQ((*other)->Listen({file, "", 0}).code(), Code::kFailedPrecondition);
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  return st.st_mode & 07777;
}

TEST_F(HttpServerTest, SetsTheModeOfTheSocketFile) {
  EXPECT_EQ(ModeOf(unix_.unix_path), 0666u);  // whatever the umask
  auto other =
      HttpServer::New([](const HttpRequest&, const PeerInfo&) { return HttpResponse{}; }, {});
  ASSERT_TRUE(other.ok());
  std::string path = (dir_ / "private.sock").string();
  ASSERT_TRUE((*other)->Listen({path, "", 0}, 0600).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
}

// The sanitizers' runtime probes memory through a pipe; with no descriptor left, UBSan's
// vptr check then reports false errors. SCONE_SANITIZE builds ASan and UBSan together.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
constexpr bool kSanitized = __has_feature(address_sanitizer);
#else
constexpr bool kSanitized = false;
#endif

size_t OpenFileDescriptors() {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST_F(HttpServerTest, RecoversAfterRunningOutOfFileDescriptors) {
  if (kSanitized) GTEST_SKIP() << "the sanitizers' runtime needs file descriptors";
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = OpenFileDescriptors() + 16;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  // Connect until this process has no descriptor left: the server's accept fails with
  // EMFILE while connections wait in its backlog, and it backs off instead of spinning.
  std::vector<int> clients;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(tcp_.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int fd; (fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0;) {
    clients.push_back(fd);
    connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));  // NOLINT
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (int fd : clients) close(fd);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  // Once descriptors are free again, the server accepts again.
  auto r = HttpCall(tcp_, {"GET", "/", "", ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200u);
}

}  // namespace
}  // namespace scone::net
