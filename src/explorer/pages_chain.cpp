// The namespace, address, block and transaction pages.
#include <explorer/detail/parts.h>
#include <explorer/explorer.h>

#include <cmath>

#include <util/text.h>

namespace blockstack::explorer {

using namespace detail;
using nlohmann::json;

namespace {

// Name prices are a function of length up to 16 characters; past it they stay.
constexpr std::size_t PRICED_LENGTHS = 16;

}  // namespace

net::Response Explorer::Namespace(const net::Request& req, const Params& p) {
  const std::string& id = p["id"];
  const std::string self = NamespaceHref(id);
  PageShell shell{id, self + "?format=json", id, "explorer.js"};
  uint32_t page = 0;
  if (auto it = req.query.find("page"); it != req.query.end()) {
    auto v = util::ParseDecimal(it->second, 1000000);
    if (!v) return ErrorPage(req, 400, id, "A page is a number.", id);
    page = static_cast<uint32_t>(*v);
  }
  Answer ns = Get("/v1/namespaces/" + id);
  json model = {{"namespace_id", id}, {"record", ns.body}};
  if (!ns.Ok()) {
    return Respond(req, ns.status == 400 ? 400 : 404, model, shell, [&] {
      Html h;
      h.Element("h1", id).Element("p", "No such namespace on this node.", "class=\"note\"");
      return h.Take();
    });
  }
  const uint64_t last = Num(Get("/v1/info").body, "last_block_processed").value_or(0);
  model["last_block"] = last;
  Answer count = Get("/v1/namespaces/" + id + "/name_count");
  model["names_count"] = Num(count.body, "names_count").value_or(0);
  Answer names = Get("/v1/namespaces/" + id + "/names", {{"page", std::to_string(page)}});
  model["names"] = names.Ok() ? names.body : json::array();
  model["page"] = page;
  // Prices by length: letters with a vowel, letters without one, digits only (the
  // two discounts of the price function).
  json prices = json::array();
  std::string units;
  const std::size_t longest = id.size() + 2 <= 37 ? std::min(PRICED_LENGTHS, 37 - id.size() - 1) : 0;
  for (std::size_t len = 1; len <= longest; ++len) {
    json row = {{"length", len}};
    for (const auto& [key, fill] : {std::pair{"vowel", 'a'}, std::pair{"no_vowel", 'b'}, std::pair{"digits", '1'}}) {
      Answer price = Get("/v2/prices/names/" + std::string(len, fill) + "." + id);
      const json& np = At(price.body, "name_price");
      row[key] = Str(np, "amount");
      if (units.empty()) units = Str(np, "units");
    }
    prices.push_back(std::move(row));
  }
  model["prices"] = prices;
  model["price_units"] = units;
  Answer registrations = Get("/v1/namespaces/" + id + "/registrations");
  model["registrations"] = registrations.Ok() ? registrations.body : json(nullptr);
  return Respond(req, 200, model, shell, [&] {
    const json& r = model["record"];
    Html h;
    h.Raw("<h1>").Text("." + id).Raw(" <span class=\"badge\">").Text((At(r, "ready") == true) ? "ready" : "revealed");
    h.Raw("</span></h1><table class=\"kv\"><tbody>");
    h.RawRow(
        "revealed", Str(r, "reveal_block").empty() ? "" : [&] {
          Html l;
          l.Link(BlockHref(Num(r, "reveal_block").value_or(0)), "block " + Str(r, "reveal_block"));
          return l.Take();
        }());
    if (Num(r, "ready_block").value_or(0)) {
      Html l;
      l.Link(BlockHref(*Num(r, "ready_block")), "block " + Str(r, "ready_block"));
      h.RawRow("ready", l.Str());
    }
    const uint64_t lifetime = Num(r, "lifetime").value_or(0);
    h.Row("name lifetime", lifetime == 0xffffffff || lifetime == 0 ? "forever" : std::to_string(lifetime) + " blocks");
    h.Row("names", std::to_string(Num(model, "names_count").value_or(0)));
    h.Row("version", Str(r, "version"));
    {
      Html l;
      l.Link(AddressHref(Str(r, "address")), Str(r, "address"));
      h.RawRow("revealed by", l.Str());
    }
    h.Row("price function", "base " + Str(r, "base") + ", coefficient " + Str(r, "coeff") +
                                ", non-alphabetic discount " + Str(r, "nonalpha_discount") + ", no-vowel discount " +
                                Str(r, "no_vowel_discount"));
    h.Raw("</tbody></table>\n<section><h2>Prices</h2>");
    std::vector<std::pair<double, double>> points;
    h.Raw(
        "<table class=\"prices\"><thead><tr><th>length</th><th>letters with a vowel</th><th>no vowel</th>"
        "<th>digits only</th></tr></thead><tbody>");
    for (const auto& row : model["prices"]) {
      h.Raw("<tr><td>").Text(Str(row, "length")).Raw("</td>");
      for (const char* key : {"vowel", "no_vowel", "digits"}) h.Raw("<td>").Text(Str(row, key)).Raw("</td>");
      h.Raw("</tr>");
      if (auto v = util::ParseDecimal(Str(row, "vowel"))) {
        points.emplace_back(static_cast<double>(Num(row, "length").value_or(0)), static_cast<double>(*v));
      }
    }
    h.Raw("</tbody></table>");
    h.Element("p", "In " + model["price_units"].get<std::string>() + "; longer names cost what 16 characters do.",
              "class=\"note\"");
    h.Raw(SvgPlot(points, "name length", "price (" + model["price_units"].get<std::string>() + ")", true));
    h.Raw("</section>\n");
    const json& regs = At(model, "registrations");
    if (At(regs, "counts").is_array() && !At(regs, "counts").empty()) {
      std::vector<std::pair<double, double>> by_block;
      const uint64_t from = Num(regs, "from").value_or(0), each = Num(regs, "blocks_each").value_or(1);
      uint64_t i = 0;
      for (const auto& c : At(regs, "counts")) {
        by_block.emplace_back(static_cast<double>(from + i++ * each), c.is_number() ? c.get<double>() : 0.0);
      }
      h.Raw("<section><h2>Registrations over time</h2>");
      h.Element("p",
                "Names by the block they were first registered in, " + std::to_string(each) +
                    " blocks a point, from the reveal to the last block.",
                "class=\"note\"");
      h.Raw(SvgPlot(by_block, "block", "names registered", false)).Raw("</section>\n");
    }
    h.Raw("<section><h2>Names</h2><ul class=\"results\">");
    for (const auto& n : model["names"]) {
      if (n.is_string()) h.Raw("<li>").Link(NameHref(n.get<std::string>()), n.get<std::string>()).Raw("</li>");
    }
    h.Raw("</ul><nav class=\"pager\">");
    if (page) h.Link(self + "?page=" + std::to_string(page - 1), "previous");
    if (model["names"].size() >= 100) h.Raw(" ").Link(self + "?page=" + std::to_string(page + 1), "next");
    h.Raw("</nav></section>");
    return h.Take();
  });
}

net::Response Explorer::Address(const net::Request& req, const Params& p) {
  const std::string& address = p["address"];
  const std::string self = AddressHref(address);
  PageShell shell{address, self + "?format=json", address, "explorer.js"};
  Answer owned = Get("/v1/addresses/bitcoin/" + address);
  json model = {{"address", address},
                {"names", owned.Ok() && At(owned.body, "names").is_array() ? At(owned.body, "names") : json::array()}};
  if (!owned.Ok()) {
    return Respond(req, 400, model, shell, [&] {
      Html h;
      h.Element("h1", address).Element("p", "Not an address: " + Str(owned.body, "error"), "class=\"error\"");
      return h.Take();
    });
  }
  // The operations of the first 20 names, as their histories give them.
  json operations = json::array();
  std::size_t n = 0;
  for (const auto& name : model["names"]) {
    if (!name.is_string() || n++ >= 20) continue;
    Answer hist = Get("/v1/names/" + name.get<std::string>() + "/history");
    if (!hist.Ok() || !hist.body.is_object()) continue;
    for (auto it = hist.body.begin(); it != hist.body.end(); ++it) {
      if (!it->is_array()) continue;
      for (const auto& e : *it) {
        operations.push_back({{"name", name},
                              {"block", util::ParseDecimal(it.key()).value_or(0)},
                              {"opcode", Str(e, "opcode").empty() ? Str(e, "op") : Str(e, "opcode")},
                              {"txid", Str(e, "txid")},
                              {"address", Str(e, "address").empty() ? Str(e, "owner") : Str(e, "address")}});
      }
    }
  }
  std::stable_sort(operations.begin(), operations.end(), [](const json& a, const json& b) {
    return Num(a, "block").value_or(0) > Num(b, "block").value_or(0);
  });
  model["operations"] = operations;
  return Respond(req, 200, model, shell, [&] {
    Html h;
    h.Element("h1", address, "class=\"hash\"");
    h.Raw("<section><h2>Names and subdomains owned</h2>");
    if (model["names"].empty()) h.Element("p", "None.", "class=\"note\"");
    h.Raw("<ul class=\"results\">");
    for (const auto& name : model["names"]) {
      if (name.is_string()) h.Raw("<li>").Link(NameHref(name.get<std::string>()), name.get<std::string>()).Raw("</li>");
    }
    h.Raw(
        "</ul></section><section><h2>Their operations</h2><table class=\"ops\"><thead><tr><th>block</th>"
        "<th>name</th><th>operation</th><th>owner after</th><th>transaction</th></tr></thead><tbody>");
    for (const auto& op : model["operations"]) {
      const uint64_t b = Num(op, "block").value_or(0);
      h.Raw("<tr><td>").Link(BlockHref(b), std::to_string(b)).Raw("</td><td>");
      h.Link(NameHref(Str(op, "name")), Str(op, "name")).Raw("</td><td>").Text(Str(op, "opcode"));
      h.Raw("</td><td class=\"hash\">").Text(Str(op, "address")).Raw("</td><td class=\"hash\">");
      h.Link(TransactionHref(Str(op, "txid")), Str(op, "txid")).Raw("</td></tr>\n");
    }
    h.Raw("</tbody></table></section>");
    return h.Take();
  });
}

net::Response Explorer::Block(const net::Request& req, const Params& p) {
  const std::string& text = p["height"];
  auto height = util::ParseDecimal(text, UINT32_MAX);
  PageShell shell{"Block " + text, BlockHref(height.value_or(0)) + "?format=json", text, "explorer.js"};
  if (!height) return ErrorPage(req, 400, "Block", "A block is given by its height.", text);
  Answer block = Get("/v1/blocks/" + std::to_string(*height));
  json model = block.body;
  if (!block.Ok())
    return ErrorPage(req, block.status == 400 ? 400 : 404, "Block " + text, Str(block.body, "error"), text);
  return Respond(req, 200, model, shell, [&] {
    const json& b = model;
    Html h;
    h.Element("h1", "Block " + std::to_string(*height));
    h.Raw("<nav class=\"pager\">");
    if (*height) h.Link(BlockHref(*height - 1), "previous");
    if (*height < Num(b, "last_block").value_or(0)) h.Raw(" ").Link(BlockHref(*height + 1), "next");
    h.Raw("</nav><table class=\"kv\"><tbody>");
    h.Row("block hash", Str(b, "block_hash")).Row("consensus hash", Str(b, "consensus_hash"));
    h.Row("ops hash", Str(b, "ops_hash"));
    h.Raw(
        "</tbody></table>\n<section><h2>Operations</h2><table class=\"ops\"><thead><tr><th>#</th>"
        "<th>operation</th><th>name</th><th>outcome</th><th>transaction</th></tr></thead><tbody>");
    std::size_t rejected = 0;
    for (const auto& op : At(b, "operations")) {
      const bool accepted = (At(op, "accepted") == true);
      rejected += !accepted;
      const json& rec = At(op, "record");
      h.Raw("<tr id=\"tx-").Text(Str(op, "txid")).Raw("\" class=\"").Raw(accepted ? "accepted" : "rejected");
      h.Raw("\"><td>").Text(Str(op, "vtxindex")).Raw("</td><td>").Text(Str(op, "opcode")).Raw("</td><td>");
      if (!Str(rec, "name").empty()) {
        h.Link(NameHref(Str(rec, "name")), Str(rec, "name"));
      } else if (!Str(rec, "namespace_id").empty()) {
        h.Link(NamespaceHref(Str(rec, "namespace_id")), Str(rec, "namespace_id"));
      } else if (!Str(rec, "preorder_hash").empty()) {
        h.Raw("<span class=\"hash\">preorder ").Text(Str(rec, "preorder_hash")).Raw("</span>");
      }
      h.Raw("</td><td class=\"").Raw(accepted ? "ok\">accepted" : "bad\">rejected: ");
      if (!accepted) h.Text(Str(op, "reason"));
      h.Raw("</td><td class=\"hash\">").Link(TransactionHref(Str(op, "txid")), Str(op, "txid")).Raw("</td></tr>\n");
    }
    h.Raw("</tbody></table>");
    if (At(b, "operations").empty()) h.Element("p", "No name operations in this block.", "class=\"note\"");
    h.Element(
        "p",
        std::to_string(At(b, "operations").size() - rejected) + " accepted, " + std::to_string(rejected) + " rejected",
        "class=\"note\"");
    h.Raw(
        "</section>\n<section><h2>Earlier consensus hashes mixed in</h2><table class=\"ops\"><thead><tr>"
        "<th>block</th><th>consensus hash</th></tr></thead><tbody>");
    for (const auto& prev : At(b, "previous_consensus_hashes")) {
      const uint64_t ph = Num(prev, "height").value_or(0);
      h.Raw("<tr><td>").Link(BlockHref(ph), std::to_string(ph)).Raw("</td><td class=\"hash\">");
      h.Text(Str(prev, "consensus_hash")).Raw("</td></tr>");
    }
    h.Raw("</tbody></table></section>");
    return h.Take();
  });
}

// A transaction: to its block, at its row.
net::Response Explorer::Transaction(const net::Request& req, const Params& p) {
  const std::string& txid = p["txid"];
  if (!IsHex(txid, 64)) return ErrorPage(req, 400, "Transaction", "A txid is 64 hex digits.", txid);
  Answer tx = Get("/v1/blockchains/bitcoin/transactions/" + txid);
  const json& t = At(tx.body, "tx");
  if (auto height = Num(t, "block_height")) {
    const std::string to = BlockHref(*height) + "#tx-" + txid;
    if (WantsJson(req)) return WithPageHeaders(net::Response::Json(200, {{"location", to}, {"tx", t}}));
    net::Response r = net::Response::Text(302, "", "text/plain");
    r.With("Location", to);
    return WithPageHeaders(std::move(r));
  }
  const std::string why = tx.status == 503 ? "This node cannot ask its Bitcoin node about transactions."
                                           : "This transaction is not a name operation this node knows.";
  return ErrorPage(req, 404, "Transaction", why, txid);
}

}  // namespace blockstack::explorer
