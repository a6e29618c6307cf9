#include <crypto/bip39.h>

#include <unicode/errorcode.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include <crypto/aes.h>
#include <crypto/hash.h>

namespace blockstack::crypto {
namespace {

using util::ErrorCode;
using util::Fail;

constexpr std::array<std::string_view, 2048> kWords = {
#include "bip39_english.inc"
};

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !space(text[i])) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

std::string Printable(std::string_view word) {
  std::string out;
  for (char c : word.substr(0, 40)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return word.size() > 40 ? out + "..." : out;
}

}  // namespace

std::string CanonicalMnemonic(std::string_view mnemonic) {
  std::string out;
  for (auto w : Words(mnemonic)) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

util::Result<util::Bytes> MnemonicToEntropy(std::string_view mnemonic) {
  auto words = Words(mnemonic);
  std::size_t n = words.size();
  if (n < 12 || n > 24 || n % 3 != 0) {
    return Fail(ErrorCode::InvalidArgument,
                "a mnemonic has 12, 15, 18, 21 or 24 words, this one has " + std::to_string(n));
  }
  std::vector<uint16_t> indexes;
  for (std::size_t i = 0; i < n; ++i) {
    auto it = std::lower_bound(kWords.begin(), kWords.end(), words[i]);
    if (it == kWords.end() || *it != words[i]) {
      return Fail(ErrorCode::InvalidArgument, "word " + std::to_string(i + 1) + " '" + Printable(words[i]) +
                                                  "' is not in the BIP39 English wordlist");
    }
    indexes.push_back(static_cast<uint16_t>(it - kWords.begin()));
  }
  std::size_t bits = n * 11;
  std::size_t checksum_bits = bits / 33;
  std::size_t entropy_bytes = (bits - checksum_bits) / 8;
  util::Bytes all((bits + 7) / 8, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (int b = 0; b < 11; ++b) {
      if (indexes[i] & (1u << (10 - b))) {
        std::size_t pos = i * 11 + static_cast<std::size_t>(b);
        all[pos / 8] |= static_cast<uint8_t>(0x80u >> (pos % 8));
      }
    }
  }
  util::Bytes entropy(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(entropy_bytes));
  auto hash = Sha256(entropy);
  uint8_t expected = static_cast<uint8_t>(hash.data[0] >> (8 - checksum_bits));
  uint8_t got = static_cast<uint8_t>(all[entropy_bytes] >> (8 - checksum_bits));
  if (expected != got) {
    return Fail(ErrorCode::InvalidArgument,
                "the mnemonic's checksum does not match: a word is wrong or the words are out of order");
  }
  return entropy;
}

util::Result<std::string> EntropyToMnemonic(util::ByteView entropy) {
  std::size_t size = entropy.size();
  if (size < 16 || size > 32 || size % 4 != 0) {
    return Fail(ErrorCode::InvalidArgument, "mnemonic entropy is 16, 20, 24, 28 or 32 bytes");
  }
  util::Bytes all(entropy.begin(), entropy.end());
  all.push_back(Sha256(entropy).data[0]);
  std::size_t n = (size * 8 + size / 4) / 11;
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned index = 0;
    for (std::size_t b = 0; b < 11; ++b) {
      std::size_t pos = i * 11 + b;
      index = (index << 1) | ((all[pos / 8] >> (7 - pos % 8)) & 1u);
    }
    if (!out.empty()) out += ' ';
    out += kWords[index];
  }
  return out;
}

util::Result<std::string> GenerateMnemonic(std::size_t words) {
  if (words < 12 || words > 24 || words % 3 != 0) {
    return Fail(ErrorCode::InvalidArgument, "a mnemonic has 12, 15, 18, 21 or 24 words");
  }
  return EntropyToMnemonic(RandomBytes(words * 4 / 3));
}

util::Result<std::string> Nfkd(std::string_view utf8) {
  bool ascii = std::all_of(utf8.begin(), utf8.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(utf8);
  icu::ErrorCode status;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  if (status.isFailure()) return Fail(ErrorCode::IoError, "Unicode normalisation unavailable");
  // ICU replaces ill-formed UTF-8 with U+FFFD; a round trip tells.
  icu::UnicodeString text =
      icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  std::string back;
  text.toUTF8String(back);
  if (back != utf8) return Fail(ErrorCode::InvalidArgument, "text is not valid UTF-8");
  icu::UnicodeString normal = nfkd->normalize(text, status);
  if (status.isFailure()) return Fail(ErrorCode::InvalidArgument, "text cannot be normalised");
  std::string out;
  normal.toUTF8String(out);
  return out;
}

util::Result<util::FixedBytes<64>> MnemonicToSeed(std::string_view mnemonic, std::string_view passphrase) {
  std::string canonical = CanonicalMnemonic(mnemonic);
  BS_CHECK_OK(MnemonicToEntropy(canonical));
  BS_TRY(std::string pass, Nfkd(passphrase));
  std::string salt = "mnemonic" + pass;
  auto seed = Pbkdf2Sha512(util::AsBytes(canonical), util::AsBytes(salt), 2048, 64);
  util::FixedBytes<64> out;
  std::copy(seed.begin(), seed.end(), out.begin());
  return out;
}

}  // namespace blockstack::crypto
