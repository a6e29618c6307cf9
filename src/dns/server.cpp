#include <dns/server.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <util/url.h>

namespace blockstack::dns {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

constexpr std::size_t UDP_BATCH = 32;
constexpr std::size_t UDP_QUERY_MAX = 4096;  // a longer datagram cannot be one question and OPT we answer

// The table as an answer source (under the server's shared lock).
class TableSource : public AnswerSource {
 public:
  TableSource(const bns::db::NameTable& table, const bns::db::NamespaceMap& namespaces)
      : m_table(table), m_namespaces(namespaces) {}
  util::Result<const bns::NamespaceRecord*> Namespace(std::string_view id) override {
    auto it = m_namespaces.find(id);
    return it == m_namespaces.end() ? nullptr : &it->second;
  }
  util::Result<std::optional<NameView>> Name(std::string_view fqn) override {
    std::string_view encoded = m_table.Find(fqn);
    if (encoded.empty()) return std::optional<NameView>{};
    return std::optional<NameView>(ViewName(encoded.data()));
  }

 private:
  const bns::db::NameTable& m_table;
  const bns::db::NamespaceMap& m_namespaces;
};

// One TCP connection: length-prefixed messages until the client stops or idles.
class TcpSession : public std::enable_shared_from_this<TcpSession> {
 public:
  TcpSession(tcp::socket socket, DnsServer& server, std::size_t slot, std::size_t& count,
             std::chrono::milliseconds idle)
      : m_socket(std::move(socket)),
        m_timer(m_socket.get_executor()),
        m_server(server),
        m_slot(slot),
        m_count(count),
        m_idle(idle) {
    ++m_count;
  }
  ~TcpSession() { --m_count; }

  void Start() { ReadLength(); }

 private:
  void Arm() {
    m_timer.expires_after(m_idle);
    m_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) {
        boost::system::error_code ignored;
        self->m_socket.close(ignored);
      }
    });
  }
  // Ends the connection now: the idle timer's wait is cancelled so that it
  // lets go of the session, whose destructor frees its slot at once (not when
  // the timer would have fired).
  void End() {
    m_timer.cancel();
    boost::system::error_code ignored;
    m_socket.close(ignored);
  }
  void ReadLength() {
    Arm();
    asio::async_read(m_socket, asio::buffer(m_length), [self = shared_from_this()](auto ec, std::size_t) {
      if (ec) return self->End();
      std::size_t n = self->m_length[0] << 8 | self->m_length[1];
      if (n < 12) return self->End();  // not even a header: close
      self->m_message.resize(n);
      asio::async_read(self->m_socket, asio::buffer(self->m_message), [self](auto ec2, std::size_t) {
        if (ec2) return self->End();
        self->m_server.Handle(self->m_slot, util::AsBytes(self->m_message), true, self->m_answer);
        if (self->m_answer.empty()) return self->End();
        self->m_out.assign(2, '\0');
        self->m_out[0] = static_cast<char>(self->m_answer.size() >> 8);
        self->m_out[1] = static_cast<char>(self->m_answer.size() & 0xff);
        self->m_out += self->m_answer;
        asio::async_write(self->m_socket, asio::buffer(self->m_out), [self](auto ec3, std::size_t) {
          if (ec3) return self->End();
          self->ReadLength();
        });
      });
    });
  }

  tcp::socket m_socket;
  asio::steady_timer m_timer;
  DnsServer& m_server;
  std::size_t m_slot;
  std::size_t& m_count;
  std::chrono::milliseconds m_idle;
  std::array<uint8_t, 2> m_length{};
  std::string m_message;
  std::string m_answer;
  std::string m_out;
};

}  // namespace

struct DnsServer::Tcp {
  asio::io_context io;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::size_t connections = 0;
};

DnsServer::DnsServer(DnsSettings settings, atlas::ZonefileStore& zonefiles, uint32_t height)
    : m_settings(std::move(settings)), m_zonefiles(zonefiles), m_height(height) {}

DnsServer::~DnsServer() { Stop(); }

void DnsServer::OnBlock(uint32_t height) {
  m_height = height;
  if (m_mirror) m_mirror->Changed();
}

void DnsServer::OnZonefileStored(const std::string& hash) {
  if (!m_mirror) return;
  {
    std::lock_guard lock(m_stored_mutex);
    m_stored_hashes.push_back(hash);
  }
  m_mirror->Changed();  // after the hash is queued: an update that sees the change sees the hash
}

bns::db::NameMirrorStats DnsServer::TableStats() const {
  return m_mirror ? m_mirror->Stats() : bns::db::NameMirrorStats{};
}

