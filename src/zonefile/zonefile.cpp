#include <zonefile/zonefile.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <map>

#include <util/text.h>

namespace blockstack::zonefile {

namespace {

using util::ErrorCode;
using util::Fail;

struct Token {
  std::string text;
  bool quoted = false;
};

struct Line {
  std::size_t number = 0;      // 1-based, where the logical line starts
  bool owner_omitted = false;  // started with a blank
  std::vector<Token> tokens;
};

util::Unexpected LineError(std::size_t line, const std::string& what) {
  return Fail(ErrorCode::InvalidArgument, "zone file line " + std::to_string(line) + ": " + what);
}

// Splits the text into logical lines of tokens: comments dropped, parentheses
// joining physical lines, quoted strings unescaped.
util::Result<std::vector<Line>> Tokenize(std::string_view text) {
  std::vector<Line> lines;
  Line cur;
  cur.number = 1;
  std::size_t line_no = 1;
  int depth = 0;
  bool at_line_start = true;
  std::size_t i = 0;
  auto finish = [&] {
    if (!cur.tokens.empty()) lines.push_back(std::move(cur));
    cur = Line{};
    cur.number = line_no;
    at_line_start = true;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      ++line_no;
      ++i;
      if (depth == 0) finish();
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      if (at_line_start && depth == 0 && cur.tokens.empty()) cur.owner_omitted = true;
      at_line_start = false;
      ++i;
      continue;
    }
    at_line_start = false;
    if (c == ';') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '(') {
      ++depth;
      ++i;
      continue;
    }
    if (c == ')') {
      if (depth == 0) return LineError(line_no, "unbalanced ')'");
      --depth;
      ++i;
      continue;
    }
    if (c == '"') {
      Token t;
      t.quoted = true;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char q = text[i];
        if (q == '"') {
          closed = true;
          ++i;
          break;
        }
        if (q == '\n') break;
        if (q == '\\' && i + 1 < text.size()) {
          char e = text[i + 1];
          if (std::isdigit(static_cast<unsigned char>(e))) {
            if (i + 3 >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 2])) ||
                !std::isdigit(static_cast<unsigned char>(text[i + 3])))
              return LineError(line_no, "bad \\DDD escape");
            int v = (e - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
            if (v > 255) return LineError(line_no, "bad \\DDD escape");
            t.text.push_back(static_cast<char>(v));
            i += 4;
          } else {
            t.text.push_back(e);
            i += 2;
          }
          continue;
        }
        t.text.push_back(q);
        ++i;
      }
      if (!closed) return LineError(line_no, "unterminated quoted string");
      cur.tokens.push_back(std::move(t));
      continue;
    }
    Token t;
    while (i < text.size()) {
      char w = text[i];
      if (w == ' ' || w == '\t' || w == '\r' || w == '\n' || w == ';' || w == '(' || w == ')' || w == '"') break;
      t.text.push_back(w);
      ++i;
    }
    cur.tokens.push_back(std::move(t));
  }
  if (depth != 0) return LineError(line_no, "unterminated '('");
  finish();
  return lines;
}

std::optional<uint32_t> ParseU32(std::string_view s, uint64_t max = UINT32_MAX) {
  auto v = util::ParseDecimal(s, max, 10);
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

bool IsNameToken(const Token& t) {
  if (t.quoted || t.text.empty() || t.text.size() > 255) return false;
  if (t.text == "@") return true;
  return std::all_of(t.text.begin(), t.text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '*' || c == '/' ||
           c == '+';  // subdomain labels may hold '+' (the original's [a-z0-9-_+])
  });
}

