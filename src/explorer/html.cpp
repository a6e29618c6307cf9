#include <explorer/html.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <util/json_text.h>
#include <util/url.h>

namespace blockstack::explorer {

namespace {

std::string Format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A price or count for an axis label: 1.2k, 3.4M, ...
std::string Short(double v) {
  char buf[32];
  const char* units[] = {"", "k", "M", "G", "T", "P", "E"};
  int u = 0;
  while (std::fabs(v) >= 1000 && u < 6) {
    v /= 1000;
    ++u;
  }
  std::snprintf(buf, sizeof buf, v < 10 && u ? "%.1f%s" : "%.0f%s", v, units[u]);
  return buf;
}

}  // namespace

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n') {
          out += "\xEF\xBF\xBD";
        } else if (c == 0x7F) {
          out += "\xEF\xBF\xBD";
        } else if (c >= 0x80) {
          const std::size_t n = util::Utf8SequenceLength(s, i);
          if (n == 0) {
            out += "\xEF\xBF\xBD";
          } else {
            out.append(s.substr(i, n));
            i += n;
            continue;
          }
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out;
}

std::string UrlPart(std::string_view s) { return util::PercentEncode(s, false); }

Html& Html::Element(std::string_view tag, std::string_view text, std::string_view attrs) {
  m_out += '<';
  m_out += tag;
  if (!attrs.empty()) {
    m_out += ' ';
    m_out += attrs;
  }
  m_out += '>';
  m_out += Escape(text);
  m_out += "</";
  m_out += tag;
  m_out += '>';
  return *this;
}

Html& Html::Link(std::string_view href, std::string_view text) {
  m_out += "<a href=\"";
  m_out += Escape(href);
  m_out += "\">";
  m_out += Escape(text);
  m_out += "</a>";
  return *this;
}

Html& Html::Row(std::string_view label, std::string_view text) { return RawRow(label, Escape(text)); }

Html& Html::RawRow(std::string_view label, std::string_view markup) {
  m_out += "<tr><th scope=\"row\">";
  m_out += Escape(label);
  m_out += "</th><td>";
  m_out += markup;
  m_out += "</td></tr>\n";
  return *this;
}

Html& Html::Pre(std::string_view text, std::string_view attrs) { return Element("pre", text, attrs); }

std::string Page(const PageShell& shell, std::string_view body) {
  Html h;
  h.Raw(
       "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\">"
       "<title>")
      .Text(shell.title)
      .Raw(" · Blockstack explorer</title><link rel=\"stylesheet\" href=\"/explorer/assets/explorer.css\">");
  if (!shell.json_href.empty()) {
    h.Raw("<link rel=\"alternate\" type=\"application/json\" href=\"").Text(shell.json_href).Raw("\">");
  }
  if (!shell.script.empty()) {
    h.Raw("<script type=\"module\" src=\"/explorer/assets/").Text(shell.script).Raw("\"></script>");
  }
  h.Raw(
       "</head><body>\n<header><a class=\"brand\" href=\"/\">Blockstack explorer</a>"
       "<form class=\"search\" role=\"search\" action=\"/explorer/search\" method=\"get\">"
       "<label for=\"q\" class=\"sr-only\">Search</label>"
       "<input id=\"q\" name=\"q\" type=\"search\" autocomplete=\"off\" maxlength=\"300\" "
       "placeholder=\"name, namespace, address, txid, block, consensus hash\" value=\"")
      .Text(shell.search_text)
      .Raw(
          "\" aria-autocomplete=\"list\" aria-controls=\"suggestions\">"
          "<button type=\"submit\">Search</button>"
          "<ul id=\"suggestions\" role=\"listbox\" hidden></ul></form></header>\n<main>\n");
  h.Raw(body);
  h.Raw("\n</main>\n<footer>");
  if (!shell.json_href.empty()) h.Raw("<a rel=\"alternate\" href=\"").Text(shell.json_href).Raw("\">JSON</a> · ");
  h.Raw("<a href=\"/v1/info\">node info</a></footer>\n</body></html>\n");
  return h.Take();
}