void DnsServer::Handle(std::size_t slot, util::ByteView msg, bool tcp_transport, std::string& out) {
  thread_local Query q;  // its name's buffer is reused
  switch (ParseQuery(msg, q)) {
    case ParseStatus::Drop: out.clear(); return;
    case ParseStatus::FormErr: out = ErrorAnswer(msg, RCODE_FORMERR); return;
    case ParseStatus::NotImp: out = ErrorAnswer(msg, RCODE_NOTIMP); return;
    case ParseStatus::Ok: break;
  }
  const std::size_t limit = tcp_transport ? 0 : UdpLimit(q);
  AnswerContext ctx;
  ctx.height = m_height.load();
  ctx.rules = &m_settings.zones.rules;
  ctx.negative_ttl = m_settings.zones.negative_ttl;
  if (m_mirror && m_mirror->Current()) {
    m_mirror->Read([&](const bns::db::NameTable& table, const bns::db::NamespaceMap& namespaces) {
      TableSource source(table, namespaces);
      WriteAnswer(msg, q, limit, ctx, source, out);
    });
    return;
  }
  Zones& zones = *m_zones[slot];
  zones.SetHeight(ctx.height);
  WriteAnswer(msg, q, limit, ctx, zones, out);
}

void DnsServer::UdpLoop(std::size_t slot) {
  const int fd = m_udp_fds[slot];
  std::array<mmsghdr, UDP_BATCH> in{}, out{};
  std::array<iovec, UDP_BATCH> in_iov{}, out_iov{};
  std::array<sockaddr_storage, UDP_BATCH> from{};
  std::vector<std::array<uint8_t, UDP_QUERY_MAX>> buffers(UDP_BATCH);
  std::array<std::string, UDP_BATCH> answers;
  while (!m_stopped) {
    for (std::size_t i = 0; i < UDP_BATCH; ++i) {
      in_iov[i] = {buffers[i].data(), buffers[i].size()};
      in[i].msg_hdr = {};
      in[i].msg_hdr.msg_name = &from[i];
      in[i].msg_hdr.msg_namelen = sizeof(from[i]);
      in[i].msg_hdr.msg_iov = &in_iov[i];
      in[i].msg_hdr.msg_iovlen = 1;
    }
    // Waits for one datagram (up to the socket's receive timeout, so Stop is seen),
    // then takes whatever else has arrived.
    const int n = recvmmsg(fd, in.data(), UDP_BATCH, MSG_WAITFORONE, nullptr);
    if (n <= 0) continue;
    unsigned replies = 0;
    for (int i = 0; i < n; ++i) {
      util::ByteView msg(buffers[i].data(), in[i].msg_len);
      if (in[i].msg_hdr.msg_flags & MSG_TRUNC) {
        answers[i] = ErrorAnswer(msg, RCODE_FORMERR);
      } else {
        Handle(slot, msg, false, answers[i]);
      }
      if (answers[i].empty()) continue;
      out_iov[replies] = {answers[i].data(), answers[i].size()};
      out[replies].msg_hdr = {};
      out[replies].msg_hdr.msg_name = &from[i];
      out[replies].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
      out[replies].msg_hdr.msg_iov = &out_iov[replies];
      out[replies].msg_hdr.msg_iovlen = 1;
      ++replies;
    }
    for (unsigned sent = 0; sent < replies;) {
      const int r = sendmmsg(fd, out.data() + sent, replies - sent, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        ++sent;  // this one cannot be sent (the client's address, a full buffer): skip it
        continue;
      }
      sent += static_cast<unsigned>(r);
    }
  }
}

void DnsServer::OnRebuild() {
  std::lock_guard lock(m_stored_mutex);
  m_stored_hashes.clear();  // every name is compiled with the store as it is now
  m_stale_taken = 0;
}

void DnsServer::StaleApplied() {
  std::lock_guard lock(m_stored_mutex);
  // Hashes only ever join at the end, so those answered from are still the first.
  const auto taken = static_cast<std::ptrdiff_t>(std::min(m_stale_taken, m_stored_hashes.size()));
  m_stored_hashes.erase(m_stored_hashes.begin(), m_stored_hashes.begin() + taken);
  m_stale_taken = 0;
}

util::Result<std::string> DnsServer::Encode(const bns::NameRecord& rec) {
  BS_TRY(auto compiled, CompileFromStore(m_zonefiles, rec));
  return EncodeName(compiled);
}

