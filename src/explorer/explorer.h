// The explorer: web pages over the node's own data, served by blockstackd on its
// API port (doc/explorer.md). Every page is rendered on the server from answers
// of the node's REST API, so it reads without JavaScript; the same answers,
// gathered, are the page's JSON twin (?format=json). A module script adds what
// needs a browser: search suggestions, the live feed, and Verify (the proofs
// verifier run in the page against a consensus hash the user trusts).
//
// The explorer holds no state and no database: it asks the API through the
// function it is given, as a client would, in the same process.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include <net/http_server.h>
#include <net/router.h>

namespace blockstack::explorer {

struct ExplorerSettings {
  std::string network = "mainnet";  // shown on the home page
  uint32_t block_seconds = 600;     // to turn blocks into dates
  // The clock (tests set it, so dates are stable).
  std::function<std::time_t()> now = [] { return std::time(nullptr); };
};

class Explorer {
 public:
  using ApiCall = std::function<net::Response(const net::Request&)>;
  Explorer(ApiCall api, ExplorerSettings settings);

  // The routes under /explorer (mount them there).
  const net::Router& Routes() const { return m_router; }
  // The home page, also served at "/".
  net::Response Home(const net::Request& req);

 private:
  struct Answer {
    unsigned status = 0;
    nlohmann::json body;
    bool Ok() const { return status == 200; }
  };
  using Params = net::PathParams;
  Answer Get(std::string path, std::map<std::string, std::string> query = {}) const;

  net::Response HomeModel(const net::Request& req);
  net::Response Search(const net::Request& req, const Params& p);
  net::Response Name(const net::Request& req, const Params& p);
  net::Response NameCalendar(const net::Request& req, const Params& p);
  net::Response Namespace(const net::Request& req, const Params& p);
  net::Response Address(const net::Request& req, const Params& p);
  net::Response Block(const net::Request& req, const Params& p);
  net::Response Transaction(const net::Request& req, const Params& p);
  net::Response Bucket(const net::Request& req, const Params& p);
  net::Response Asset(const net::Request& req, const Params& p);

  // The model of a name page; status 404 when the name is not registered.
  Answer NameModel(const std::string& name, uint32_t history_page);
  // A date for a block height, from the last block and the block interval.
  std::string DateOfBlock(uint64_t height, uint64_t last_block) const;

  ApiCall m_api;
  ExplorerSettings m_settings;
  net::Router m_router;
};

// The headers every explorer answer carries: a strict Content-Security-Policy
// (scripts and styles from the node only, no inline script, no frames), nosniff,
// no referrer.
net::Response WithPageHeaders(net::Response r);

}  // namespace blockstack::explorer