bool IsClass(std::string_view s) { return s == "IN" || s == "CH" || s == "HS" || s == "CS"; }

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Checks the rdata of one record by type; fills fields.
util::Status CheckRdata(const Line& line, std::size_t at, ResourceRecord& rr) {
  const auto& tok = line.tokens;
  std::size_t n = tok.size() - at;
  auto need = [&](std::size_t count) -> util::Status {
    if (n != count)
      return LineError(line.number, rr.type + " needs " + std::to_string(count) + " fields, got " + std::to_string(n));
    return util::Ok();
  };
  auto number = [&](std::size_t k, uint64_t max, const char* what) -> util::Status {
    if (tok[at + k].quoted || !ParseU32(tok[at + k].text, max))
      return LineError(line.number, rr.type + " " + what + " is not a number in range");
    return util::Ok();
  };
  auto name = [&](std::size_t k) -> util::Status {
    if (!IsNameToken(tok[at + k])) return LineError(line.number, rr.type + " target is not a domain name");
    return util::Ok();
  };
  const std::string& t = rr.type;
  if (t == "URI") {
    BS_CHECK_OK(need(3));
    BS_CHECK_OK(number(0, 65535, "priority"));
    BS_CHECK_OK(number(1, 65535, "weight"));
    if (tok[at + 2].text.empty()) return LineError(line.number, "URI target is empty");
  } else if (t == "TXT" || t == "SPF") {
    if (n == 0) return LineError(line.number, t + " needs at least one string");
    for (std::size_t k = at; k < tok.size(); ++k) {
      if (tok[k].text.size() > 255 && !tok[k].quoted) return LineError(line.number, "TXT string over 255 bytes");
    }
  } else if (t == "A" || t == "AAAA") {
    BS_CHECK_OK(need(1));
    unsigned char buf[16];
    if (inet_pton(t == "A" ? AF_INET : AF_INET6, tok[at].text.c_str(), buf) != 1)
      return LineError(line.number, "bad " + t + " address '" + tok[at].text + "'");
  } else if (t == "CNAME" || t == "NS" || t == "PTR") {
    BS_CHECK_OK(need(1));
    BS_CHECK_OK(name(0));
  } else if (t == "MX") {
    BS_CHECK_OK(need(2));
    BS_CHECK_OK(number(0, 65535, "preference"));
    BS_CHECK_OK(name(1));
  } else if (t == "SRV") {
    BS_CHECK_OK(need(4));
    BS_CHECK_OK(number(0, 65535, "priority"));
    BS_CHECK_OK(number(1, 65535, "weight"));
    BS_CHECK_OK(number(2, 65535, "port"));
    BS_CHECK_OK(name(3));
  } else if (t == "SOA") {
    BS_CHECK_OK(need(7));
    BS_CHECK_OK(name(0));
    BS_CHECK_OK(name(1));
    for (std::size_t k = 2; k < 7; ++k) BS_CHECK_OK(number(k, UINT32_MAX, "timer"));
  } else {
    return LineError(line.number, "unsupported record type '" + t + "'");
  }
  for (std::size_t k = at; k < tok.size(); ++k) rr.fields.push_back(tok[k].text);
  return util::Ok();
}

}  // namespace

util::Result<Zonefile> ParseZonefile(std::string_view text, const ReadOptions& options) {
  if (text.size() > MAX_ZONEFILE_BYTES)
    return Fail(ErrorCode::TooLarge, "zone file is " + std::to_string(text.size()) + " bytes; the limit is " +
                                         std::to_string(MAX_ZONEFILE_BYTES));
  BS_TRY(auto lines, Tokenize(text));
  Zonefile zf;
  std::optional<std::string> last_owner;
  for (const auto& line : lines) {
    const auto& tok = line.tokens;
    if (!tok[0].quoted && tok[0].text.starts_with('$')) {
      std::string directive = Upper(tok[0].text);
      if (directive == "$ORIGIN") {
        // The clients' reader takes the first word and ignores the rest of the line
        // (a real zone file has "$ORIGIN a.id $TTL 3600" on one line).
        const bool extra_ok = options.as_clients && tok.size() > 2;
        if ((tok.size() != 2 && !extra_ok) || !IsNameToken(tok[1])) {
          return LineError(line.number, "$ORIGIN needs one domain name");
        }
        std::string origin = tok[1].text;
        if (origin.size() > 1 && origin.back() == '.') origin.pop_back();
        zf.origin = origin;
      } else if (directive == "$TTL") {
        if (tok.size() != 2 && !(options.as_clients && tok.size() > 2)) {
          return LineError(line.number, "$TTL needs one number");
        }
        auto ttl = tok[1].quoted ? std::nullopt : ParseU32(tok[1].text, 2147483647);
        if (!ttl) return LineError(line.number, "$TTL is not a number in 0..2147483647");
        zf.ttl = *ttl;
      } else {
        return LineError(line.number, "unsupported directive " + tok[0].text);
      }
      continue;
    }
    ResourceRecord rr;
    std::size_t at = 0;
    if (line.owner_omitted) {
      if (!last_owner) return LineError(line.number, "record without an owner name");
      rr.name = *last_owner;
    } else {
      if (!IsNameToken(tok[0])) return LineError(line.number, "bad owner name '" + tok[0].text + "'");
      rr.name = tok[0].text;
      at = 1;
    }
    // [ttl] [class] or [class] [ttl], then the type.
    for (int k = 0; k < 2 && at < tok.size() && !tok[at].quoted; ++k) {
      if (auto ttl = ParseU32(tok[at].text, 2147483647); ttl && !rr.ttl) {
        rr.ttl = *ttl;
        ++at;
      } else if (IsClass(Upper(tok[at].text))) {
        ++at;
      }
    }
    if (at >= tok.size() || tok[at].quoted) return LineError(line.number, "missing record type");
    rr.type = Upper(tok[at].text);
    ++at;
    BS_CHECK_OK(CheckRdata(line, at, rr));
    last_owner = rr.name;
    zf.records.push_back(std::move(rr));
  }
  return zf;
}