std::string SvgPlot(const std::vector<std::pair<double, double>>& points, std::string_view x_label,
                    std::string_view y_label, bool log_y) {
  constexpr double W = 640, H = 280, L = 70, R = 16, T = 16, B = 44;
  if (points.empty()) return {};
  auto fy = [&](double y) { return log_y ? std::log10(std::max(y, 1.0)) : y; };
  double x0 = points.front().first, x1 = x0, y0 = fy(points.front().second), y1 = y0;
  for (auto [x, y] : points) {
    x0 = std::min(x0, x);
    x1 = std::max(x1, x);
    y0 = std::min(y0, fy(y));
    y1 = std::max(y1, fy(y));
  }
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  auto px = [&](double x) { return L + (x - x0) / (x1 - x0) * (W - L - R); };
  auto py = [&](double y) { return T + (1 - (fy(y) - y0) / (y1 - y0)) * (H - T - B); };
  Html h;
  h.Raw("<svg class=\"plot\" viewBox=\"0 0 640 280\" role=\"img\" aria-label=\"")
      .Text(y_label)
      .Raw(" against ")
      .Text(x_label)
      .Raw("\">");
  h.Raw(
      "<line class=\"axis\" x1=\"70\" y1=\"236\" x2=\"624\" y2=\"236\"/>"
      "<line class=\"axis\" x1=\"70\" y1=\"16\" x2=\"70\" y2=\"236\"/>");
  // Five ticks on each axis.
  for (int i = 0; i <= 4; ++i) {
    const double xv = x0 + (x1 - x0) * i / 4;
    h.Raw("<text class=\"tick\" text-anchor=\"middle\" x=\"" + Format(px(xv)) + "\" y=\"252\">")
        .Text(Short(std::round(xv)))
        .Raw("</text>");
    const double yl = y0 + (y1 - y0) * i / 4;
    const double yv = log_y ? std::pow(10.0, yl) : yl;
    h.Raw("<text class=\"tick\" text-anchor=\"end\" x=\"64\" y=\"" + Format(py(yv) + 4) + "\">")
        .Text(Short(yv))
        .Raw("</text>");
  }
  std::string path;
  for (auto [x, y] : points) {
    path += path.empty() ? "M" : " L";
    path += Format(px(x)) + " " + Format(py(y));
  }
  h.Raw("<path class=\"line\" d=\"" + path + "\"/>");
  for (auto [x, y] : points) {
    h.Raw("<circle class=\"dot\" r=\"3\" cx=\"" + Format(px(x)) + "\" cy=\"" + Format(py(y)) + "\"><title>")
        .Text(Short(x) + ": " + Short(y))
        .Raw("</title></circle>");
  }
  h.Raw("<text class=\"label\" text-anchor=\"middle\" x=\"347\" y=\"274\">").Text(x_label).Raw("</text>");
  h.Raw("<text class=\"label\" text-anchor=\"middle\" transform=\"translate(14 126) rotate(-90)\">")
      .Text(y_label)
      .Raw(log_y ? " (log scale)" : "")
      .Raw("</text></svg>");
  return h.Take();
}

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  while (!s.empty()) {
    const auto nl = s.find('\n');
    lines.push_back(s.substr(0, nl));
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return lines;
}

std::vector<DiffLine> DiffLines(std::string_view before, std::string_view after, std::size_t max_lines) {
  const auto a = SplitLines(before), b = SplitLines(after);
  std::vector<DiffLine> out;
  if (a.size() > max_lines || b.size() > max_lines) {
    if (before == after) return {{' ', "(unchanged)"}};
    return {{'-', "(" + std::to_string(a.size()) + " lines)"}, {'+', "(" + std::to_string(b.size()) + " lines)"}};
  }
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  std::vector<std::vector<uint16_t>> lcs(a.size() + 1, std::vector<uint16_t>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out.push_back({' ', std::string(a[i])});
      ++i;
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push_back({'+', std::string(b[j++])});
    } else {
      out.push_back({'-', std::string(a[i++])});
    }
  }
  return out;
}

}  // namespace blockstack::explorer
