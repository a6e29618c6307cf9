// The bucket browser's page: a Gaia bucket given by its read URL. What a browser
// can do without the bucket's key (open a file by its path) and with it (list the
// files, preview, check signatures, decrypt) is done by the page script; the
// server checks the URL and renders the frame.
#include <explorer/detail/parts.h>
#include <explorer/explorer.h>

#include <algorithm>

namespace blockstack::explorer {

using namespace detail;
using nlohmann::json;

namespace {

bool IsBase58(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '1' && c <= '9') || (c >= 'A' && c <= 'H') || (c >= 'J' && c <= 'N') || (c >= 'P' && c <= 'Z') ||
           (c >= 'a' && c <= 'k') || (c >= 'm' && c <= 'z');
  });
}

}  // namespace

net::Response Explorer::Bucket(const net::Request& req, const Params&) {
  std::string url = req.query.count("url") ? req.query.at("url") : "";
  PageShell shell{"Bucket", "/explorer/bucket?format=json&url=" + UrlPart(url), "", "explorer.js"};
  if (url.size() > 2000 || !(url.starts_with("https://") || url.starts_with("http://"))) {
    return ErrorPage(req, 400, "Bucket",
                     "A bucket is given by its read URL (http or https), e.g. "
                     "https://gaia.example/read/ADDRESS/.");
  }
  if (!url.ends_with('/')) url += '/';
  // The bucket's address: the URL's last segment.
  const std::string_view trimmed(url.data(), url.size() - 1);
  const std::string address(trimmed.substr(trimmed.rfind('/') + 1));
  if (address.size() < 25 || address.size() > 35 || !IsBase58(address)) {
    return ErrorPage(req, 400, "Bucket", "The read URL does not end in a bucket address: " + url);
  }
  const auto scheme_end = url.find("://") + 3;
  const std::string origin = url.substr(0, url.find('/', scheme_end));
  const std::string hub = req.query.count("hub") ? req.query.at("hub") : origin;
  json model = {{"read_url", url}, {"address", address}, {"hub", hub}};
  return Respond(req, 200, model, shell, [&] {
    Html h;
    h.Raw("<h1>Bucket <span class=\"hash\">").Text(address).Raw("</span></h1>\n");
    h.Raw("<section id=\"bucket\" data-read-url=\"").Text(url).Raw("\" data-address=\"").Text(address);
    h.Raw("\"><table class=\"kv\"><tbody>");
    h.RawRow("read URL", [&] {
      Html l;
      l.Raw("<a rel=\"nofollow noopener\" href=\"").Text(url).Raw("\">").Text(url).Raw("</a>");
      return l.Take();
    }());
    h.Row("address", address);
    h.Raw("</tbody></table>\n");
    h.Raw(
        "<p class=\"note\" id=\"bucket-needs-js\">Listing, previews, signatures and decryption need JavaScript. "
        "Without it, files can be read at the read URL followed by their path.</p>\n");
    h.Raw(
        "<form id=\"bucket-open\" class=\"bucket-form\"><label for=\"open-path\">Open a file by its path</label> "
        "<input id=\"open-path\" name=\"path\" value=\"profile.json\" autocomplete=\"off\" spellcheck=\"false\"> "
        "<button type=\"submit\" disabled>Open</button></form>\n");
    h.Raw(
        "<form id=\"bucket-list\" class=\"bucket-form\"><p>Listing a bucket needs its key (the hub asks for a "
        "token signed by it). The key stays in this page: it signs the token and decrypts files here, and is "
        "never sent anywhere.</p>"
        "<label for=\"hub-url\">Hub</label> <input id=\"hub-url\" name=\"hub\" value=\"");
    h.Text(hub).Raw(
        "\" spellcheck=\"false\"> <label for=\"bucket-key\">Bucket private key (hex or WIF)</label> "
        "<input id=\"bucket-key\" name=\"key\" type=\"password\" autocomplete=\"off\" "
        "spellcheck=\"false\"> <label for=\"list-prefix\">Path prefix</label> "
        "<input id=\"list-prefix\" name=\"prefix\" autocomplete=\"off\" spellcheck=\"false\"> "
        "<button type=\"submit\" disabled>List files</button></form>\n");
    h.Raw(
        "<output id=\"bucket-status\" aria-live=\"polite\"></output>\n"
        "<table class=\"files\" id=\"bucket-files\" hidden><thead><tr><th>path</th><th>size</th><th>modified</th>"
        "<th>kind</th></tr></thead><tbody></tbody></table>\n"
        "<section id=\"bucket-preview\" aria-live=\"polite\" hidden></section></section>\n");
    return h.Take();
  });
}

}  // namespace blockstack::explorer
