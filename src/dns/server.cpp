#include <dns/server.h>

#include <array>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <util/url.h>


namespace blockstack::dns {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

}  // namespace

struct DnsServer::Worker {
  asio::io_context io;
  std::unique_ptr<udp::socket> udp_socket;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<Zones> zones;
  struct Cached {
    uint64_t generation;
    std::string wire;
  };
  std::unordered_map<std::string, Cached> cache;
  std::array<uint8_t, 65535> buffer{};
  udp::endpoint sender;
  std::size_t tcp_connections = 0;
};

DnsServer::DnsServer(DnsSettings settings, atlas::ZonefileStore& zonefiles, uint32_t height)
    : m_settings(std::move(settings)), m_zonefiles(zonefiles), m_height(height) {}

DnsServer::~DnsServer() { Stop(); }

void DnsServer::OnBlock(uint32_t height) {
  m_height = height;
  ++m_generation;
}

std::string DnsServer::Handle(std::size_t thread, util::ByteView msg, bool tcp_transport) {
  Query q;
  switch (ParseQuery(msg, q)) {
    case ParseStatus::Drop: return {};
    case ParseStatus::FormErr: return ErrorAnswer(msg, RCODE_FORMERR);
    case ParseStatus::NotImp: return ErrorAnswer(msg, RCODE_NOTIMP);
    case ParseStatus::Ok: break;
  }
  const std::size_t limit = tcp_transport ? 0 : UdpLimit(q);
  Worker& w = *m_workers[thread];
  std::string key(reinterpret_cast<const char*>(msg.data()) + 12, q.question_end - 12);
  key.push_back(static_cast<char>((q.edns ? 1 : 0) | (q.dnssec_ok ? 2 : 0) | (q.edns_version ? 4 : 0)));
  key.push_back(static_cast<char>(limit >> 8));
  key.push_back(static_cast<char>(limit & 0xff));
  const uint64_t generation = m_generation.load();
  auto it = w.cache.find(key);
  if (it != w.cache.end() && it->second.generation == generation) {
    std::string out = it->second.wire;
    out[0] = static_cast<char>(q.id >> 8);
    out[1] = static_cast<char>(q.id & 0xff);
    out[2] = static_cast<char>((out[2] & ~1) | (q.rd ? 1 : 0));
    return out;
  }
  ZoneAnswer zone;
  if ((q.qclass != CLASS_IN && q.qclass != CLASS_ANY) || q.qtype == TYPE_AXFR || q.qtype == 251 /* IXFR */ ||
      q.qtype == TYPE_OPT) {
    zone.rcode = RCODE_REFUSED;
    zone.authoritative = false;
  } else {
    zone = w.zones->Lookup(q.qname, q.qtype, m_height.load());
  }
  std::string out = BuildAnswer(msg, q, zone, limit);
  if (w.cache.size() >= m_settings.cache_entries) w.cache.clear();
  w.cache[key] = {generation, out};
  return out;
}