util::Result<std::vector<std::string>> DnsServer::Stale(bns::db::NameDb& db) {
  std::vector<std::string> hashes;
  {
    // Kept until StaleApplied: if this update fails, the next one finds them again.
    std::lock_guard lock(m_stored_mutex);
    hashes = m_stored_hashes;
    m_stale_taken = hashes.size();
  }
  std::vector<std::string> names;
  for (const auto& hash : hashes) {
    // Names that had this hash before and have another now are compiled again to
    // the same answer: harmless, and rarer than keeping a list.
    auto ids = db.HistoryIdsWithValueHash(hash);
    if (!ids && ids.error().code == util::ErrorCode::Unavailable) {
      // The node is catching up: every hash waits for an update at the tip.
      std::lock_guard lock(m_stored_mutex);
      m_stale_taken = 0;
      return std::vector<std::string>{};
    }
    if (!ids) return util::Fail(ids.error());
    names.insert(names.end(), ids->begin(), ids->end());
  }
  return names;
}

util::Result<std::unique_ptr<DnsServer>> DnsServer::Start(DnsSettings settings, atlas::ZonefileStore& zonefiles,
                                                          uint32_t height) {
  BS_TRY(auto hostport, util::ParseHostPort(settings.listen, true));
  boost::system::error_code ec;
  auto address = asio::ip::make_address(hostport.first, ec);
  if (ec) return util::Fail(util::ErrorCode::InvalidArgument, "--dns needs an IP address, not '" + hostport.first + "'");
  std::unique_ptr<DnsServer> server(new DnsServer(settings, zonefiles, height));
  const std::size_t threads = std::max<std::size_t>(1, settings.threads);
  uint16_t port = hostport.second;
  for (std::size_t i = 0; i <= threads; ++i) {
    BS_TRY(auto zones, Zones::Open(settings.zones, zonefiles));
    server->m_zones.push_back(std::move(zones));
  }
  auto cannot = [&](const std::string& what) {
    return util::Fail(util::ErrorCode::Unavailable,
                      "cannot listen for DNS on " + what + " " + settings.listen + ": " + std::strerror(errno));
  };
  for (std::size_t i = 0; i < threads; ++i) {
    udp::endpoint ep(address, port);
    const int fd = ::socket(ep.protocol().family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return cannot("UDP");
    server->m_udp_fds.push_back(fd);  // closed by Stop
    const int one = 1;
    const int rcvbuf = 4 << 20;  // room for bursts
    timeval timeout{0, 200000};  // how soon a UDP thread sees Stop
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0 ||
        ::bind(fd, ep.data(), static_cast<socklen_t>(ep.size())) != 0) {
      return cannot("UDP");
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) return cannot("UDP");
    port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  server->m_port = port;
  server->m_tcp = std::make_unique<Tcp>();
  Tcp& t = *server->m_tcp;
  t.acceptor = std::make_unique<tcp::acceptor>(t.io);
  tcp::endpoint tep(address, port);
  t.acceptor->open(tep.protocol(), ec);
  if (!ec) t.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) t.acceptor->bind(tep, ec);
  if (!ec) t.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return util::Fail(util::ErrorCode::Unavailable, "cannot listen for DNS on TCP port " + std::to_string(port) + ": " + ec.message());

  DnsServer* self = server.get();
  // The pending accept's handler owns the loop; the loop itself holds only a weak
  // reference (holding itself would be a cycle that outlives the server).
  auto accept = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak_accept = accept;
  *accept = [self, threads, weak_accept] {
    auto loop = weak_accept.lock();
    if (!loop) return;
    self->m_tcp->acceptor->async_accept([self, threads, loop](auto acc_ec, tcp::socket socket) {
      if (acc_ec == asio::error::operation_aborted || self->m_stopped) return;
      Tcp& tcp_state = *self->m_tcp;
      if (!acc_ec && tcp_state.connections < self->m_settings.max_tcp_connections) {
        std::make_shared<TcpSession>(std::move(socket), *self, threads, tcp_state.connections,
                                     self->m_settings.tcp_idle_timeout)
            ->Start();
      }
      (*loop)();
    });
  };
  (*accept)();
  if (settings.table) {
    BS_TRY(auto mirror_db, bns::db::NameDb::Open(settings.zones.db_path, /*read_only=*/true));
    bns::db::NameMirror::Encoder& encoder = *self;
    server->m_mirror = std::make_unique<bns::db::NameMirror>("dns", std::move(mirror_db), encoder, &EncodedSize);
  }
  for (std::size_t i = 0; i < threads; ++i) self->m_threads.emplace_back([self, i] { self->UdpLoop(i); });
  self->m_threads.emplace_back([self] {
    auto guard = asio::make_work_guard(self->m_tcp->io);
    self->m_tcp->io.run();
  });
  return server;
}

void DnsServer::Stop() {
  if (m_stopped.exchange(true)) return;
  if (m_mirror) m_mirror->Stop();
  if (m_tcp) m_tcp->io.stop();
  for (auto& t : m_threads) {
    if (t.joinable()) t.join();
  }
  for (int fd : m_udp_fds) ::close(fd);
  m_udp_fds.clear();
}

}  // namespace blockstack::dns