nlohmann::json ToJson(const Zonefile& zf) {
  using nlohmann::json;
  json out = json::object();
  if (zf.origin) out["$origin"] = *zf.origin;
  if (zf.ttl) out["$ttl"] = *zf.ttl;
  auto num = [](const std::string& s) { return *ParseU32(s); };
  for (const auto& rr : zf.records) {
    json r = {{"name", rr.name}};
    if (rr.ttl) r["ttl"] = *rr.ttl;
    const auto& f = rr.fields;
    const std::string& t = rr.type;
    if (t == "URI") {
      r["priority"] = num(f[0]);
      r["weight"] = num(f[1]);
      r["target"] = f[2];
    } else if (t == "TXT") {
      r["txt"] = f.size() == 1 ? json(f[0]) : json(f);
    } else if (t == "SPF") {
      r["data"] = f.size() == 1 ? json(f[0]) : json(f);
    } else if (t == "A" || t == "AAAA") {
      r["ip"] = f[0];
    } else if (t == "CNAME") {
      r["alias"] = f[0];
    } else if (t == "NS" || t == "PTR") {
      r["host"] = f[0];
    } else if (t == "MX") {
      r["preference"] = num(f[0]);
      r["host"] = f[1];
    } else if (t == "SRV") {
      r["priority"] = num(f[0]);
      r["weight"] = num(f[1]);
      r["port"] = num(f[2]);
      r["target"] = f[3];
    } else if (t == "SOA") {
      r["mname"] = f[0];
      r["rname"] = f[1];
      r["serial"] = num(f[2]);
      r["refresh"] = num(f[3]);
      r["retry"] = num(f[4]);
      r["expire"] = num(f[5]);
      r["minimum"] = num(f[6]);
      out["soa"] = std::move(r);  // one SOA, as an object
      continue;
    }
    std::string key = t;
    std::transform(key.begin(), key.end(), key.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
    out[key].push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> UriTargets(const Zonefile& zf) {
  std::vector<std::string> out;
  for (const auto& rr : zf.records) {
    // "_resolver" names the domain's subdomain registrar, not a profile.
    if (rr.type != "URI" || rr.name == "_resolver") continue;
    std::string target = rr.fields[2];
    if (target.find("://") == std::string::npos) target = "https://" + target;
    out.push_back(std::move(target));
  }
  return out;
}

std::optional<std::string> ResolverUri(const Zonefile& zf) {
  for (const auto& rr : zf.records) {
    if (rr.type == "URI" && rr.name == "_resolver" && !rr.fields.empty()) return rr.fields.back();
  }
  return std::nullopt;
}

std::string MakeZonefile(std::string_view origin, const std::vector<std::string>& urls, uint32_t ttl) {
  std::string out = "$ORIGIN " + std::string(origin) + "\n$TTL " + std::to_string(ttl) + "\n";
  for (const auto& url : urls) {
    std::string escaped;
    for (char c : url) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    out += "_http._tcp\tIN\tURI\t10\t1\t\"" + escaped + "\"\n";
  }
  out += "\n";
  return out;
}

std::string StoragePath(std::string_view h) {
  if (h.size() < 4) return std::string(h) + ".txt";
  return std::string(h.substr(0, 2)) + "/" + std::string(h.substr(2, 2)) + "/" + std::string(h) + ".txt";
}

std::string LegacyStoragePath(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
    out.append(h.substr(i, 2));
    out.push_back('/');
  }
  return out + "zonefile.txt";
}

}  // namespace blockstack::zonefile