namespace {

// One TCP connection: length-prefixed messages until the client stops or idles.
class TcpSession : public std::enable_shared_from_this<TcpSession> {
 public:
  TcpSession(tcp::socket socket, DnsServer& server, std::size_t& count, std::chrono::milliseconds idle)
      : m_socket(std::move(socket)), m_timer(m_socket.get_executor()), m_server(server), m_count(count), m_idle(idle) {
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
  void ReadLength() {
    Arm();
    asio::async_read(m_socket, asio::buffer(m_length), [self = shared_from_this()](auto ec, std::size_t) {
      if (ec) return;
      std::size_t n = self->m_length[0] << 8 | self->m_length[1];
      if (n < 12) return;  // not even a header: close
      self->m_message.resize(n);
      asio::async_read(self->m_socket, asio::buffer(self->m_message), [self](auto ec2, std::size_t) {
        if (ec2) return;
        std::string answer = self->m_server.Handle(0, util::AsBytes(self->m_message), true);
        if (answer.empty()) return;
        self->m_out.assign(2, '\0');
        self->m_out[0] = static_cast<char>(answer.size() >> 8);
        self->m_out[1] = static_cast<char>(answer.size() & 0xff);
        self->m_out += answer;
        asio::async_write(self->m_socket, asio::buffer(self->m_out), [self](auto ec3, std::size_t) {
          if (!ec3) self->ReadLength();
        });
      });
    });
  }

  tcp::socket m_socket;
  asio::steady_timer m_timer;
  DnsServer& m_server;
  std::size_t& m_count;
  std::chrono::milliseconds m_idle;
  std::array<uint8_t, 2> m_length{};
  std::string m_message;
  std::string m_out;
};

}  // namespace

util::Result<std::unique_ptr<DnsServer>> DnsServer::Start(DnsSettings settings, atlas::ZonefileStore& zonefiles,
                                                          uint32_t height) {
  BS_TRY(auto hostport, util::ParseHostPort(settings.listen, true));
  boost::system::error_code ec;
  auto address = asio::ip::make_address(hostport.first, ec);
  if (ec) return util::Fail(util::ErrorCode::InvalidArgument, "--dns needs an IP address, not '" + hostport.first + "'");
  std::unique_ptr<DnsServer> server(new DnsServer(settings, zonefiles, height));
  const std::size_t threads = std::max<std::size_t>(1, settings.threads);
  uint16_t port = hostport.second;
  for (std::size_t i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>();
    BS_TRY(w->zones, Zones::Open(settings.zones, zonefiles));
    w->udp_socket = std::make_unique<udp::socket>(w->io);
    udp::endpoint ep(address, port);
    w->udp_socket->open(ep.protocol(), ec);
    if (!ec) w->udp_socket->set_option(ReusePort(true), ec);
    // Room for bursts while a thread answers a query the cache does not hold.
    if (!ec) w->udp_socket->set_option(asio::socket_base::receive_buffer_size(4 << 20), ec);
    if (!ec) w->udp_socket->bind(ep, ec);
    if (ec) return util::Fail(util::ErrorCode::Unavailable, "cannot listen for DNS on UDP " + settings.listen + ": " + ec.message());
    port = w->udp_socket->local_endpoint().port();
    server->m_workers.push_back(std::move(w));
  }
  server->m_port = port;
  Worker& first = *server->m_workers[0];
  first.acceptor = std::make_unique<tcp::acceptor>(first.io);
  tcp::endpoint tep(address, port);
  first.acceptor->open(tep.protocol(), ec);
  if (!ec) first.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) first.acceptor->bind(tep, ec);
  if (!ec) first.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return util::Fail(util::ErrorCode::Unavailable, "cannot listen for DNS on TCP port " + std::to_string(port) + ": " + ec.message());

  DnsServer* self = server.get();
  for (std::size_t i = 0; i < threads; ++i) {
    Worker* w = self->m_workers[i].get();
    // UDP: receive, answer, send, repeat.
    auto receive = std::make_shared<std::function<void()>>();
    *receive = [self, w, i, receive] {
      w->udp_socket->async_receive_from(asio::buffer(w->buffer), w->sender, [self, w, i, receive](auto rec_ec, std::size_t n) {
        if (rec_ec == asio::error::operation_aborted || self->m_stopped) return;
        if (!rec_ec) {
          std::string answer = self->Handle(i, util::ByteView(w->buffer.data(), n), false);
          if (!answer.empty()) {
            boost::system::error_code send_ec;
            w->udp_socket->send_to(asio::buffer(answer), w->sender, 0, send_ec);
          }
        }
        (*receive)();
      });
    };
    (*receive)();
  }
  auto accept = std::make_shared<std::function<void()>>();
  *accept = [self, accept] {
    Worker& w0 = *self->m_workers[0];
    w0.acceptor->async_accept([self, accept](auto acc_ec, tcp::socket socket) {
      if (acc_ec == asio::error::operation_aborted || self->m_stopped) return;
      Worker& w = *self->m_workers[0];
      if (!acc_ec && w.tcp_connections < self->m_settings.max_tcp_connections) {
        std::make_shared<TcpSession>(std::move(socket), *self, w.tcp_connections, self->m_settings.tcp_idle_timeout)->Start();
      }
      (*accept)();
    });
  };
  (*accept)();
  for (std::size_t i = 0; i < threads; ++i) {
    Worker* w = self->m_workers[i].get();
    self->m_threads.emplace_back([w] {
      auto guard = asio::make_work_guard(w->io);
      w->io.run();
    });
  }
  return server;
}

void DnsServer::Stop() {
  if (m_stopped.exchange(true)) return;
  for (auto& w : m_workers) w->io.stop();
  for (auto& t : m_threads) {
    if (t.joinable()) t.join();
  }
}

}  // namespace blockstack::dns
